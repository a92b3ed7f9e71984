"""From a time to an offset, on brokers whose ``offsets_for_times`` answers can mislead.

Kafka answers ListOffsets-by-time with the earliest offset whose timestamp
is at or after the time, and -1 when no record is that late. The embedded
broker (BROKER.md) differs: it compares broker append times per batch, and
for a time later than every record it answers 0 instead of -1, which taken
at its word would replay the whole partition. So every answer is checked
against the records themselves: a time later than the partition's last
record means "the end"; an answer whose record is earlier than the time is
corrected by a binary search over record timestamps.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from confluent_kafka import Consumer, KafkaException, TopicPartition

from ..kafka_security import client_config

__all__ = ["TimeLookup", "first_offset_at", "to_ms"]

#: The timestamp of the first record at or after an offset (None: no record there).
TimestampAt = Callable[[int], int | None]


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def first_offset_at(
    ts_ms: int, answer: int, start: int, end: int, timestamp_at: TimestampAt
) -> int:
    """The first offset in ``[start, end)`` whose record is at or after ``ts_ms`` (``end``: none).

    ``answer`` is what the broker said; record timestamps are assumed to grow
    with the offset, as producer clocks make them within a partition.
    """
    if end <= start or answer < 0 or answer >= end:
        return end
    last = timestamp_at(end - 1)
    if last is None or last < ts_ms:
        # Later than every record: the embedded broker's answer 0 lands here.
        return end
    low = max(answer, start)
    at_low = timestamp_at(low)
    if at_low is not None and at_low >= ts_ms:
        return low
    # The answer points too early; the record at end - 1 is late enough.
    high = end - 1
    while low + 1 < high:
        middle = (low + high) // 2
        at_middle = timestamp_at(middle)
        if at_middle is not None and at_middle >= ts_ms:
            high = middle
        else:
            low = middle
    return high


class TimeLookup:
    """Asks the broker, then checks its answer by reading single records."""

    def __init__(self, kafka: str | Mapping[str, Any], *, timeout_s: float = 10.0) -> None:
        self._timeout_s = timeout_s
        self._consumer = Consumer(
            {
                **client_config(kafka),
                "group.id": "photostream-replay-times",
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 50,
                "log_level": 0,
            }
        )
        self.probes = 0

    def close(self) -> None:
        self._consumer.close()

    def __enter__(self) -> TimeLookup:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def offset_at(self, topic: str, partition: int, ts_ms: int, start: int, end: int) -> int:
        try:
            (answer,) = self._consumer.offsets_for_times(
                [TopicPartition(topic, partition, ts_ms)], timeout=self._timeout_s
            )
        except KafkaException as exc:
            raise RuntimeError(f"offsets_for_times on {topic}[{partition}]: {exc}") from exc
        return first_offset_at(
            ts_ms, answer.offset, start, end, lambda o: self._timestamp_at(topic, partition, o, end)
        )

    def _timestamp_at(self, topic: str, partition: int, offset: int, end: int) -> int | None:
        self.probes += 1
        self._consumer.assign([TopicPartition(topic, partition, offset)])
        deadline = time.monotonic() + self._timeout_s
        try:
            while time.monotonic() < deadline:
                message = self._consumer.poll(0.2)
                if message is None or message.error() is not None:
                    continue
                if (message.offset() or 0) >= end:
                    return None
                _, ts = message.timestamp()
                return int(ts)
            return None
        finally:
            self._consumer.unassign()
