"""A redriven record that fails again counts on from its earlier attempts."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas import HEADER_ATTEMPT, HEADER_FIRST_FAILURE_AT
from streams.deadletter import DeadLetter, Failure

FIRST = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _failure(attempt: int) -> Failure:
    return Failure(
        error_class="UnreadablePhoto",
        reason="missing_object",
        message="gone",
        stage="ingest",
        source_topic="photos.uploaded",
        source_partition=0,
        source_offset=5,
        attempt=attempt,
    )


def test_fresh_record_counts_its_own_attempts() -> None:
    letter = DeadLetter.of(_failure(3), key=b"alice", value=b"v", headers=[("trace", b"1")])
    assert letter.header(HEADER_ATTEMPT) == "3"
    assert letter.headers[0] == ("trace", b"1")


def test_redriven_record_adds_to_earlier_attempts_and_keeps_first_failure() -> None:
    redriven = [
        ("trace", b"1"),
        (HEADER_ATTEMPT, b"4"),
        (HEADER_FIRST_FAILURE_AT, FIRST.isoformat().encode()),
    ]
    letter = DeadLetter.of(_failure(1), key=b"alice", value=b"v", headers=redriven)
    assert letter.header(HEADER_ATTEMPT) == "5"
    assert letter.header(HEADER_FIRST_FAILURE_AT) == FIRST.isoformat()
    assert [name for name, _ in letter.headers].count(HEADER_ATTEMPT) == 1


def test_unreadable_earlier_attempt_counts_as_none() -> None:
    letter = DeadLetter.of(_failure(1), key=None, value=None, headers=[(HEADER_ATTEMPT, b"many")])
    assert letter.header(HEADER_ATTEMPT) == "1"
