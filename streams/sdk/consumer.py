"""The downstream consumer: typed events, repeats dropped, offsets committed after success."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message

from schemas import Codec, Record, RegistryUnavailable, UndecodableEvent

from ..records import header_pairs
from ..retry import RetryPolicy
from ._deadletters import DeadLetterSender
from ._dedupe import DedupeWindow

__all__ = ["ConsumedEvent", "DedupeWindow", "EventConsumer"]

logger = logging.getLogger(__name__)

_RNG = random.Random()


@dataclass(frozen=True, slots=True)
class ConsumedEvent:
    """A decoded event, where it came from, and the record's own bytes and headers."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    event: Record
    raw_value: bytes = b""
    headers: tuple[tuple[str, bytes], ...] = ()


class EventConsumer:
    """Reads photostream topics as typed events.

    Repeats of an ``event_id`` within the dedupe window (the last
    ``dedupe_window`` ids handled) are dropped, so the at-least-once delivery
    of the pipeline reaches the handler once. A handler error is retried with
    backoff, then the record goes to the dead-letter topic with its original
    key, value and headers plus the ``ps.*`` envelope; an undecodable record
    (wrong magic byte, unknown schema id, truncated body) goes there at once.
    A record's offset is stored for commit only after the handler succeeded
    or the record was dead-lettered; stored offsets are committed every
    ``auto.commit.interval.ms`` (5 s), on rebalance and on :meth:`close`. A
    record whose handling never finished (the process died, the caller
    stopped iterating) is read again by the next consumer of the group.

    A registry that cannot be reached is not the record's fault: decoding is
    retried with backoff, then :class:`~schemas.RegistryUnavailable` is raised
    with the record still uncommitted.
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
        self._window = DedupeWindow(dedupe_window)
        self._retry = retry or RetryPolicy(attempts=3)
        self.duplicates_dropped = 0
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap_servers,
                "group.id": group_id,
                "enable.auto.commit": True,
                "enable.auto.offset.store": False,
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
                "session.timeout.ms": 6000,
                "heartbeat.interval.ms": 1000,
                "fetch.wait.max.ms": 100,
                **(config or {}),
            }
        )
        self._deadletters = DeadLetterSender(bootstrap_servers, deadletter_topic, config)
        self._consumer.subscribe(list(topics))

    def events(self, timeout_s: float = 1.0) -> Iterator[ConsumedEvent | None]:
        """Yield decoded, deduplicated events; None after an idle ``timeout_s``.

        An event counts as handled, and its offset is stored for commit, when
        the caller asks for the next one; the last event before the caller
        stops iterating is therefore read again by the group's next consumer.
        """
        while True:
            message, consumed = self._poll(timeout_s)
            if message is None:
                yield None
                continue
            if consumed is not None:
                yield consumed
            self._done(message, consumed)

    def run(
        self,
        handler: Callable[[ConsumedEvent], None],
        *,
        should_stop: Callable[[], bool] = lambda: False,
        timeout_s: float = 0.5,
    ) -> None:
        """Call ``handler`` for each event until ``should_stop()``.

        A handler that raises is retried, then its record is dead-lettered;
        only an error escaping the retries (a dead letter that cannot be
        delivered, a ``BaseException``) stops the loop, uncommitted.
        """
        while not should_stop():
            message, consumed = self._poll(timeout_s)
            if consumed is not None:
                self._handle(handler, consumed)
            if message is not None:
                self._done(message, consumed)

    def _poll(self, timeout_s: float) -> tuple[Message | None, ConsumedEvent | None]:
        message = self._consumer.poll(timeout_s)
        if message is None:
            return None, None
        error = message.error()
        if error is not None:
            self._on_error(error)
            return None, None
        return message, self._decode(message)

    def _done(self, message: Message, consumed: ConsumedEvent | None) -> None:
        if consumed is not None:
            event_id = _event_id(consumed.event)
            if event_id:
                self._window.add(event_id)
        self._consumer.store_offsets(message=message)

    @property
    def window(self) -> DedupeWindow:
        return self._window

    def _handle(self, handler: Callable[[ConsumedEvent], None], consumed: ConsumedEvent) -> None:
        first_failure: datetime | None = None
        for attempt in range(1, self._retry.attempts + 1):
            try:
                handler(consumed)
                return
            except Exception as exc:  # noqa: BLE001 - any handler failure is retried
                first_failure = first_failure or datetime.now(UTC)
                if attempt == self._retry.attempts:
                    logger.error(
                        "handler failed %d times on %s[%d]@%d; dead-lettering it: %s",
                        attempt,
                        consumed.topic,
                        consumed.partition,
                        consumed.offset,
                        exc,
                    )
                    self._deadletters.handler_failed(
                        topic=consumed.topic,
                        partition=consumed.partition,
                        offset=consumed.offset,
                        key=consumed.key,
                        value=consumed.raw_value,
                        headers=consumed.headers,
                        error=exc,
                        attempts=attempt,
                        first_failure_at=first_failure,
                    )
                    return
                delay = self._retry.delay(attempt, _RNG)
                logger.warning(
                    "handler failed on %s[%d]@%d (retry in %.2fs): %s",
                    consumed.topic,
                    consumed.partition,
                    consumed.offset,
                    delay,
                    exc,
                )
                time.sleep(delay)

    def _decode(self, message: Message) -> ConsumedEvent | None:
        value = message.value()
        try:
            event = self._decode_value(value or b"")
        except UndecodableEvent as exc:
            logger.warning(
                "undecodable record %s[%s]@%s dead-lettered: %s",
                message.topic(),
                message.partition(),
                message.offset(),
                exc,
            )
            self._deadletters.undecodable(message, exc, exc.reason)
            return None
        event_id = _event_id(event)
        if event_id and event_id in self._window:
            self._window.add(event_id)  # a repeat keeps its id in the window longer
            self.duplicates_dropped += 1
            return None
        return ConsumedEvent(
            topic=message.topic() or "",
            partition=message.partition() or 0,
            offset=message.offset() or 0,
            key=message.key(),
            event=event,
            raw_value=value or b"",
            headers=tuple(header_pairs(message.headers())),
        )

    def _decode_value(self, value: bytes) -> Record:
        for attempt in range(1, self._retry.attempts + 1):
            try:
                return self._codec.decode(value)
            except RegistryUnavailable as exc:
                if attempt == self._retry.attempts:
                    raise
                delay = self._retry.delay(attempt, _RNG)
                logger.warning("schema registry unavailable (retry in %.2fs): %s", delay, exc)
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _on_error(self, error: KafkaError) -> None:
        if error.code() == KafkaError._PARTITION_EOF:
            return
        if error.fatal():
            raise RuntimeError(f"consumer failed: {error}")
        logger.warning("consumer error (retrying): %s", error)

    def close(self) -> None:
        """Commit the stored offsets and leave the group."""
        self._consumer.close()
        self._deadletters.close()

    def __enter__(self) -> EventConsumer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _event_id(event: Record) -> str:
    # Every photostream event carries one; the base class does not declare it.
    return str(getattr(event, "event_id", ""))
