"""Which dead letters redrive sends back, and the headers it sends them with."""

from __future__ import annotations

from schemas import (
    HEADER_ATTEMPT,
    HEADER_FIRST_FAILURE_AT,
    HEADER_SOURCE_OFFSET,
    HEADER_SOURCE_PARTITION,
    HEADER_SOURCE_TOPIC,
)
from streams.ops.deadletter_entry import HEADER_REDRIVE_OF, DeadLetterEntry
from streams.ops.redrive import plan_redrive, redrive_headers


def _entry(
    offset: int,
    *,
    attempts: int = 1,
    redrive_of: str | None = None,
    source: bool = True,
) -> DeadLetterEntry:
    headers = [("trace", b"t")]
    if redrive_of:
        headers.append((HEADER_REDRIVE_OF, redrive_of.encode()))
    if source:
        headers += [
            (HEADER_SOURCE_TOPIC, b"photos.uploaded"),
            (HEADER_SOURCE_PARTITION, b"2"),
            (HEADER_SOURCE_OFFSET, b"9"),
        ]
    headers += [
        (HEADER_ATTEMPT, str(attempts).encode()),
        (HEADER_FIRST_FAILURE_AT, b"2024-05-01T12:00:00+00:00"),
    ]
    return DeadLetterEntry.of(
        partition=0, offset=offset, timestamp_ms=0, key=b"alice", value=b"v", headers=headers
    )


def test_plan_sends_fresh_letters_and_leaves_exhausted_superseded_and_unroutable() -> None:
    fresh = _entry(1)
    first = _entry(2)
    again = _entry(3, attempts=2, redrive_of="0:2")
    worn = _entry(4, attempts=5)
    lost = _entry(5, source=False)
    plan = plan_redrive([fresh, first, again, worn, lost], max_attempts=5)
    assert plan.send == [fresh, again]
    assert plan.superseded == [first]
    assert plan.exhausted == [worn]
    assert plan.unroutable == [lost]
    assert plan.per_topic() == {"photos.uploaded": 2}


def test_supersession_is_judged_on_the_whole_topic_not_just_the_selection() -> None:
    first = _entry(2)
    again = _entry(3, attempts=2, redrive_of="0:2")
    plan = plan_redrive([first], max_attempts=5, everything=[first, again])
    assert plan.send == []
    assert plan.superseded == [first]


def test_redriven_record_keeps_its_headers_and_carries_attempts_and_origin() -> None:
    headers = redrive_headers(_entry(3, attempts=2, redrive_of="0:2"))
    assert headers == [
        ("trace", b"t"),
        (HEADER_REDRIVE_OF, b"0:3"),
        (HEADER_ATTEMPT, b"2"),
        (HEADER_FIRST_FAILURE_AT, b"2024-05-01T12:00:00+00:00"),
    ]
