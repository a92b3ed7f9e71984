"""Sending dead letters back to the topic they came from, with their attempt count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from schemas import HEADER_ATTEMPT, HEADER_FIRST_FAILURE_AT

from ..kafka_security import client_config
from .deadletter_entry import HEADER_REDRIVE_OF, DeadLetterEntry

__all__ = ["RedriveFailed", "RedrivePlan", "plan_redrive", "redrive", "redrive_headers"]

_FLUSH_TIMEOUT_S = 30.0


class RedriveFailed(Exception):
    """Some records did not reach their source topic; the message names them."""


@dataclass(frozen=True, slots=True)
class RedrivePlan:
    """The selected dead letters split into what goes back and what stays."""

    send: list[DeadLetterEntry] = field(default_factory=list)
    #: Failed ``max_attempts`` times or more: a poison record, not sent again.
    exhausted: list[DeadLetterEntry] = field(default_factory=list)
    #: The envelope does not say where the record came from.
    unroutable: list[DeadLetterEntry] = field(default_factory=list)
    #: Redriven before and dead-lettered again: the newer dead letter stands for it.
    superseded: list[DeadLetterEntry] = field(default_factory=list)

    def per_topic(self) -> Counter[str]:
        return Counter(entry.source_topic for entry in self.send)


def plan_redrive(
    selected: Sequence[DeadLetterEntry],
    *,
    max_attempts: int,
    everything: Sequence[DeadLetterEntry] = (),
) -> RedrivePlan:
    """Split ``selected``; ``everything`` (the whole topic) tells which were redriven before."""
    redriven = {entry.redrive_of for entry in everything or selected if entry.redrive_of}
    plan = RedrivePlan()
    for entry in selected:
        if entry.position in redriven:
            plan.superseded.append(entry)
        elif not entry.source_topic or entry.source_partition is None:
            plan.unroutable.append(entry)
        elif entry.attempts >= max_attempts:
            plan.exhausted.append(entry)
        else:
            plan.send.append(entry)
    return plan


def redrive_headers(entry: DeadLetterEntry) -> list[tuple[str, bytes]]:
    """The original headers plus the attempts so far, which the stages add to on failure."""
    headers = [(k, v) for k, v in entry.original_headers if k != HEADER_REDRIVE_OF]
    headers.append((HEADER_REDRIVE_OF, entry.position.encode()))
    headers.append((HEADER_ATTEMPT, str(entry.attempts).encode()))
    if entry.first_failure_at:
        headers.append((HEADER_FIRST_FAILURE_AT, entry.first_failure_at.encode()))
    return headers


def redrive(kafka: str | Mapping[str, Any], entries: Sequence[DeadLetterEntry]) -> int:
    """Produce each entry's key and value to its source topic and partition; wait for all."""
    producer = Producer(
        {
            **client_config(kafka),
            "enable.idempotence": True,
            "acks": "all",
            "log_level": 0,
        }
    )
    failures: list[str] = []

    def on_delivery(err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            failures.append(f"{msg.topic()}[{msg.partition()}]: {err.str()}")

    try:
        for entry in entries:
            # The same partition keeps the user's records in order.
            partition = entry.source_partition if entry.source_partition is not None else -1
            headers: list[tuple[str, str | bytes | None]] = list(redrive_headers(entry))
            while True:
                try:
                    producer.produce(
                        entry.source_topic,
                        key=entry.key,
                        value=entry.value,
                        partition=partition,
                        headers=headers,
                        on_delivery=on_delivery,
                    )
                    break
                except BufferError:
                    producer.poll(0.1)
            producer.poll(0)
        remaining = producer.flush(_FLUSH_TIMEOUT_S)
    finally:
        close = getattr(producer, "close", None)  # confluent-kafka >= 2.12
        if close is not None:
            close()
    if remaining:
        failures.append(f"{remaining} record(s) undelivered after {_FLUSH_TIMEOUT_S:.0f}s")
    if failures:
        raise RedriveFailed("; ".join(failures[:5]))
    return len(entries)
