"""Reading a topic from outside the pipeline, up to its true end, never hanging.

Two things make this harder than ``consumer.poll`` in a loop:

- ``ListOffsets(latest)`` can be short: the embedded broker answers with the
  first offset of the newest batch + 1 (see BROKER.md). The high watermark in
  a fetch response is right on every broker, so the end is taken from a fetch
  of the record just before the listed end.
- An empty topic sends nothing, so the reader stops at the end it measured
  instead of waiting for records that may never come.

Errors: :class:`BrokerUnreachable` when the cluster does not answer within
the timeout, :class:`UnknownTopic` for a topic the cluster does not have.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from ..kafka_security import client_config

__all__ = [
    "TP",
    "BrokerUnreachable",
    "TopicReader",
    "UnknownTopic",
]

#: (topic, partition)
TP = tuple[str, int]


class BrokerUnreachable(Exception):
    """The cluster did not answer within the timeout."""


class UnknownTopic(Exception):
    """The cluster has no such topic."""


class TopicReader:
    """A group-less reader: partitions, end offsets, committed offsets, ranges of records."""

    def __init__(self, kafka: str | Mapping[str, Any], *, timeout_s: float = 10.0) -> None:
        """``kafka``: client config (see :func:`streams.kafka_security.confluent_config`)."""
        self._kafka = client_config(kafka)
        self._bootstrap = str(self._kafka["bootstrap.servers"])
        self._timeout_s = timeout_s
        self._consumers: list[Consumer] = []

    def _consumer(self, group_id: str | None = None, **extra: Any) -> Consumer:
        consumer = Consumer(
            {
                **self._kafka,
                # Only OffsetFetch is sent for ``group_id``: the group is never joined.
                "group.id": group_id or f"photostream-ops-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "auto.offset.reset": "earliest",
                "fetch.wait.max.ms": 50,
                "socket.timeout.ms": max(1000, int(self._timeout_s * 1000)),
                # The caller reports an unreachable cluster once, clearly;
                # librdkafka would print every failed reconnect to stderr.
                "log_level": 0,
                **extra,
            }
        )
        self._consumers.append(consumer)
        return consumer

    def close(self) -> None:
        while self._consumers:
            self._consumers.pop().close()

    def __enter__(self) -> TopicReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def partitions(self, topic: str) -> list[int]:
        consumer = self._consumers[0] if self._consumers else self._consumer()
        try:
            metadata = consumer.list_topics(topic, timeout=self._timeout_s)
        except KafkaException as exc:
            raise BrokerUnreachable(f"{self._bootstrap}: {exc.args[0].str()}") from exc
        found = metadata.topics.get(topic)
        if found is None or found.error is not None or not found.partitions:
            raise UnknownTopic(topic)
        return sorted(found.partitions)

    def offsets(self, tps: Sequence[TP]) -> dict[TP, tuple[int, int]]:
        """Each partition's (first offset, true end offset)."""
        if not tps:
            return {}
        consumer = self._consumer()
        listed: dict[TP, tuple[int, int]] = {}
        for topic, partition in tps:
            try:
                low, high = consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), timeout=self._timeout_s, cached=False
                )
            except KafkaException as exc:
                raise BrokerUnreachable(f"{self._bootstrap}: {exc.args[0].str()}") from exc
            listed[(topic, partition)] = (low, high)
        probe = {tp: high - 1 for tp, (low, high) in listed.items() if high > low}
        if not probe:
            return listed
        # Fetching the record before the listed end brings the true high watermark.
        consumer.assign([TopicPartition(t, p, offset) for (t, p), offset in probe.items()])
        unresolved = set(probe)
        deadline = time.monotonic() + self._timeout_s
        while unresolved:
            if time.monotonic() > deadline:
                raise BrokerUnreachable(f"{self._bootstrap}: no fetch answered for {unresolved}")
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                unresolved.discard((message.topic() or "", message.partition() or 0))
            elif message is None:
                # A transaction marker has an offset but is never delivered.
                unresolved -= _past(consumer, {tp: probe[tp] + 1 for tp in unresolved})
        result = dict(listed)
        for (topic, partition), (low, high) in listed.items():
            if (topic, partition) in probe:
                _, fetched = consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), cached=True
                )
                result[(topic, partition)] = (low, max(high, fetched))
        return result

    def committed(self, group_id: str, tps: Sequence[TP]) -> dict[TP, int | None]:
        """The group's committed offset per partition; None where it never committed."""
        if not tps:
            return {}
        consumer = self._consumer(group_id)
        try:
            answers = consumer.committed(
                [TopicPartition(t, p) for t, p in tps], timeout=self._timeout_s
            )
        except KafkaException as exc:
            raise BrokerUnreachable(f"{self._bootstrap}: {exc.args[0].str()}") from exc
        return {(tp.topic, tp.partition): tp.offset if tp.offset >= 0 else None for tp in answers}

    def read(self, ranges: Mapping[TP, tuple[int, int]]) -> Iterator[Message]:
        """Every record with ``start <= offset < end`` of each partition, then stop.

        Raises :class:`BrokerUnreachable` when no record arrives for the
        timeout while some are still expected.
        """
        wanted = {tp: (start, end) for tp, (start, end) in ranges.items() if end > start}
        if not wanted:
            return
        consumer = self._consumer()
        consumer.assign([TopicPartition(t, p, start) for (t, p), (start, _) in wanted.items()])
        next_offset = {tp: start for tp, (start, _) in wanted.items()}
        deadline = time.monotonic() + self._timeout_s
        while next_offset:
            if time.monotonic() > deadline:
                raise BrokerUnreachable(
                    f"{self._bootstrap}: stalled before the end of {sorted(next_offset)}"
                )
            message = consumer.poll(0.2)
            if message is None:
                for tp in _past(consumer, {tp: wanted[tp][1] for tp in next_offset}):
                    del next_offset[tp]
                continue
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                raise BrokerUnreachable(f"{self._bootstrap}: {error.str()}")
            tp = (message.topic() or "", message.partition() or 0)
            offset = message.offset() or 0
            if tp not in next_offset:
                continue
            deadline = time.monotonic() + self._timeout_s
            end = wanted[tp][1]
            if offset < end:
                yield message
            if offset + 1 >= end:
                del next_offset[tp]
                consumer.incremental_unassign([TopicPartition(*tp)])
            else:
                next_offset[tp] = offset + 1

    def read_topic(self, topic: str) -> Iterator[Message]:
        """Every record stored in ``topic`` now, partition by partition interleaved."""
        tps = [(topic, p) for p in self.partitions(topic)]
        yield from self.read(self.offsets(tps))


def _past(consumer: Consumer, targets: Mapping[TP, int]) -> set[TP]:
    """The partitions whose fetch position reached its target offset."""
    if not targets:
        return set()
    positions = consumer.position([TopicPartition(t, p) for t, p in targets])
    return {
        (tp.topic, tp.partition)
        for tp in positions
        if tp.offset >= 0 and tp.offset >= targets[(tp.topic, tp.partition)]
    }
