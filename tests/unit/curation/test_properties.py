"""Arrival order and repeats do not matter: property tests over generated uploads.

Inputs are drawn so that everything interacts: photos close in time (events,
bursts), at home, near home and far away across two months and two years
(trips, home inference, memories), shared bytes and similar pHashes (stacks),
NSFW and unscored photos (best-of, covers), corrected capture times, scores
before metadata, deletions before and after everything else, and ticks.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processors.curation import (
    ConsumerFold,
    CurationInput,
    CurationSettings,
    UserState,
    apply,
    materialise,
    view_of,
)
from schemas import validate

SMALL = CurationSettings(
    event_min_photos=2,
    trip_min_photos=2,
    best_of_min_photos=1,
    best_of_size=2,
    highlights_per_day=1,
    on_this_day_keep_days=2,
    home_window_months=1,
)
_BASE = datetime(2024, 5, 1, tzinfo=UTC)
_PHASHES = (
    0x0F0F_0F0F_0F0F_0F0F,
    0x0F0F_0F0F_0F0F_0F0E,
    0x0F0F_0F0F_0F0F_00FF,
    0xF0F0_1234_5678_9ABC,
)
_FAST = settings(
    max_examples=int(os.environ.get("CURATION_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def _photo(draw: st.DrawFn, make: Any, index: int) -> list[CurationInput]:
    pid = f"p{index}"
    year = draw(st.sampled_from((0, 0, 0, -1)))
    when = _BASE.replace(year=_BASE.year + year) + timedelta(
        days=draw(st.sampled_from((0, 1, 2, 3, 15, 35))),
        hours=draw(st.sampled_from((8, 9, 11, 20))),
        seconds=draw(st.sampled_from((0, 4, 30))),
    )
    place = draw(
        st.sampled_from((make.LISBON, make.LISBON, make.SINTRA, make.PORTO, make.TOKYO, None))
    )
    offset = draw(st.sampled_from((0, 60, 540, None)))
    sha = draw(st.sampled_from((None, None, None, "ab" * 32)))
    size = draw(st.sampled_from(((4000, 3000), (1000, 800))))
    inputs: list[CurationInput] = []
    if draw(st.integers(0, 5)) > 0:  # sometimes only the scores arrive
        inputs.append(make.meta(pid, when, place=place, offset=offset, sha=sha, size=size))
    if draw(st.integers(0, 4)) == 0:
        moved = when + timedelta(days=draw(st.sampled_from((-1, 1, 31))))
        inputs.append(make.meta(pid, moved, place=place, offset=offset, version="metadata-2"))
    if draw(st.integers(0, 4)) > 0:
        quality = draw(st.sampled_from((None, 0.2, 0.5, 0.9)))
        phash = draw(st.sampled_from((None, *_PHASHES)))
        nsfw = draw(st.sampled_from((0.0, 0.0, 0.0, 0.97)))
        inputs.append(make.score(pid, quality, phash=phash, nsfw=nsfw))
    if draw(st.integers(0, 5)) == 0:
        inputs.append(make.delete(pid))
    return inputs or [make.meta(pid, when, place=place, offset=offset, sha=sha, size=size)]


@st.composite
def _uploads(draw: st.DrawFn, make: Any) -> list[CurationInput]:
    count = draw(st.integers(1, 12))
    inputs = [event for i in range(count) for event in draw(_photo(make, i))]
    if draw(st.booleans()):  # a few days away
        where = draw(st.sampled_from((make.PORTO, make.TOKYO)))
        for day in draw(st.lists(st.sampled_from((1, 2, 3, 4)), min_size=1, max_size=3)):
            hour = draw(st.sampled_from((7, 12, 19)))
            when = _BASE + timedelta(days=day, hours=hour)
            inputs.append(make.meta(f"away{day}{hour}", when, place=where, offset=540))
    if draw(st.booleans()):  # everyday life at home, so that home is Lisbon
        for day in (10, 12, 14, 16, 18):
            inputs.append(make.meta(f"home{day}", _BASE + timedelta(days=day), place=make.LISBON))
    for _ in range(draw(st.integers(0, 2))):
        day = draw(st.sampled_from((0, 1, 2, 3, 15, 35)))
        inputs.append(make.tick(date(2024, 5, 1) + timedelta(days=day)))
    repeats = draw(st.lists(st.sampled_from(inputs), max_size=3))
    return inputs + repeats


def _run_checked(order: list[CurationInput]) -> tuple[UserState, ConsumerFold]:
    """Apply in order, checking after every step that the outputs describe the state."""
    state = UserState.new("alice", SMALL)
    consumer = ConsumerFold()
    for event in order:
        state, outputs = apply(state, event, SMALL)
        for record in outputs:
            validate(record)
            assert consumer.apply(record), "an input emitted the same event twice"
        assert consumer.view == view_of(state)
        assert view_of(UserState.from_bytes(state.to_bytes())) == view_of(state)
    return state, consumer


@_FAST
@given(data=st.data())
def test_any_arrival_order_ends_in_the_same_timeline_and_albums(make: Any, data: Any) -> None:
    inputs = data.draw(_uploads(make))
    expected = materialise(inputs, SMALL)
    for _ in range(2):
        order = data.draw(st.permutations(inputs))
        state, consumer = _run_checked(order)
        assert view_of(state) == expected
        assert consumer.view == expected


@_FAST
@given(data=st.data())
def test_processing_any_input_again_emits_nothing(make: Any, data: Any) -> None:
    inputs = data.draw(_uploads(make))
    state, _ = _run_checked(data.draw(st.permutations(inputs)))
    before = view_of(state)
    for event in data.draw(st.permutations(inputs)):
        state, outputs = apply(state, event, SMALL)
        assert outputs == []
    assert view_of(state) == before


@_FAST
@given(data=st.data())
def test_the_same_state_and_input_give_byte_identical_outputs(make: Any, data: Any) -> None:
    inputs = data.draw(_uploads(make))
    cut = data.draw(st.integers(0, len(inputs) - 1))
    state, _ = _run_checked(inputs[:cut])
    saved = state.to_bytes()
    _, first = apply(state, inputs[cut], SMALL)
    _, again = apply(UserState.from_bytes(saved), inputs[cut], SMALL)
    assert [r.to_avro_dict() for r in again] == [r.to_avro_dict() for r in first]


@_FAST
@given(data=st.data())
def test_state_stored_as_entries_rebuilds_to_the_same_state(make: Any, data: Any) -> None:
    inputs = data.draw(_uploads(make))
    cut = data.draw(st.integers(0, len(inputs)))
    state = UserState.new("alice", SMALL)
    table: dict[str, bytes] = {}
    for event in [None, *inputs[:cut]]:
        if event is not None:
            state, _ = apply(state, event, SMALL)
        for key, value in state.take_changes().items():
            if value is None:
                table.pop(key, None)
            else:
                table[key] = value
    assert table == dict(state.entries())
    rebuilt = UserState.from_entries("alice", table.items())
    assert view_of(rebuilt) == view_of(state)
    for event in inputs[cut:]:
        state, expected = apply(state, event, SMALL)
        rebuilt, outputs = apply(rebuilt, event, SMALL)
        assert outputs == expected
