"""Filters of `photostream deadletter`: how times, positions and criteria are read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas import (
    HEADER_ATTEMPT,
    HEADER_ERROR_CLASS,
    HEADER_ERROR_REASON,
    HEADER_SOURCE_OFFSET,
    HEADER_SOURCE_PARTITION,
    HEADER_SOURCE_TOPIC,
    HEADER_STAGE,
)
from streams.ops.deadletter_entry import DeadLetterEntry
from streams.ops.deadletter_filter import (
    DeadLetterFilter,
    FilterError,
    parse_position,
    parse_time,
)

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", NOW - timedelta(hours=2)),
        ("30m", NOW - timedelta(minutes=30)),
        ("45s", NOW - timedelta(seconds=45)),
        ("7d", NOW - timedelta(days=7)),
        ("1w", NOW - timedelta(weeks=1)),
        ("1.5h", NOW - timedelta(minutes=90)),
        (" 2H ", NOW - timedelta(hours=2)),
        ("2024-04-30T08:15:00Z", datetime(2024, 4, 30, 8, 15, tzinfo=UTC)),
        ("2024-04-30T10:15:00+02:00", datetime(2024, 4, 30, 8, 15, tzinfo=UTC)),
        ("2024-04-30T08:15:00", datetime(2024, 4, 30, 8, 15, tzinfo=UTC)),
        ("2024-04-30", datetime(2024, 4, 30, tzinfo=UTC)),
    ],
)
def test_times_are_iso_or_relative_ages(text: str, expected: datetime) -> None:
    assert parse_time(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "2 hours", "-2h", "h", "2024-13-01", ""])
def test_unreadable_times_say_what_is_expected(text: str) -> None:
    with pytest.raises(FilterError, match="ISO-8601"):
        parse_time(text, now=NOW)


@pytest.mark.parametrize(("text", "expected"), [("2:117", (2, 117)), ("0:0", (0, 0))])
def test_positions(text: str, expected: tuple[int, int]) -> None:
    assert parse_position(text) == expected


@pytest.mark.parametrize("text", ["2", "2:", ":5", "a:1", "1:-1", "1:2:3"])
def test_bad_positions(text: str) -> None:
    with pytest.raises(FilterError, match="PARTITION:OFFSET"):
        parse_position(text)


def test_since_must_come_before_until() -> None:
    with pytest.raises(FilterError, match="not before"):
        DeadLetterFilter.parse(since="1h", until="2h", now=NOW)


def _entry(
    *,
    reason: str = "missing_object",
    error_class: str = "UnreadablePhoto",
    stage: str = "ingest",
    user: str = "alice",
    at: datetime = NOW - timedelta(minutes=10),
    partition: int = 1,
    offset: int = 7,
) -> DeadLetterEntry:
    return DeadLetterEntry.of(
        partition=partition,
        offset=offset,
        timestamp_ms=int(at.timestamp() * 1000),
        key=user.encode(),
        value=b"\x00",
        headers=[
            ("trace", b"t-1"),
            (HEADER_ERROR_CLASS, error_class.encode()),
            (HEADER_ERROR_REASON, reason.encode()),
            (HEADER_STAGE, stage.encode()),
            (HEADER_SOURCE_TOPIC, b"photos.uploaded"),
            (HEADER_SOURCE_PARTITION, b"3"),
            (HEADER_SOURCE_OFFSET, b"42"),
            (HEADER_ATTEMPT, b"2"),
        ],
    )


def test_entry_splits_envelope_from_original_headers() -> None:
    entry = _entry()
    assert entry.original_headers == (("trace", b"t-1"),)
    assert (entry.source_topic, entry.source_partition, entry.source_offset) == (
        "photos.uploaded",
        3,
        42,
    )
    assert entry.attempts == 2
    assert entry.user == "alice"
    assert entry.position == "1:7"


@pytest.mark.parametrize(
    ("criteria", "matches"),
    [
        ({}, True),
        ({"reasons": ["missing_object"]}, True),
        ({"reasons": ["UnreadablePhoto"]}, True),  # the error class counts as a reason
        ({"reasons": ["truncated,missing_object"]}, True),
        ({"reasons": ["truncated"]}, False),
        ({"stages": ["ingest"]}, True),
        ({"stages": ["curate"]}, False),
        ({"users": ["alice", "bob"]}, True),
        ({"users": ["bob"]}, False),
        ({"source_topics": ["photos.uploaded"]}, True),
        ({"source_topics": ["photos.metadata"]}, False),
        ({"since": "1h"}, True),
        ({"since": "5m"}, False),
        ({"until": "5m"}, True),
        ({"until": "1h"}, False),
        ({"since": "1h", "until": "5m"}, True),
        ({"positions": ["1:7"]}, True),
        ({"positions": ["1:8", "0:7"]}, False),
        ({"reasons": ["missing_object"], "users": ["bob"]}, False),  # every criterion must hold
    ],
)
def test_filter_matches(criteria: dict[str, object], matches: bool) -> None:
    selection = DeadLetterFilter.parse(now=NOW, **criteria)  # type: ignore[arg-type]
    assert selection.matches(_entry()) is matches


def test_since_is_inclusive_and_until_exclusive() -> None:
    at = NOW - timedelta(hours=1)
    entry = _entry(at=at)
    assert DeadLetterFilter.parse(since=at.isoformat(), now=NOW).matches(entry)
    assert not DeadLetterFilter.parse(until=at.isoformat(), now=NOW).matches(entry)
