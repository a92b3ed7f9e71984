"""Which records a replay selects, and where it sends them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas import HEADER_ERROR_REASON, HEADER_SOURCE_TOPIC, HEADER_STAGE
from streams.ops.replay import HEADER_REPLAY_SOURCE, backfill_route
from streams.ops.replay_selection import Selection, clip
from streams.settings import Settings
from streams.topics import topic_names

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
MS0 = int(T0.timestamp() * 1000)
TOPICS = topic_names(Settings())


@pytest.mark.parametrize(
    ("selection", "key", "headers", "ts", "wanted"),
    [
        (Selection("t"), b"alice", [], MS0, True),
        (Selection("t", users=frozenset({"alice"})), b"alice", [], MS0, True),
        (Selection("t", users=frozenset({"alice"})), b"bob", [], MS0, False),
        (Selection("t", users=frozenset({"alice"})), None, [], MS0, False),
        (
            Selection("t", reasons=frozenset({"missing_object"})),
            b"a",
            [(HEADER_ERROR_REASON, b"missing_object")],
            MS0,
            True,
        ),
        (
            Selection("t", reasons=frozenset({"missing_object"})),
            b"a",
            [(HEADER_ERROR_REASON, b"truncated")],
            MS0,
            False,
        ),
        (Selection("t", reasons=frozenset({"truncated"})), b"a", [], MS0, False),
        (Selection("t", since=T0), b"a", [], MS0, True),
        (Selection("t", since=T0), b"a", [], MS0 - 1, False),
        (Selection("t", until=T0), b"a", [], MS0, False),
        (Selection("t", until=T0), b"a", [], MS0 - 1, True),
    ],
)
def test_selection_wants(
    selection: Selection,
    key: bytes | None,
    headers: list[tuple[str, bytes]],
    ts: int,
    wanted: bool,
) -> None:
    assert selection.wants(key, headers, ts) is wanted


def test_clip_narrows_stored_ranges_by_partition_offsets_and_times() -> None:
    stored = {0: (0, 100), 1: (10, 20), 2: (0, 0), 3: (0, 50)}
    selection = Selection("t", partitions=(0, 1, 2), from_offset=15, to_offset=60)
    assert clip(stored, selection) == {0: (15, 60), 1: (15, 20), 2: (15, 15)}
    times = {0: (30, 40), 1: (20, 20), 2: (0, 0)}
    assert clip(stored, Selection("t", partitions=(0, 1, 2)), times) == {
        0: (30, 40),
        1: (20, 20),
        2: (0, 0),
    }


def test_clip_never_yields_a_negative_range() -> None:
    assert clip({0: (0, 100)}, Selection("t", from_offset=80, to_offset=20)) == {0: (80, 80)}


def test_upload_lanes_route_to_backfill_with_the_envelope_dropped() -> None:
    route = backfill_route(TOPICS)
    assert route(TOPICS.uploaded, [("trace", b"1")]) == [("trace", b"1")]
    assert route(TOPICS.uploaded_backfill, [(HEADER_REPLAY_SOURCE, b"x")]) == []
    assert route(TOPICS.metadata, []) is None


def test_dead_letters_route_only_when_they_came_from_an_upload_lane() -> None:
    route = backfill_route(TOPICS)
    envelope = [
        ("trace", b"1"),
        (HEADER_ERROR_REASON, b"missing_object"),
        (HEADER_STAGE, b"ingest"),
    ]
    from_upload = [*envelope, (HEADER_SOURCE_TOPIC, TOPICS.uploaded.encode())]
    from_backfill = [*envelope, (HEADER_SOURCE_TOPIC, TOPICS.uploaded_backfill.encode())]
    from_vision = [*envelope, (HEADER_SOURCE_TOPIC, TOPICS.vision_requested.encode())]
    assert route(TOPICS.deadletter, from_upload) == [("trace", b"1")]
    assert route(TOPICS.deadletter, from_backfill) == [("trace", b"1")]
    assert route(TOPICS.deadletter, from_vision) is None
