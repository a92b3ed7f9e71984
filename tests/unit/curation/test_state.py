"""Storing the state, changing the settings, and a user with many photos."""

from __future__ import annotations

import gc
import random
import tracemalloc
import zlib
from datetime import timedelta
from typing import Any

import orjson
import pytest

from processors.curation import (
    ConsumerFold,
    CurationSettings,
    UserState,
    apply,
    materialise,
    view_of,
)

#: Documented in BENCHMARKS.md; these are ceilings with headroom, not the measurements.
MAX_STORED_BYTES_PER_PHOTO = 160
MAX_MEMORY_BYTES_PER_PHOTO = 1_400


def test_state_survives_a_round_trip_through_bytes(make: Any, synthetic: Any) -> None:
    inputs = synthetic.inputs_for("alice", 600, seed=3)
    state, _ = make.run(inputs)
    loaded = UserState.from_bytes(state.to_bytes())
    assert view_of(loaded) == view_of(state)
    assert (loaded.settings, loaded.ticks, loaded.deleted) == (
        state.settings,
        state.ticks,
        state.deleted,
    )


def test_state_of_another_format_version_is_refused() -> None:
    data = zlib.compress(orjson.dumps({"v": 999}))
    with pytest.raises(ValueError, match="version"):
        UserState.from_bytes(data)


def test_new_settings_emit_the_changes_that_bring_consumers_along(
    make: Any, synthetic: Any
) -> None:
    inputs = synthetic.inputs_for("alice", 400, seed=4)
    strict = CurationSettings(event_min_photos=8, best_of_size=5, highlights_per_day=1)
    loose = CurationSettings(event_min_photos=2, best_of_size=10, highlights_per_day=4)
    state, outputs = make.run(inputs[:-1], strict)
    consumer = ConsumerFold()
    for record in outputs:
        consumer.apply(record)
    state, outputs = apply(state, inputs[-1], loose)
    for record in outputs:
        consumer.apply(record)
    assert state.settings == loose
    assert consumer.view == materialise(inputs, loose)
    assert consumer.view != materialise(inputs, strict)


def test_a_user_with_many_photos_imported_out_of_order(synthetic: Any) -> None:
    """20k photos arrive shuffled (an old phone's bulk import): same result, bounded state."""
    inputs = synthetic.inputs_for("big", 20_000, seed=7)
    random.Random(7).shuffle(inputs)
    state = UserState.new("big")
    for event in inputs:
        state, _ = apply(state, event)
    assert view_of(state) == materialise(inputs)

    data = state.to_bytes()
    photos = state.photo_count
    assert photos > 19_000
    assert len(data) / photos < MAX_STORED_BYTES_PER_PHOTO
    del state
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        loaded = UserState.from_bytes(data)
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert used / loaded.photo_count < MAX_MEMORY_BYTES_PER_PHOTO
    kinds = {album.kind for album in loaded.albums.values()}
    assert len(kinds) == 6  # every kind of album shows up in a real-looking library


def test_settings_reject_values_that_make_no_sense() -> None:
    with pytest.raises(ValueError):
        CurationSettings(event_gap=timedelta(hours=-1))
    with pytest.raises(ValueError):
        CurationSettings(best_of_size=3, best_of_min_photos=5)
    with pytest.raises(ValueError):
        CurationSettings(stack_phash_distance=65)


def test_settings_round_trip_through_plain_values() -> None:
    custom = CurationSettings(event_gap=timedelta(minutes=90), best_of_min_quality=0.4)
    assert CurationSettings.from_dict(orjson.loads(orjson.dumps(custom.to_dict()))) == custom


def test_defaults_are_what_photo_apps_use() -> None:
    defaults = CurationSettings()
    assert defaults.event_gap == timedelta(hours=3)
    assert defaults.trip_min_distance_km == 100
    assert defaults.trip_min_nights == 1
    assert defaults.stack_window == timedelta(seconds=10)
    assert defaults.stack_phash_distance == 8
