"""Where the consumer sends what it cannot handle: the dead-letter topic, with the envelope."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from confluent_kafka import Message, Producer

from ..deadletter import DeadLetter, Failure
from ..records import header_pairs

__all__ = ["STAGE", "DeadLetterSender"]

STAGE = "consumer"
_FLUSH_TIMEOUT_S = 30.0
_CONNECTION_PREFIXES = ("security.", "sasl.", "ssl.", "oauth_cb", "client.id")


class DeadLetterSender:
    """Produces dead letters and waits for each: the offset is stored only after it landed."""

    def __init__(
        self, bootstrap_servers: str, topic: str, config: Mapping[str, Any] | None = None
    ) -> None:
        self._topic = topic
        # The consumer's connection settings (TLS, SASL), not its consumer ones.
        connection = {
            key: value
            for key, value in (config or {}).items()
            if key.startswith(_CONNECTION_PREFIXES)
        }
        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap_servers,
                **connection,
                "enable.idempotence": True,
                "acks": "all",
            }
        )

    def handler_failed(
        self,
        *,
        topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        value: bytes,
        headers: tuple[tuple[str, bytes], ...],
        error: Exception,
        attempts: int,
        first_failure_at: datetime,
    ) -> None:
        failure = Failure(
            error_class=type(error).__name__,
            reason="handler_failed",
            message=str(error),
            stage=STAGE,
            source_topic=topic,
            source_partition=partition,
            source_offset=offset,
            attempt=attempts,
            first_failure_at=first_failure_at,
        )
        self._send(DeadLetter.of(failure, key=key, value=value, headers=headers))

    def undecodable(self, message: Message, error: Exception, reason: str) -> None:
        failure = Failure(
            error_class=type(error).__name__,
            reason=reason,
            message=str(error),
            stage=STAGE,
            source_topic=message.topic() or "",
            source_partition=message.partition() or 0,
            source_offset=message.offset() or 0,
        )
        letter = DeadLetter.of(
            failure,
            key=message.key(),
            value=message.value(),
            headers=header_pairs(message.headers()),
        )
        self._send(letter)

    def _send(self, letter: DeadLetter) -> None:
        headers: list[tuple[str, str | bytes | None]] = list(letter.headers)
        self._producer.produce(self._topic, key=letter.key, value=letter.value, headers=headers)
        if self._producer.flush(_FLUSH_TIMEOUT_S) != 0:
            raise RuntimeError(f"dead letter not delivered to {self._topic} within 30 s")

    def close(self) -> None:
        self._producer.flush(_FLUSH_TIMEOUT_S)
        close = getattr(self._producer, "close", None)  # confluent-kafka >= 2.12
        if close is not None:
            close()
