"""``photostream lag``: how far each consumer group is behind, and since when."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TextIO

import orjson
from confluent_kafka import ConsumerGroupTopicPartitions, KafkaException
from confluent_kafka.admin import AdminClient

from ..kafka_security import confluent_config
from ..settings import Settings
from ..worker import DEPLOYMENTS, build_worker_app, consumer_group
from .topic_reader import TP, BrokerUnreachable, TopicReader, UnknownTopic

__all__ = ["PartitionLag", "app_groups", "group_lag", "run_lag"]


@dataclass(frozen=True, slots=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    #: None: the group never committed here, so it starts from the first offset.
    committed: int | None
    end: int
    lag: int
    #: Seconds since the oldest unprocessed record was written; None without lag.
    oldest_age_s: float | None


def app_groups(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Every worker group of the app with the topics its agents consume."""
    groups: dict[str, tuple[str, ...]] = {}
    for roles in DEPLOYMENTS:
        app = build_worker_app(settings, roles)
        topics = sorted({name for agent in app.agents.values() for name in agent.channel.topics})
        groups[consumer_group(settings, roles)] = tuple(topics)
    return groups


def group_lag(
    reader: TopicReader,
    admin: AdminClient,
    group: str,
    topics: Sequence[str],
    *,
    timeout_s: float,
    now: float | None = None,
) -> list[PartitionLag]:
    """Lag of ``group`` on ``topics`` and on any other topic it committed offsets for."""
    names = sorted(set(topics) | _committed_topics(admin, group, timeout_s))
    tps: list[TP] = []
    for topic in names:
        try:
            tps.extend((topic, p) for p in reader.partitions(topic))
        except UnknownTopic:
            print(f"photostream lag: {group}: topic {topic} does not exist", file=sys.stderr)
    offsets = reader.offsets(tps)
    committed = reader.committed(group, tps)
    starts: dict[TP, int] = {}
    for tp in tps:
        done = committed.get(tp)
        starts[tp] = offsets[tp][0] if done is None else done
    # Retention may have deleted records the group never read: the oldest
    # waiting record is then the first one still stored.
    behind = {
        tp: (max(starts[tp], offsets[tp][0]), offsets[tp][1])
        for tp in tps
        if offsets[tp][1] > starts[tp]
    }
    oldest = _oldest_timestamps(reader, behind)
    now = time.time() if now is None else now
    return [
        PartitionLag(
            group=group,
            topic=topic,
            partition=partition,
            committed=committed.get((topic, partition)),
            end=offsets[(topic, partition)][1],
            lag=max(offsets[(topic, partition)][1] - starts[(topic, partition)], 0),
            oldest_age_s=(
                round(max(now - oldest[(topic, partition)] / 1000, 0.0), 3)
                if (topic, partition) in oldest
                else None
            ),
        )
        for topic, partition in tps
    ]


def _committed_topics(admin: AdminClient, group: str, timeout_s: float) -> set[str]:
    request = [ConsumerGroupTopicPartitions(group)]
    try:
        answer = admin.list_consumer_group_offsets(request, request_timeout=timeout_s)[group]
        result = answer.result(timeout=timeout_s)
    except KafkaException as exc:
        raise BrokerUnreachable(f"listing offsets of {group}: {exc.args[0].str()}") from exc
    except TimeoutError as exc:
        raise BrokerUnreachable(f"listing offsets of {group}: no answer in {timeout_s}s") from exc
    return {tp.topic for tp in result.topic_partitions or () if tp.offset >= 0}


def _oldest_timestamps(reader: TopicReader, behind: dict[TP, tuple[int, int]]) -> dict[TP, int]:
    """Timestamp (ms) of the first unprocessed record of each lagging partition."""
    found: dict[TP, int] = {}
    for message in reader.read(behind):
        tp = (message.topic() or "", message.partition() or 0)
        if tp not in found:
            found[tp] = message.timestamp()[1]
        if len(found) == len(behind):
            break
    return found


def run_lag(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    known = app_groups(settings)
    groups = args.group or list(known)
    admin = AdminClient(
        {
            **confluent_config(settings),
            "socket.timeout.ms": max(1000, int(args.timeout * 1000)),
            "log_level": 0,
        }
    )
    rows: list[PartitionLag] = []
    try:
        with TopicReader(confluent_config(settings), timeout_s=args.timeout) as reader:
            for group in groups:
                rows.extend(
                    group_lag(reader, admin, group, known.get(group, ()), timeout_s=args.timeout)
                )
    except BrokerUnreachable as exc:
        print(
            f"photostream lag: broker {settings.bootstrap_servers} unreachable: {exc}",
            file=sys.stderr,
        )
        return 1
    if args.json:
        out.write(orjson.dumps(_document(groups, rows)).decode() + "\n")
    else:
        _table(rows, out)
    return 0


def _document(groups: Sequence[str], rows: Sequence[PartitionLag]) -> dict[str, object]:
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "groups": [
            {
                "group": group,
                "lag": sum(r.lag for r in rows if r.group == group),
                "partitions": [asdict(r) for r in rows if r.group == group],
            }
            for group in groups
        ],
    }


def _table(rows: Sequence[PartitionLag], out: TextIO) -> None:
    header = ("GROUP", "TOPIC", "PART", "COMMITTED", "END", "LAG", "OLDEST")
    lines = [
        (
            r.group,
            r.topic,
            str(r.partition),
            "-" if r.committed is None else str(r.committed),
            str(r.end),
            str(r.lag),
            _age(r.oldest_age_s),
        )
        for r in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    for cells in [header, *lines]:
        out.write("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip() + "\n")


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.1f}s"
    if seconds < 7200:
        return f"{seconds / 60:.1f}m"
    return f"{seconds / 3600:.1f}h"
