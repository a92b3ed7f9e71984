"""Replaying upload events: count them, re-publish them to the backfill lane, or rewind a group.

Errors::

    ReplayError                 anything that stops a replay, with a message for the operator
    ├── GroupActive             reset asked while the group still has members
    └── UnsupportedSelection    a selection the mode cannot honour

Re-publishing is safe to repeat: ingest skips an upload event it already
handled at the current extractor and model versions, every output has a
deterministic event id, and curation state is a function of the set of its
inputs. A replayed upload that was dead-lettered before (a bug since fixed,
an object that was missing) is processed for the first time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import (
    ConsumerGroupTopicPartitions,
    Message,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient

from schemas import DEADLETTER_HEADERS, HEADER_SOURCE_TOPIC

from ..kafka_security import client_config
from ..records import header_pairs
from ..topics import TopicNames
from .checkpoint import Checkpoint
from .ledger import LedgerEntry, latest_entries, outdated_uploads
from .progress import Progress
from .rate_limit import TokenBucket
from .replay_selection import Ranges, Selection, clip
from .time_offsets import TimeLookup, to_ms
from .topic_reader import TopicReader

__all__ = [
    "HEADER_REPLAY_SOURCE",
    "GroupActive",
    "GroupState",
    "PartitionSummary",
    "ReplayError",
    "Route",
    "RunResult",
    "UnsupportedSelection",
    "backfill_route",
    "group_state",
    "iso",
    "new_producer",
    "outdated_entries",
    "plan_ranges",
    "republish",
    "republish_entries",
    "reset_offsets",
    "summarize",
]

#: Where a re-published record was read: ``topic[partition]@offset``.
HEADER_REPLAY_SOURCE = "ps.replay.source"
_TIMEOUT_S = 15.0
#: How often delivered progress is written to the checkpoint.
_CHECKPOINT_EVERY_S = 1.0


class ReplayError(Exception):
    """The replay cannot go on; the message says why and what to do."""


class GroupActive(ReplayError):
    """The consumer group has members; its offsets cannot be reset."""


class UnsupportedSelection(ReplayError):
    """The selection asks for something this mode cannot do."""


#: (source topic, headers) -> headers to re-publish with, or None to skip the record.
Route = Callable[[str, Sequence[tuple[str, bytes]]], list[tuple[str, bytes]] | None]


def backfill_route(topics: TopicNames) -> Route:
    """Upload events, from either lane or from the dead letters of either, go to backfill."""
    lanes = {topics.uploaded, topics.uploaded_backfill}

    def route(topic: str, headers: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]] | None:
        if topic == topics.deadletter:
            source = next((v for k, v in headers if k == HEADER_SOURCE_TOPIC), b"").decode()
            if source not in lanes:
                return None
        elif topic not in lanes:
            return None
        # The envelope of an earlier failure stays behind: the record fails
        # afresh or not at all.
        return [
            (k, v) for k, v in headers if k not in DEADLETTER_HEADERS and k != HEADER_REPLAY_SOURCE
        ]

    return route


def plan_ranges(reader: TopicReader, lookup: TimeLookup, selection: Selection) -> Ranges:
    """The offsets to scan per partition, times resolved against the records themselves."""
    partitions = reader.partitions(selection.topic)
    unknown = sorted(set(selection.partitions) - set(partitions))
    if unknown:
        raise UnsupportedSelection(
            f"{selection.topic} has partitions {partitions[0]}-{partitions[-1]}, not {unknown}"
        )
    stored = {
        p: bounds
        for (_, p), bounds in reader.offsets([(selection.topic, p) for p in partitions]).items()
    }
    bounds: dict[int, tuple[int, int]] | None = None
    if selection.since is not None or selection.until is not None:
        bounds = {}
        for partition, (low, high) in stored.items():
            start = (
                lookup.offset_at(selection.topic, partition, to_ms(selection.since), low, high)
                if selection.since is not None
                else low
            )
            end = (
                lookup.offset_at(selection.topic, partition, to_ms(selection.until), low, high)
                if selection.until is not None
                else high
            )
            bounds[partition] = (start, end)
    return clip(stored, selection, bounds)


@dataclass
class PartitionSummary:
    count: int = 0
    first_offset: int | None = None
    last_offset: int | None = None
    first_ms: int | None = None
    last_ms: int | None = None

    def add(self, offset: int, timestamp_ms: int) -> None:
        self.count += 1
        self.first_offset = offset if self.first_offset is None else self.first_offset
        self.last_offset = offset
        self.first_ms = timestamp_ms if self.first_ms is None else min(self.first_ms, timestamp_ms)
        self.last_ms = timestamp_ms if self.last_ms is None else max(self.last_ms, timestamp_ms)


def summarize(
    reader: TopicReader, selection: Selection, ranges: Ranges, route: Route | None
) -> tuple[dict[int, PartitionSummary], int]:
    """What a replay of ``ranges`` would send, per partition; and how many it would skip."""
    summary = {partition: PartitionSummary() for partition in ranges}
    skipped = 0
    for message in reader.read({(selection.topic, p): r for p, r in ranges.items()}):
        headers = _headers(message)
        if not selection.wants(message.key(), headers, _timestamp(message)):
            continue
        if route is not None and route(selection.topic, headers) is None:
            skipped += 1
            continue
        summary[message.partition() or 0].add(message.offset() or 0, _timestamp(message))
    return summary, skipped


@dataclass
class RunResult:
    published: int = 0
    skipped: int = 0
    interrupted: bool = False
    errors: list[str] = field(default_factory=list)


class _Sender:
    """An idempotent producer that knows whether everything sent so far landed."""

    def __init__(self, producer: Producer) -> None:
        self._producer = producer
        self.errors: list[str] = []

    def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        headers: Sequence[tuple[str, bytes]],
    ) -> None:
        while True:
            try:
                self._producer.produce(
                    topic,
                    key=key,
                    value=value,
                    headers=[(k, v) for k, v in headers],
                    on_delivery=self._delivered,
                )
                return
            except BufferError:
                # The local queue is full: let deliveries drain it.
                self._producer.poll(0.1)

    def _delivered(self, error: object, _message: Message) -> None:
        if error is not None:
            self.errors.append(str(error))

    def settle(self) -> None:
        """Wait for every delivery; raise if any record did not land."""
        remaining = self._producer.flush(_TIMEOUT_S)
        if remaining:
            raise ReplayError(f"{remaining} record(s) not acknowledged in {_TIMEOUT_S:.0f}s")
        if self.errors:
            raise ReplayError(f"{len(self.errors)} record(s) not delivered: {self.errors[0]}")


def new_producer(kafka: str | Mapping[str, Any]) -> Producer:
    return Producer(
        {
            **client_config(kafka),
            "enable.idempotence": True,
            "acks": "all",
            # The upload SDK's partitioner: a user's records stay on one partition.
            "partitioner": "murmur2_random",
            "linger.ms": 5,
            "log_level": 0,
        }
    )


def republish(
    reader: TopicReader,
    producer: Producer,
    selection: Selection,
    checkpoint: Checkpoint,
    *,
    target: str,
    route: Route,
    stop: threading.Event,
    progress: Progress,
    limiter: TokenBucket | None = None,
) -> RunResult:
    """Send the selected records of ``checkpoint.remaining()`` to ``target``.

    The checkpoint advances only past records whose delivery the broker
    acknowledged; ``stop`` (set from a signal handler) ends the run at a
    record boundary with a consistent checkpoint.
    """
    sender = _Sender(producer)
    result = RunResult(published=checkpoint.published)
    remaining = checkpoint.remaining()
    positions = {p: start for p, (start, _) in remaining.items()}
    saved_at = _now()

    def save() -> None:
        sender.settle()
        checkpoint.positions = dict(positions)
        checkpoint.published = result.published
        checkpoint.save()

    for message in reader.read({(selection.topic, p): r for p, r in remaining.items()}):
        partition, offset = message.partition() or 0, message.offset() or 0
        headers = _headers(message)
        sent = 0
        if selection.wants(message.key(), headers, _timestamp(message)):
            routed = route(selection.topic, headers)
            if routed is None:
                result.skipped += 1
            else:
                if limiter is not None:
                    limiter.acquire()
                source = f"{selection.topic}[{partition}]@{offset}".encode()
                sender.send(
                    target,
                    message.key(),
                    message.value(),
                    [*routed, (HEADER_REPLAY_SOURCE, source)],
                )
                result.published += 1
                sent = 1
        positions[partition] = offset + 1
        progress.advance(1, sent)
        if _now() - saved_at >= _CHECKPOINT_EVERY_S:
            save()
            saved_at = _now()
        if stop.is_set():
            result.interrupted = True
            break
    if not result.interrupted:
        positions.update({p: end for p, (_, end) in remaining.items()})
        checkpoint.complete = True
    save()
    return result


def outdated_entries(
    reader: TopicReader, topics: TopicNames, step: str, current: str
) -> list[LedgerEntry]:
    records = ((m.key(), m.value()) for m in reader.read_topic(topics.ledger))
    return outdated_uploads(latest_entries(records), step, current)


def republish_entries(
    producer: Producer,
    entries: Iterable[LedgerEntry],
    *,
    target: str,
    reason: str,
    stop: threading.Event,
    progress: Progress,
    limiter: TokenBucket | None = None,
) -> RunResult:
    """Send the upload event of each ledger entry to ``target``."""
    sender = _Sender(producer)
    result = RunResult()
    for entry in entries:
        if stop.is_set():
            result.interrupted = True
            break
        if limiter is not None:
            limiter.acquire()
        sender.send(
            target, entry.user_id.encode(), entry.upload, [(HEADER_REPLAY_SOURCE, reason.encode())]
        )
        result.published += 1
        progress.advance(1, 1)
    sender.settle()
    return result


@dataclass(frozen=True, slots=True)
class GroupState:
    """What the broker says about a consumer group."""

    state: str
    members: tuple[str, ...]


def group_state(admin: AdminClient, group: str) -> GroupState:
    future = admin.describe_consumer_groups([group], request_timeout=_TIMEOUT_S)[group]
    description = future.result()
    return GroupState(
        state=description.state.name,
        members=tuple(sorted(f"{m.client_id}@{m.host}" for m in description.members)),
    )


def reset_offsets(admin: AdminClient, group: str, topic: str, ranges: Ranges) -> dict[int, int]:
    """Point ``group``'s committed offsets on ``topic`` at the start of each range.

    The group must be empty: a running worker would overwrite the offsets
    with its own next commit. A group with listed members is refused at once;
    otherwise the offsets are committed as the admin client does, which the
    broker itself refuses for a group it still counts members in.
    """
    found = group_state(admin, group)
    if found.members:
        raise GroupActive(
            f"consumer group {group} has {len(found.members)} active member(s) "
            f"({', '.join(found.members)}); stop its workers first "
            "(or re-publish to the backfill lane instead, which needs no stop)"
        )
    offsets = {partition: start for partition, (start, _) in sorted(ranges.items())}
    request = ConsumerGroupTopicPartitions(
        group, [TopicPartition(topic, p, o) for p, o in offsets.items()]
    )
    (future,) = admin.alter_consumer_group_offsets([request], request_timeout=_TIMEOUT_S).values()
    errors = {tp.error.str() for tp in future.result().topic_partitions if tp.error is not None}
    if errors:
        raise GroupActive(
            f"the broker refused to reset consumer group {group} ({', '.join(sorted(errors))}): "
            f"it still counts members in it (state {found.state}); stop its workers first "
            "(or re-publish to the backfill lane instead, which needs no stop). The embedded "
            "broker keeps counting members that left, so there only a group that never ran "
            "can be reset"
        )
    return offsets


def _headers(message: Message) -> list[tuple[str, bytes]]:
    return header_pairs(message.headers())


def _timestamp(message: Message) -> int:
    _, ts = message.timestamp()
    return int(ts)


def _now() -> float:
    return time.monotonic()


def iso(ms: int | None) -> str:
    if ms is None:
        return "-"
    return (
        datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )
