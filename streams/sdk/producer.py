"""The upload service's producer: validated, idempotent, keyed by user, never silent."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from schemas import Codec, PhotoDeleted, PhotoUploaded, validate

from ..topics import TopicNames

__all__ = ["Delivery", "DeliveryFailed", "UploadProducer"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    """The broker's answer for one event: where it landed, or why it did not."""

    event_id: str
    topic: str
    partition: int | None
    offset: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


class DeliveryFailed(Exception):
    """Events that never reached the broker when the producer was closed unchecked."""

    def __init__(self, deliveries: list[Delivery]) -> None:
        super().__init__(
            f"{len(deliveries)} event(s) not delivered: "
            + "; ".join(f"{d.event_id}: {d.error}" for d in deliveries[:5])
        )
        self.deliveries = deliveries


class UploadProducer:
    """Produces ``PhotoUploaded`` and ``PhotoDeleted`` events.

    Every event is validated before it is sent (``InvalidEvent`` names the bad
    field), keyed by ``user_id`` with the Java client's murmur2 partitioner so
    it lands on the same partition as every other record of that user, and
    sent by an idempotent producer with ``acks=all``. Each send returns a
    future of its :class:`Delivery`; :meth:`flush` returns every failed one,
    including events the client refused outright (e.g. larger than
    ``message.max.bytes``). Only an invalid event raises, at once.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        codec: Codec,
        topics: TopicNames,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self._codec = codec
        self._topics = topics
        self._lock = threading.Lock()
        self._failed: list[Delivery] = []
        self._closed = False
        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap_servers,
                "enable.idempotence": True,
                "acks": "all",
                "partitioner": "murmur2_random",
                "linger.ms": 5,
                "delivery.timeout.ms": 120_000,
                **(config or {}),
            }
        )

    def send_upload(self, event: PhotoUploaded) -> Future[Delivery]:
        if not isinstance(event, PhotoUploaded):
            raise TypeError(f"send_upload takes a PhotoUploaded, not {type(event).__name__}")
        return self._send(self._topics.uploaded, event, event.user_id, event.event_id)

    def send_deletion(self, event: PhotoDeleted) -> Future[Delivery]:
        if not isinstance(event, PhotoDeleted):
            raise TypeError(f"send_deletion takes a PhotoDeleted, not {type(event).__name__}")
        return self._send(self._topics.deleted, event, event.user_id, event.event_id)

    def _send(
        self, topic: str, event: PhotoUploaded | PhotoDeleted, user_id: str, event_id: str
    ) -> Future[Delivery]:
        if not self._codec.validate_on_encode:
            validate(event)
        value = self._codec.encode(topic, event)
        future: Future[Delivery] = Future()

        def on_delivery(err: KafkaError | None, msg: Message | None) -> None:
            delivery = Delivery(
                event_id=event_id,
                topic=topic,
                partition=None if err or msg is None else msg.partition(),
                offset=None if err or msg is None else msg.offset(),
                error=str(err) if err else None,
            )
            if err:
                logger.error("event %s to %s failed: %s", event_id, topic, err)
                with self._lock:
                    self._failed.append(delivery)
            future.set_result(delivery)

        while True:
            try:
                self._producer.produce(
                    topic, key=user_id.encode(), value=value, on_delivery=on_delivery
                )
                break
            except BufferError:
                # The local queue is full: serve callbacks to make room, never drop.
                self._producer.poll(0.1)
            except KafkaException as exc:
                # Refused before it was queued (too large, unknown partition...):
                # reported like any other failed delivery.
                on_delivery(exc.args[0], None)
                return future
        self._producer.poll(0)
        return future

    def flush(self, timeout_s: float = 30.0) -> list[Delivery]:
        """Wait for every pending event; return the ones that failed (and forget them)."""
        remaining = self._producer.flush(timeout_s)
        if remaining:
            raise TimeoutError(f"{remaining} event(s) still undelivered after {timeout_s}s")
        with self._lock:
            failed, self._failed = self._failed, []
        return failed

    def close(self, timeout_s: float = 30.0) -> list[Delivery]:
        """Flush, then release the client; returns the failures :meth:`flush` would."""
        if self._closed:
            return []
        failed = self.flush(timeout_s)
        self._closed = True
        close = getattr(self._producer, "close", None)  # confluent-kafka >= 2.12
        if close is not None:
            close()
        return failed

    def __enter__(self) -> UploadProducer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        failed = self.close()
        # Failures nobody collected with flush() must not vanish with the block.
        if failed and exc_type is None:
            raise DeliveryFailed(failed)
