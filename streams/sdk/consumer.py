"""The downstream consumer: typed events, repeats dropped, offsets committed after success."""

from __future__ import annotations

import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition

from schemas import Codec, Record, SchemaError

from ..deadletter import DeadLetter, Failure
from ..records import header_pairs
from ..retry import RetryPolicy

__all__ = ["ConsumedEvent", "DedupeWindow", "EventConsumer"]

logger = logging.getLogger(__name__)

STAGE = "consumer"
_RNG = random.Random()


@dataclass(frozen=True, slots=True)
class ConsumedEvent:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    event: Record


class DedupeWindow:
    """The last ``size`` event ids seen; memory stays bounded by ``size``."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("dedupe window size must be at least 1")
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def seen(self, event_id: str) -> bool:
        """Record ``event_id``; True when it was already in the window."""
        if event_id in self._ids:
            self._ids.move_to_end(event_id)
            return True
        self._ids[event_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return False

    def __len__(self) -> int:
        return len(self._ids)


class EventConsumer:
    """Reads photostream topics as typed events.

    Repeats of an ``event_id`` within the dedupe window are dropped, so the
    at-least-once delivery of the pipeline reaches the handler exactly once
    (for repeats closer together than the window). A handler error is
    retried with backoff, then the record goes to the dead-letter topic; an
    undecodable record goes there at once. Offsets commit only after the
    handler succeeded or the record was dead-lettered.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        group_id: str,
        topics: Sequence[str],
        codec: Codec,
        *,
        deadletter_topic: str,
        dedupe_window: int = 100_000,
        retry: RetryPolicy | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self._codec = codec
        self._deadletter_topic = deadletter_topic
        self._window = DedupeWindow(dedupe_window)
        self._retry = retry or RetryPolicy(attempts=3)
        self.duplicates_dropped = 0
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap_servers,
                "group.id": group_id,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
                "session.timeout.ms": 6000,
                "heartbeat.interval.ms": 1000,
                "fetch.wait.max.ms": 100,
                **(config or {}),
            }
        )
        self._dlq = Producer(
            {"bootstrap.servers": bootstrap_servers, "enable.idempotence": True, "acks": "all"}
        )
        self._consumer.subscribe(list(topics))

    def events(self, timeout_s: float = 1.0) -> Iterator[ConsumedEvent | None]:
        """Yield decoded, deduplicated events; None after an idle ``timeout_s``.

        The offset of an event commits when the caller asks for the next one.
        """
        while True:
            message = self._consumer.poll(timeout_s)
            if message is None:
                yield None
                continue
            error = message.error()
            if error is not None:
                self._on_error(error)
                continue
            consumed = self._decode(message)
            if consumed is not None:
                yield consumed
            self._commit(message)

    def run(
        self,
        handler: Callable[[ConsumedEvent], None],
        *,
        should_stop: Callable[[], bool] = lambda: False,
        timeout_s: float = 0.5,
    ) -> None:
        """Call ``handler`` for each event until ``should_stop()``."""
        for consumed in self.events(timeout_s):
            if consumed is not None:
                self._handle(handler, consumed)
            if should_stop():
                return

    def _handle(self, handler: Callable[[ConsumedEvent], None], consumed: ConsumedEvent) -> None:
        first_failure = None
        for attempt in range(1, self._retry.attempts + 1):
            try:
                handler(consumed)
                return
            except Exception as exc:  # noqa: BLE001 - any handler failure is retried
                first_failure = first_failure or time.time()
                if attempt == self._retry.attempts:
                    self._dead_letter_event(consumed, exc, attempt)
                    return
                delay = self._retry.delay(attempt, _RNG)
                logger.warning(
                    "handler failed on %s (retry in %.2fs): %s", consumed.topic, delay, exc
                )
                time.sleep(delay)

    def _decode(self, message: Message) -> ConsumedEvent | None:
        value = message.value()
        try:
            if value is None:
                raise SchemaError("record has no value")
            event = self._codec.decode(value)
        except SchemaError as exc:
            self._send_dead_letter(message, exc, getattr(exc, "reason", "undecodable_event"), 1)
            return None
        if self._window.seen(_event_id(event)):
            self.duplicates_dropped += 1
            return None
        return ConsumedEvent(
            topic=message.topic() or "",
            partition=message.partition() or 0,
            offset=message.offset() or 0,
            key=message.key(),
            event=event,
        )

    def _dead_letter_event(self, consumed: ConsumedEvent, exc: Exception, attempts: int) -> None:
        failure = _failure(
            exc, "handler_failed", consumed.topic, consumed.partition, consumed.offset, attempts
        )
        letter = DeadLetter.of(
            failure, key=consumed.key, value=self._codec.encode(consumed.topic, consumed.event)
        )
        self._produce_dead_letter(letter)

    def _send_dead_letter(
        self, message: Message, exc: Exception, reason: str, attempts: int
    ) -> None:
        failure = _failure(
            exc,
            reason,
            message.topic() or "",
            message.partition() or 0,
            message.offset() or 0,
            attempts,
        )
        letter = DeadLetter.of(
            failure,
            key=message.key(),
            value=message.value(),
            headers=header_pairs(message.headers()),
        )
        self._produce_dead_letter(letter)

    def _produce_dead_letter(self, letter: DeadLetter) -> None:
        headers: list[tuple[str, str | bytes | None]] = list(letter.headers)
        self._dlq.produce(
            self._deadletter_topic, key=letter.key, value=letter.value, headers=headers
        )
        # Flush before the offset commits: a dead letter is never lost.
        if self._dlq.flush(30) != 0:
            raise RuntimeError("dead letter not delivered within 30 s")

    def _commit(self, message: Message) -> None:
        next_offset = TopicPartition(
            message.topic() or "", message.partition() or 0, (message.offset() or 0) + 1
        )
        self._consumer.commit(offsets=[next_offset], asynchronous=True)

    def _on_error(self, error: KafkaError) -> None:
        if error.code() == KafkaError._PARTITION_EOF:
            return
        if error.fatal():
            raise RuntimeError(f"consumer failed: {error}")
        logger.warning("consumer error (retrying): %s", error)

    def close(self) -> None:
        self._consumer.close()
        self._dlq.flush(30)

    def __enter__(self) -> EventConsumer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _failure(
    exc: Exception, reason: str, topic: str, partition: int, offset: int, attempts: int
) -> Failure:
    return Failure(
        error_class=type(exc).__name__,
        reason=reason,
        message=str(exc),
        stage=STAGE,
        source_topic=topic,
        source_partition=partition,
        source_offset=offset,
        attempt=attempts,
    )


def _event_id(event: Record) -> str:
    # Every photostream event carries one; the base class does not declare it.
    return str(getattr(event, "event_id", ""))
