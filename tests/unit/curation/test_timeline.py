"""Timeline items: where each photo sits, how it moves, and how it leaves."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from processors.curation import ConsumerFold, CurationSettings, UserState, apply, materialise
from processors.errors import BadInput
from schemas import AlbumChange, AlbumUpdated, TimelineItemRemoved, TimelineItemUpserted, TzSource


def _upserts(outputs: list[Any]) -> list[TimelineItemUpserted]:
    return [o for o in outputs if isinstance(o, TimelineItemUpserted)]


def test_item_is_placed_on_the_local_day_where_it_was_taken(make: Any) -> None:
    meta = make.meta("p1", "2024-04-02T23:30:00", place=make.TOKYO, offset=540)
    _, outputs = make.run([meta])
    (item,) = _upserts(outputs)
    assert item.capture_time_utc == datetime(2024, 4, 2, 23, 30, tzinfo=UTC)
    assert item.capture_local == "2024-04-03T08:30:00"
    assert (item.local_day, item.month_bucket) == ("2024-04-03", "2024-04")
    assert item.utc_offset_minutes == 540
    assert item.sort_key == "20240402T233000.000000Z|p1"
    assert (item.time_source, item.tz_source) == (meta.time_source, TzSource.EXIF_OFFSET)
    assert (item.place_city, item.place_country_code) == ("Tokyo", "JP")
    assert item.source_event_id == meta.event_id
    assert (item.previous_local_day, item.previous_month_bucket) == (None, None)


def test_sort_keys_order_the_timeline_by_instant_then_photo(make: Any) -> None:
    inputs = [
        make.meta("b", "2024-05-01T10:00:00"),
        make.meta("a", "2024-05-01T10:00:00"),
        make.meta("c", "2023-12-31T23:59:59.500000", offset=60),
    ]
    _, outputs = make.run(inputs)
    ordered = sorted(_upserts(outputs), key=lambda item: item.sort_key.encode())
    assert [item.photo_id for item in ordered] == ["c", "a", "b"]


def test_corrected_capture_time_moves_the_item_and_says_from_where(make: Any) -> None:
    first = make.meta("p1", "2024-05-01T10:00:00")
    fixed = make.meta("p1", "2024-06-02T10:00:00", version="metadata-2")
    _, outputs = make.run([first, fixed])
    moved = _upserts(outputs)[-1]
    assert (moved.local_day, moved.month_bucket) == ("2024-06-02", "2024-06")
    assert (moved.previous_local_day, moved.previous_month_bucket) == ("2024-05-01", "2024-05")


def test_a_move_within_the_day_is_not_reported_as_a_move(make: Any) -> None:
    first = make.meta("p1", "2024-05-01T10:00:00")
    fixed = make.meta("p1", "2024-05-01T18:00:00", version="metadata-2")
    _, outputs = make.run([first, fixed])
    moved = _upserts(outputs)[-1]
    assert moved.capture_time_utc.hour == 18
    assert moved.previous_local_day is None


def test_an_older_metadata_version_never_reverts_a_correction(make: Any) -> None:
    first = make.meta("p1", "2024-05-01T10:00:00")
    fixed = make.meta("p1", "2024-06-02T10:00:00", version="metadata-10")
    state, _ = make.run([fixed])
    state, outputs = make.run([first], state=state)
    assert outputs == []
    assert materialise([first, fixed]).timeline["p1"].local_day == "2024-06-02"


def test_scores_before_metadata_wait_for_it(make: Any) -> None:
    state, outputs = make.run([make.score("p1", 0.9)])
    assert outputs == []
    state, outputs = make.run([make.meta("p1", "2024-05-01T10:00:00")], state=state)
    (item,) = _upserts(outputs)
    assert item.highlight


def test_highlights_are_the_best_photos_of_each_day(make: Any) -> None:
    day = [make.meta(f"p{i}", f"2024-05-01T{10 + i}:00:00") for i in range(5)]
    scores = [make.score(f"p{i}", q) for i, q in enumerate((0.1, 0.9, 0.5, 0.7, 0.3))]
    state, _ = make.run(day + scores)
    assert materialise(day + scores).timeline["p1"].highlight
    flags = {pid: item.highlight for pid, item in materialise(day + scores).timeline.items()}
    assert flags == {"p0": False, "p1": True, "p2": True, "p3": True, "p4": False}
    state, outputs = make.run(
        [make.meta("p5", "2024-05-01T20:00:00"), make.score("p5", 0.95)], state=state
    )
    changed = {item.photo_id: item.highlight for item in _upserts(outputs)}
    assert changed == {"p5": True, "p2": False}


def test_nsfw_photos_and_hidden_duplicates_are_never_highlights(make: Any) -> None:
    inputs = [
        make.meta("risky", "2024-05-01T09:00:00"),
        make.score("risky", 0.99, nsfw=0.9),
        make.meta("burst1", "2024-05-01T12:00:00"),
        make.meta("burst2", "2024-05-01T12:00:02"),
        make.score("burst1", 0.8, phash=0xFF00),
        make.score("burst2", 0.7, phash=0xFF01),
    ]
    flags = {pid: item.highlight for pid, item in materialise(inputs).timeline.items()}
    assert flags == {"risky": False, "burst1": True, "burst2": False}


def test_deleted_photo_leaves_the_timeline_and_every_album(make: Any) -> None:
    inputs = [make.meta(f"p{i}", f"2024-05-01T10:00:0{i}", place=make.LISBON) for i in range(6)]
    hashes = [0xFFFF << (16 * i) for i in range(4)] + [0xABC0, 0xABC1]  # p4 and p5 a burst
    inputs += [make.score(f"p{i}", 0.5 + i / 20, phash=hashes[i]) for i in range(6)]
    state, outputs = make.run(inputs)
    consumer = ConsumerFold()
    for record in outputs:
        consumer.apply(record)
    albums_with_p5 = {aid for aid, a in consumer.view.albums.items() if "p5" in a.photo_ids}
    assert len(albums_with_p5) >= 4  # place, event, best-of, stack at least

    state, outputs = make.run([make.delete("p5")], state=state)
    (removed,) = [o for o in outputs if isinstance(o, TimelineItemRemoved)]
    assert (removed.photo_id, removed.local_day, removed.month_bucket) == (
        "p5",
        "2024-05-01",
        "2024-05",
    )
    for record in outputs:
        consumer.apply(record)
    assert "p5" not in consumer.view.timeline
    assert all("p5" not in a.photo_ids for a in consumer.view.albums.values())
    left = {
        o.album_id
        for o in outputs
        if isinstance(o, AlbumUpdated) and (o.change is AlbumChange.DELETED or o.photo_id == "p5")
    }
    assert albums_with_p5 <= left


def test_a_deleted_photo_stays_deleted_whatever_arrives_after(make: Any) -> None:
    state, _ = make.run([make.delete("p1")])
    late = [make.meta("p1", "2024-05-01T10:00:00"), make.score("p1", 0.9), make.delete("p1")]
    state, outputs = make.run(late, state=state)
    assert outputs == []
    assert state.photo_count == 0


def test_input_of_another_user_is_refused_without_touching_the_state(make: Any) -> None:
    state, _ = make.run([make.meta("p1", "2024-05-01T10:00:00")])
    before = state.to_bytes()
    with pytest.raises(BadInput) as caught:
        apply(state, make.meta("p2", "2024-05-01T11:00:00", user="mallory"))
    assert caught.value.reason == "user_mismatch"
    assert state.to_bytes() == before


def test_malformed_hashes_are_bad_input_and_change_nothing(make: Any) -> None:
    state = UserState.new("alice")
    for bad in (
        dataclasses.replace(make.score("p1", 0.5), phash="not hex"),
        dataclasses.replace(make.meta("p1", "2024-05-01T10:00:00"), capture_local="yesterday"),
    ):
        with pytest.raises(BadInput):
            apply(state, bad, CurationSettings())
    assert state.photo_count == 0
