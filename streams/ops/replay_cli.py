"""``photostream replay``: select upload events and re-publish them, or rewind a worker group.

Exit status: 0 done (or nothing to do), 1 the replay failed or was refused,
2 bad arguments, 130 interrupted (the checkpoint holds where it stopped).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from confluent_kafka.admin import AdminClient

from processors.events import EXTRACTOR_VERSION

from ..kafka_security import confluent_config
from ..settings import Settings
from ..topics import TopicNames, topic_names
from ..worker import consumer_group
from .checkpoint import Checkpoint, CheckpointMismatch
from .ledger import STEP_INGEST, STEP_VISION
from .progress import Progress
from .rate_limit import TokenBucket
from .replay import (
    ReplayError,
    backfill_route,
    iso,
    new_producer,
    outdated_entries,
    plan_ranges,
    republish,
    republish_entries,
    reset_offsets,
    summarize,
)
from .replay_selection import Ranges, Selection
from .time_offsets import TimeLookup
from .topic_reader import BrokerUnreachable, TopicReader, UnknownTopic

__all__ = ["add_arguments", "main"]

EXIT_INTERRUPTED = 130


def add_arguments(parser: argparse.ArgumentParser) -> None:
    select = parser.add_argument_group("selection")
    select.add_argument(
        "--topic",
        help="topic to read: a name (photos.uploaded) or its field (uploaded, deadletter); "
        "default: uploaded, or deadletter with --reason",
    )
    select.add_argument(
        "--partition", type=int, action="append", dest="partitions", default=[], metavar="N"
    )
    select.add_argument("--from-offset", type=int, metavar="N", help="first offset (inclusive)")
    select.add_argument("--to-offset", type=int, metavar="N", help="end offset (exclusive)")
    select.add_argument(
        "--since", type=_moment, metavar="TIME", help="ISO-8601 (inclusive); naive = UTC"
    )
    select.add_argument(
        "--until", type=_moment, metavar="TIME", help="ISO-8601 (exclusive); naive = UTC"
    )
    select.add_argument("--user", action="append", dest="users", default=[], metavar="ID")
    select.add_argument(
        "--reason",
        action="append",
        dest="reasons",
        default=[],
        metavar="REASON",
        help="dead-letter reason (ps.error.reason), e.g. missing_object",
    )
    select.add_argument(
        "--outdated",
        choices=(STEP_VISION, STEP_INGEST),
        help="photos whose step ran at another version than this worker's (from photos.ledger)",
    )
    mode = parser.add_argument_group("mode")
    mode.add_argument(
        "--reset",
        action="store_true",
        help="rewind the worker group's committed offsets instead of re-publishing "
        "(its workers must be stopped)",
    )
    mode.add_argument("--group", help="group to reset; default: the ingest+curate workers' group")
    mode.add_argument("--dry-run", action="store_true", help="print what would be replayed")
    mode.add_argument("--rate", type=float, metavar="N", help="at most N records per second")
    mode.add_argument(
        "--checkpoint", type=Path, metavar="PATH", help="progress file; rerun to continue"
    )


def _moment(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _topic(topics: TopicNames, raw: str | None, reasons: list[str]) -> str:
    if raw is None:
        return topics.deadletter if reasons else topics.uploaded
    field = raw.replace("-", "_")
    return str(getattr(topics, field)) if field.isidentifier() and hasattr(topics, field) else raw


def main(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    try:
        return _run(args, settings, out, err)
    except (ReplayError, CheckpointMismatch, BrokerUnreachable, UnknownTopic) as exc:
        message = f"unknown topic {exc}" if isinstance(exc, UnknownTopic) else str(exc)
        print(f"photostream replay: {message}", file=err)
        return 1


def _run(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    topics = topic_names(settings)
    if args.outdated:
        return _outdated(args, settings, topics, out, err)
    selection = Selection(
        topic=_topic(topics, args.topic, args.reasons),
        partitions=tuple(sorted(set(args.partitions))),
        from_offset=args.from_offset,
        to_offset=args.to_offset,
        since=args.since,
        until=args.until,
        users=frozenset(args.users),
        reasons=frozenset(args.reasons),
    )
    if args.reset:
        return _reset(args, settings, selection, out)
    route = backfill_route(topics)
    if route(selection.topic, []) is None and selection.topic != topics.deadletter:
        print(
            f"photostream replay: re-publishing takes upload events ({topics.uploaded}, "
            f"{topics.uploaded_backfill} or {topics.deadletter}), not {selection.topic}; "
            "use --reset to rewind a group on another topic",
            file=err,
        )
        return 2
    with TopicReader(confluent_config(settings)) as reader:
        plan = {"mode": "republish", "selection": selection.describe()}
        checkpoint = Checkpoint.load(args.checkpoint, plan) if args.checkpoint else None
        if checkpoint is None:
            with TimeLookup(confluent_config(settings)) as lookup:
                ranges = plan_ranges(reader, lookup, selection)
            checkpoint = Checkpoint(args.checkpoint, plan, ranges)
        elif checkpoint.complete:
            print(f"replay already complete ({checkpoint.published} published)", file=out)
            return 0
        if args.dry_run:
            _print_summary(reader, selection, checkpoint.remaining(), topics, out)
            return 0
        total = sum(end - start for start, end in checkpoint.remaining().values())
        progress = Progress(total, err)
        producer = new_producer(confluent_config(settings))
        with _stop_on_signals() as stop:
            result = republish(
                reader,
                producer,
                selection,
                checkpoint,
                target=topics.uploaded_backfill,
                route=route,
                stop=stop,
                progress=progress,
                limiter=TokenBucket(args.rate) if args.rate else None,
            )
    skipped = f", {result.skipped} skipped (not upload events)" if result.skipped else ""
    if result.interrupted:
        progress.finish(
            f"interrupted after {result.published} published{skipped}; "
            + (
                f"checkpoint {args.checkpoint} saved, rerun the same command to continue"
                if args.checkpoint
                else "no --checkpoint, so a rerun starts over (repeats are harmless)"
            )
        )
        return EXIT_INTERRUPTED
    progress.finish(f"done: {result.published} published to {topics.uploaded_backfill}{skipped}")
    return 0


def _print_summary(
    reader: TopicReader, selection: Selection, ranges: Ranges, topics: TopicNames, out: TextIO
) -> None:
    summary, skipped = summarize(reader, selection, ranges, backfill_route(topics))
    print(f"would re-publish from {selection.topic} to {topics.uploaded_backfill}:", file=out)
    firsts = [s.first_ms for s in summary.values() if s.first_ms is not None]
    lasts = [s.last_ms for s in summary.values() if s.last_ms is not None]
    for partition, part in sorted(summary.items()):
        offsets = f"offsets {part.first_offset}-{part.last_offset}" if part.count else "nothing"
        print(
            f"  partition {partition}: {part.count} records ({offsets}), "
            f"{iso(part.first_ms)} .. {iso(part.last_ms)}",
            file=out,
        )
    total = sum(part.count for part in summary.values())
    span = ""
    if firsts and lasts:
        span = (
            f", {iso(min(firsts))} .. {iso(max(lasts))} ({(max(lasts) - min(firsts)) / 1000:.1f}s)"
        )
    print(f"  total: {total} records in {len(summary)} partitions{span}", file=out)
    if skipped:
        print(f"  skipped: {skipped} (not upload events; see photostream deadletter)", file=out)


def _reset(args: argparse.Namespace, settings: Settings, selection: Selection, out: TextIO) -> int:
    if selection.users or selection.reasons:
        raise ReplayError(
            "--reset rewinds whole partitions; to replay single users or reasons, "
            "re-publish (drop --reset)"
        )
    if selection.to_offset is not None or selection.until is not None:
        raise ReplayError(
            "--reset re-reads from the start of the range to the end of each partition; "
            "--to-offset and --until need re-publishing (drop --reset)"
        )
    group = args.group or consumer_group(settings, ("ingest", "curate"))
    with TopicReader(confluent_config(settings)) as reader:
        with TimeLookup(confluent_config(settings)) as lookup:
            ranges = plan_ranges(reader, lookup, selection)
        committed = reader.committed(group, [(selection.topic, p) for p in ranges])
    verb = "would reset" if args.dry_run else "reset"
    print(f"{verb} group {group} on {selection.topic}:", file=out)
    for partition, (start, end) in sorted(ranges.items()):
        now = committed.get((selection.topic, partition))
        print(
            f"  partition {partition}: {'-' if now is None else now} -> {start} "
            f"({end - start} records to re-read)",
            file=out,
        )
    if args.dry_run:
        return 0
    admin = AdminClient({**confluent_config(settings), "log_level": 0})
    reset_offsets(admin, group, selection.topic, ranges)
    print(f"done: start the workers of {group} to re-read", file=out)
    return 0


def _outdated(
    args: argparse.Namespace, settings: Settings, topics: TopicNames, out: TextIO, err: TextIO
) -> int:
    if args.reset:
        raise ReplayError(
            "--outdated re-publishes single photos; it cannot be combined with --reset"
        )
    current = settings.vision_model_version if args.outdated == STEP_VISION else EXTRACTOR_VERSION
    with TopicReader(confluent_config(settings)) as reader:
        entries = outdated_entries(reader, topics, args.outdated, current)
    if args.users:
        entries = [e for e in entries if e.user_id in set(args.users)]
    if args.dry_run:
        users = len({e.user_id for e in entries})
        print(
            f"would re-publish {len(entries)} photos of {users} users whose {args.outdated} "
            f"version is not {current} to {topics.uploaded_backfill}",
            file=out,
        )
        return 0
    # The ledger is this mode's checkpoint: a photo leaves the selection once
    # its step has run at the current version, so a rerun continues.
    progress = Progress(len(entries), err)
    with _stop_on_signals() as stop:
        result = republish_entries(
            new_producer(confluent_config(settings)),
            entries,
            target=topics.uploaded_backfill,
            reason=f"outdated:{args.outdated}:{current}",
            stop=stop,
            progress=progress,
            limiter=TokenBucket(args.rate) if args.rate else None,
        )
    if result.interrupted:
        progress.finish(f"interrupted after {result.published} published; rerun to continue")
        return EXIT_INTERRUPTED
    progress.finish(f"done: {result.published} published to {topics.uploaded_backfill}")
    return 0


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """SIGINT and SIGTERM ask the replay to stop at the next record boundary."""
    stop = threading.Event()

    def handler(_signum: int, _frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
