"""Time -> offset answers checked against the records, including the embedded broker's."""

from __future__ import annotations

import pytest

from streams.ops.time_offsets import first_offset_at

# Offsets 0..9 with timestamps 1000, 1100, ..., 1900.
STAMPS = {offset: 1000 + 100 * offset for offset in range(10)}


def at(offset: int) -> int | None:
    return STAMPS.get(offset)


@pytest.mark.parametrize(
    ("ts", "answer", "expected"),
    [
        (1000, 0, 0),  # the first record
        (1350, 4, 4),  # a correct broker answer is taken
        (1900, 9, 9),  # the last record
        (500, 0, 0),  # earlier than everything: the start
        (5000, -1, 10),  # Apache Kafka: -1 means no record that late
        (5000, 0, 10),  # the embedded broker answers 0 for a future time
        (1350, 0, 4),  # an answer too early (per-batch append time) is corrected
        (1350, 2, 4),
    ],
)
def test_first_offset_at(ts: int, answer: int, expected: int) -> None:
    assert first_offset_at(ts, answer, 0, 10, at) == expected


def test_an_answer_before_the_range_start_is_raised_to_it() -> None:
    assert first_offset_at(1000, 0, 3, 10, at) == 3


def test_empty_partition_is_its_end() -> None:
    assert first_offset_at(1000, 0, 0, 0, lambda _: None) == 0


def test_few_records_are_read_to_check_an_answer() -> None:
    reads: list[int] = []
    stamps = {offset: offset for offset in range(1_000_000)}

    def counting(offset: int) -> int | None:
        reads.append(offset)
        return stamps.get(offset)

    assert first_offset_at(700_000, 0, 0, 1_000_000, counting) == 700_000
    assert len(reads) < 30
