"""Places, duplicate stacks, best-of, memories and covers, as users see them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from processors.curation import (
    ConsumerFold,
    album_id,
    materialise,
)
from schemas import AlbumChange, AlbumKind, AlbumUpdated

# -- places -------------------------------------------------------------------


def test_places_are_city_albums_that_go_when_their_last_photo_goes(make: Any) -> None:
    inputs = [
        make.meta("a", make.MAY, place=make.LISBON),
        make.meta("b", make.MAY + timedelta(days=40), place=make.LISBON),
        make.meta("c", make.MAY + timedelta(days=3), place=make.PORTO),
    ]
    places = make.albums(inputs, AlbumKind.PLACE)
    assert [(a.title, sorted(a.photo_ids)) for a in places] == [
        ("Lisbon", ["a", "b"]),
        ("Porto", ["c"]),
    ]
    state, _ = make.run(inputs)
    state, outputs = make.run([make.delete("c")], state=state)
    porto = album_id("alice", AlbumKind.PLACE, "PT|Porto")
    assert [(o.album_id, o.change) for o in outputs if isinstance(o, AlbumUpdated)] == [
        (porto, AlbumChange.DELETED)
    ]


# -- duplicate stacks ---------------------------------------------------------


def _burst(make: Any, phashes: list[int], step: timedelta, quality: list[float]) -> list[Any]:
    inputs = []
    for i, (phash, q) in enumerate(zip(phashes, quality, strict=True)):
        inputs.append(make.meta(f"s{i}", make.MAY + i * step))
        inputs.append(make.score(f"s{i}", q, phash=phash))
    return inputs


def test_a_burst_of_similar_frames_is_one_stack_with_the_best_on_top(make: Any) -> None:
    base = 0x8F3A_55C0_1234_9ABC
    inputs = _burst(
        make,
        [base, base ^ 0b1, base ^ 0b11, base ^ 0xF0],
        timedelta(seconds=2),
        [0.4, 0.9, 0.6, 0.5],
    )
    (stack,) = make.albums(inputs, AlbumKind.DUPLICATE_STACK)
    assert stack.photo_ids == {"s0", "s1", "s2", "s3"}
    assert stack.cover_photo_id == "s1"


def test_similar_photos_far_apart_in_time_or_in_hash_are_not_stacked(make: Any) -> None:
    base = 0x8F3A_55C0_1234_9ABC
    apart = _burst(make, [base, base], timedelta(seconds=11), [0.5, 0.5])
    assert make.albums(apart, AlbumKind.DUPLICATE_STACK) == []
    different = _burst(make, [base, base ^ 0x1FF], timedelta(seconds=1), [0.5, 0.5])  # 9 bits
    assert make.albums(different, AlbumKind.DUPLICATE_STACK) == []
    close = _burst(make, [base, base ^ 0xFF], timedelta(seconds=1), [0.5, 0.5])  # 8 bits
    assert len(make.albums(close, AlbumKind.DUPLICATE_STACK)) == 1


def test_the_same_bytes_uploaded_twice_stack_whenever_they_were_taken(make: Any) -> None:
    inputs = [
        make.meta("original", make.MAY, sha="cd" * 32),
        make.meta("copy", make.MAY + timedelta(days=300), sha="cd" * 32),
    ]
    (stack,) = make.albums(inputs, AlbumKind.DUPLICATE_STACK)
    assert stack.photo_ids == {"original", "copy"}


def test_an_nsfw_frame_is_never_the_top_pick(make: Any) -> None:
    base = 0x8F3A_55C0_1234_9ABC
    inputs = _burst(make, [base, base ^ 1], timedelta(seconds=1), [0.9, 0.5])
    inputs.append(make.score("s0", 0.9, nsfw=0.95, phash=base, version="vision-2"))
    (stack,) = make.albums(inputs, AlbumKind.DUPLICATE_STACK)
    assert stack.cover_photo_id == "s1"


def test_a_better_score_changes_the_top_pick(make: Any) -> None:
    base = 0x8F3A_55C0_1234_9ABC
    state, _ = make.run(_burst(make, [base, base ^ 1], timedelta(seconds=1), [0.9, 0.5]))
    rescored = make.score("s1", 0.95, phash=base ^ 1, version="vision-2")
    state, outputs = make.run([rescored], state=state)
    covers = [
        (o.album_kind, o.cover_photo_id)
        for o in outputs
        if isinstance(o, AlbumUpdated) and o.change is AlbumChange.COVER_CHANGED
    ]
    assert (AlbumKind.DUPLICATE_STACK, "s1") in covers


# -- best of ------------------------------------------------------------------


def test_best_of_the_month_is_the_top_scored_safe_unique_photos(make: Any) -> None:
    inputs = []
    for i in range(8):
        inputs.append(make.meta(f"p{i}", make.MAY + timedelta(days=i)))
        inputs.append(make.score(f"p{i}", i / 10))
    inputs.append(make.meta("unscored", make.MAY + timedelta(days=9)))
    inputs.append(make.meta("nsfw", make.MAY + timedelta(days=10)))
    inputs.append(make.score("nsfw", 0.99, nsfw=0.8))
    inputs.append(make.meta("dup", make.MAY + timedelta(days=7, seconds=1), sha=None))
    inputs.append(make.score("dup", 0.95, phash=0xDEAD))
    inputs.append(make.score("p7", 0.7, phash=0xDEAD, version="vision-2"))
    (best,) = make.albums(inputs, AlbumKind.BEST_OF, best_of_size=3)
    assert best.title == "Best of May 2024"
    assert best.photo_ids == {"dup", "p6", "p5"}  # dup beat p7 in their stack
    assert best.cover_photo_id == "dup"


def test_a_month_with_too_few_scored_photos_has_no_best_of(make: Any) -> None:
    inputs = [
        make.meta("a", make.MAY),
        make.score("a", 0.9),
        make.meta("b", make.MAY + timedelta(days=1)),
    ]
    assert make.albums(inputs, AlbumKind.BEST_OF) == []


# -- on this day --------------------------------------------------------------


def test_on_this_day_shows_the_same_day_in_earlier_years(make: Any) -> None:
    inputs = [
        make.meta("2023", datetime(2023, 5, 14, 12, tzinfo=UTC)),
        make.meta("2019", datetime(2019, 5, 14, 12, tzinfo=UTC)),
        make.meta("today", datetime(2025, 5, 14, 9, tzinfo=UTC)),
        make.meta("next-day", datetime(2023, 5, 15, 12, tzinfo=UTC)),
        make.tick("2025-05-14"),
    ]
    view = materialise(inputs)
    memory = view.albums[album_id("alice", AlbumKind.ON_THIS_DAY, "2025-05-14")]
    assert memory.photo_ids == {"2023", "2019"}
    assert memory.title == "On this day, 14 May"


def test_the_daily_tick_is_idempotent_and_replaces_yesterdays_memory(make: Any) -> None:
    photos = [
        make.meta("a", datetime(2023, 5, 14, 12, tzinfo=UTC)),
        make.meta("b", datetime(2023, 5, 15, 12, tzinfo=UTC)),
    ]
    state, _ = make.run([*photos, make.tick("2025-05-14")])
    _, again = make.run([make.tick("2025-05-14")], state=state)
    assert again == []
    state, outputs = make.run([make.tick("2025-05-15")], state=state)
    changes = {(o.album_id, o.change) for o in outputs if isinstance(o, AlbumUpdated)}
    assert (album_id("alice", AlbumKind.ON_THIS_DAY, "2025-05-14"), AlbumChange.DELETED) in changes
    assert (album_id("alice", AlbumKind.ON_THIS_DAY, "2025-05-15"), AlbumChange.CREATED) in changes
    _, late = make.run([make.tick("2025-05-13")], state=state)
    assert late == []


def test_a_photo_arriving_after_the_tick_joins_its_memory(make: Any) -> None:
    state, _ = make.run(
        [make.meta("a", datetime(2023, 5, 14, 12, tzinfo=UTC)), make.tick(date(2025, 5, 14))]
    )
    state, outputs = make.run([make.meta("b", datetime(2021, 5, 14, 8, tzinfo=UTC))], state=state)
    added = [
        o.photo_id
        for o in outputs
        if isinstance(o, AlbumUpdated)
        and o.album_kind is AlbumKind.ON_THIS_DAY
        and o.change is AlbumChange.PHOTO_ADDED
    ]
    assert added == ["b"]


# -- covers -------------------------------------------------------------------


def test_covers_are_the_best_safe_photo(make: Any) -> None:
    inputs = make.shots(
        "p", make.MAY + timedelta(hours=10), 5, timedelta(minutes=10), place=make.LISBON
    )
    inputs += [make.score(f"p{i}", q) for i, q in enumerate((0.2, 0.3, 0.99, 0.5, 0.4))]
    inputs.append(make.score("p2", 0.99, nsfw=0.9, version="vision-2"))
    consumer = ConsumerFold()
    _, outputs = make.run(inputs)
    for record in outputs:
        consumer.apply(record)
    for album in consumer.view.albums.values():
        if album.kind in (AlbumKind.EVENT, AlbumKind.PLACE):
            assert album.cover_photo_id == "p3"
