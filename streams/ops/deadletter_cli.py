"""``photostream deadletter list|show|redrive``: inspect the dead-letter topic and drain it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any, TextIO

import orjson

from schemas import Codec, to_json

from ..kafka_security import confluent_config
from ..records import header_pairs
from ..registry_client import registry_from_settings
from ..settings import Settings
from ..topics import topic_names
from .deadletter_entry import DeadLetterEntry
from .deadletter_filter import DeadLetterFilter, FilterError, parse_position
from .redrive import RedriveFailed, plan_redrive, redrive
from .topic_reader import BrokerUnreachable, TopicReader, UnknownTopic

__all__ = ["run_deadletter"]

_HEX_PREVIEW_BYTES = 64


def run_deadletter(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    topic = topic_names(settings).deadletter
    try:
        with TopicReader(confluent_config(settings), timeout_s=args.timeout) as reader:
            if args.action == "show":
                return _show(settings, reader, topic, args, out)
            selection = _filter(args)
            if args.action == "list":
                return _list(reader, topic, selection, json_lines=args.json, out=out)
            return _redrive(settings, reader, topic, selection, args, out)
    except FilterError as exc:
        print(f"photostream deadletter: {exc}", file=sys.stderr)
        return 2
    except UnknownTopic as exc:
        print(f"photostream deadletter: no topic {exc} (run `photostream topics`)", file=sys.stderr)
        return 1
    except BrokerUnreachable as exc:
        print(f"photostream deadletter: broker unreachable: {exc}", file=sys.stderr)
        return 1
    except RedriveFailed as exc:
        print(f"photostream deadletter: redrive incomplete: {exc}", file=sys.stderr)
        return 1


def _filter(args: argparse.Namespace) -> DeadLetterFilter:
    return DeadLetterFilter.parse(
        reasons=args.reason,
        stages=args.stage,
        users=args.user,
        source_topics=args.source_topic,
        since=args.since,
        until=args.until,
        positions=args.at,
    )


def _entries(reader: TopicReader, topic: str) -> Iterator[DeadLetterEntry]:
    for message in reader.read_topic(topic):
        _, timestamp_ms = message.timestamp()
        yield DeadLetterEntry.of(
            partition=message.partition() or 0,
            offset=message.offset() or 0,
            timestamp_ms=timestamp_ms,
            key=message.key(),
            value=message.value(),
            headers=header_pairs(message.headers()),
        )


def _in_order(entries: list[DeadLetterEntry]) -> list[DeadLetterEntry]:
    return sorted(entries, key=lambda e: (e.time, e.partition, e.offset))


def _list(
    reader: TopicReader, topic: str, selection: DeadLetterFilter, *, json_lines: bool, out: TextIO
) -> int:
    for entry in _in_order([e for e in _entries(reader, topic) if selection.matches(e)]):
        if json_lines:
            out.write(orjson.dumps(entry.summary()).decode() + "\n")
        else:
            out.write(entry.summary_line() + "\n")
    return 0


def _show(
    settings: Settings, reader: TopicReader, topic: str, args: argparse.Namespace, out: TextIO
) -> int:
    partition, offset = parse_position(args.position)
    found = [
        entry
        for entry in _entries(reader, topic)
        if (entry.partition, entry.offset) == (partition, offset)
    ]
    if not found:
        print(f"photostream deadletter: no record at {args.position} in {topic}", file=sys.stderr)
        return 1
    view = _full_view(found[0], Codec(registry_from_settings(settings)))
    if args.json:
        out.write(orjson.dumps(view).decode() + "\n")
        return 0
    for name, value in view.items():
        if isinstance(value, dict):
            out.write(f"{name}:\n")
            for inner, text in value.items():
                out.write(f"  {inner}: {text}\n")
        else:
            out.write(f"{name}: {value}\n")
    return 0


def _full_view(entry: DeadLetterEntry, codec: Codec) -> dict[str, Any]:
    view: dict[str, Any] = {
        **entry.summary(),
        "message": entry.message,
        "first_failure_at": entry.first_failure_at,
        "last_failure_at": entry.last_failure_at,
        "envelope": dict(entry.envelope),
        "original_headers": {
            name: value.decode("utf-8", "replace") for name, value in entry.original_headers
        },
        "value_size": None if entry.value is None else len(entry.value),
    }
    if entry.value is None:
        view["value"] = None
        return view
    try:
        view["event"] = orjson.loads(to_json(codec.decode(entry.value)))
    except Exception as exc:  # noqa: BLE001 - a dead letter is often undecodable by nature
        view["decode_error"] = f"{type(exc).__name__}: {exc}"
        view["value_hex"] = entry.value[:_HEX_PREVIEW_BYTES].hex()
    return view


def _redrive(
    settings: Settings,
    reader: TopicReader,
    topic: str,
    selection: DeadLetterFilter,
    args: argparse.Namespace,
    out: TextIO,
) -> int:
    if selection == DeadLetterFilter() and not args.all:
        raise FilterError("redrive needs a filter (--reason, --user, --at...) or --all")
    everything = list(_entries(reader, topic))
    plan = plan_redrive(
        _in_order([e for e in everything if selection.matches(e)]),
        max_attempts=args.max_attempts,
        everything=everything,
    )
    per_topic = ", ".join(f"{name}={count}" for name, count in sorted(plan.per_topic().items()))
    verb = "would redrive" if args.dry_run else "redriven"
    if not args.dry_run and plan.send:
        redrive(confluent_config(settings), plan.send)
    out.write(f"{verb} {len(plan.send)} record(s){': ' + per_topic if per_topic else ''}\n")
    if plan.exhausted:
        out.write(
            f"skipped {len(plan.exhausted)} record(s) that failed {args.max_attempts}+ times: "
            + " ".join(entry.position for entry in plan.exhausted)
            + "\n"
        )
    if plan.superseded:
        out.write(
            f"skipped {len(plan.superseded)} record(s) redriven before and dead-lettered again"
            " (their newer dead letter is redriven instead): "
            + " ".join(entry.position for entry in plan.superseded)
            + "\n"
        )
    if plan.unroutable:
        out.write(
            f"skipped {len(plan.unroutable)} record(s) without a source topic: "
            + " ".join(entry.position for entry in plan.unroutable)
            + "\n"
        )
    return 0
