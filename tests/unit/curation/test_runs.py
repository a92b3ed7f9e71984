"""Events and trips: runs of photos in time, titled from their places and dates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from schemas import AlbumChange, AlbumKind, AlbumUpdated

# -- events -------------------------------------------------------------------


def test_an_event_is_a_run_of_photos_without_a_long_pause(make: Any) -> None:
    morning = make.shots("m", make.MAY + timedelta(hours=9), 5, timedelta(minutes=40))
    evening = make.shots("e", make.MAY + timedelta(hours=19), 5, timedelta(minutes=20))
    events = make.albums(morning + evening, AlbumKind.EVENT)
    assert sorted(sorted(a.photo_ids) for a in events) == [
        ["e0", "e1", "e2", "e3", "e4"],
        ["m0", "m1", "m2", "m3", "m4"],
    ]
    assert all(a.title == "1 May 2024" for a in events)


def test_too_few_photos_make_no_event(make: Any) -> None:
    assert make.albums(make.shots("p", make.MAY, 4, timedelta(minutes=5)), AlbumKind.EVENT) == []


def test_a_photo_in_the_gap_merges_two_events_and_its_deletion_splits_them(make: Any) -> None:
    first = make.shots("a", make.MAY + timedelta(hours=9), 5, timedelta(minutes=30))
    second = make.shots("b", make.MAY + timedelta(hours=14, minutes=30), 5, timedelta(minutes=30))
    bridge = make.meta("bridge", make.MAY + timedelta(hours=12, minutes=30))
    state, _ = make.run(first + second)
    assert len([a for a in state.albums.values() if a.kind is AlbumKind.EVENT]) == 2
    state, outputs = make.run([bridge], state=state)
    changes = [(o.change, o.photo_id) for o in outputs if isinstance(o, AlbumUpdated)]
    assert (AlbumChange.DELETED, None) in changes
    assert len([a for a in state.albums.values() if a.kind is AlbumKind.EVENT]) == 1
    state, _ = make.run([make.delete("bridge")], state=state)
    assert len([a for a in state.albums.values() if a.kind is AlbumKind.EVENT]) == 2


def test_event_titles_name_the_place_and_the_days(make: Any) -> None:
    night = make.shots(
        "n", make.MAY + timedelta(hours=21), 6, timedelta(hours=1), place=make.LISBON
    )
    (event,) = make.albums(night, AlbumKind.EVENT)
    assert event.title == "Lisbon, 1\u20132 May 2024"


# -- trips --------------------------------------------------------------------


def _porto_and_madrid(make: Any) -> list[Any]:
    start = make.MAY + timedelta(days=12, hours=9)
    porto = make.shots("porto", start, 4, timedelta(hours=5), place=make.PORTO)
    madrid = make.shots(
        "madrid", start + timedelta(days=2), 4, timedelta(hours=5), place=make.MADRID
    )
    return porto + madrid


def test_a_trip_is_titled_with_its_places_in_order_and_its_month(make: Any) -> None:
    inputs = make.at_home() + _porto_and_madrid(make)
    (trip,) = make.albums(inputs, AlbumKind.TRIP)
    assert trip.title == "Porto and Madrid, May 2024"
    assert trip.photo_ids == {f"porto{i}" for i in range(4)} | {f"madrid{i}" for i in range(4)}


def test_a_trip_across_months_names_both(make: Any) -> None:
    start = make.MAY + timedelta(days=29, hours=10)
    away = make.shots("t", start, 4, timedelta(hours=20), place=make.PORTO)
    (trip,) = make.albums(make.at_home() + away, AlbumKind.TRIP)
    assert trip.title == "Porto, May \u2013 June 2024"


def test_a_day_out_is_not_a_trip(make: Any) -> None:
    day_out = make.shots(
        "t", make.MAY + timedelta(days=5, hours=9), 6, timedelta(hours=1), place=make.PORTO
    )
    assert make.albums(make.at_home() + day_out, AlbumKind.TRIP) == []


def test_photos_without_gps_taken_during_a_trip_belong_to_it(make: Any) -> None:
    away = _porto_and_madrid(make)
    scan = make.meta("nogps", make.MAY + timedelta(days=13, hours=12))
    (trip,) = make.albums(make.at_home() + away + [scan], AlbumKind.TRIP)
    assert "nogps" in trip.photo_ids


def test_home_is_where_most_days_are_spent_not_where_most_photos_are(make: Any) -> None:
    # Two hundred photos over three days in Tokyo do not outvote ten days at home.
    start = make.MAY + timedelta(days=9, hours=1)
    tokyo = make.shots("tokyo", start, 200, timedelta(minutes=20), place=make.TOKYO, offset=540)
    (trip,) = make.albums(make.at_home() + tokyo, AlbumKind.TRIP)
    assert trip.title == "Tokyo, May 2024"
    assert len(trip.photo_ids) == 200


def test_a_trip_without_place_names_gets_the_fallback_title(make: Any) -> None:
    far = ("", "", 41.15, -8.61)
    start = make.MAY + timedelta(days=12, hours=9)
    away = [make.meta(f"t{i}", start + timedelta(hours=9 * i), place=far) for i in range(4)]
    home = [
        make.meta(f"h{d}", make.MAY + timedelta(days=d), place=("", "", 38.72, -9.14))
        for d in range(0, 30, 2)
    ]
    (trip,) = make.albums(home + away, AlbumKind.TRIP, trip_fallback_title="Away")
    assert trip.title == "Away, May 2024"


def test_each_trip_has_its_best_of(make: Any) -> None:
    away = _porto_and_madrid(make)
    scores = [make.score(m.photo_id, 0.1 + i / 10) for i, m in enumerate(away)]
    inputs = make.at_home() + away + scores
    titles = {
        a.title: a.photo_ids
        for a in make.albums(inputs, AlbumKind.BEST_OF, best_of_size=2, best_of_min_photos=2)
    }
    assert titles["Best of Porto and Madrid, May 2024"] == {"madrid3", "madrid2"}


def test_a_photo_sharing_its_instant_with_another_is_not_overlooked(make: Any) -> None:
    # "a" (at home) and "trip1" (away) carry the same instant; "a" sorts first.
    start = make.MAY + timedelta(days=12, hours=9)
    same_time = make.meta("a", start, place=make.LISBON)
    trip = [
        make.meta("trip2", start + timedelta(days=1), place=make.PORTO),
        make.meta("trip3", start + timedelta(days=1, hours=2), place=make.PORTO),
        make.meta("trip1", start, place=make.PORTO),
    ]
    state, _ = make.run([*make.at_home(), same_time, *trip])
    (album,) = [a for a in state.albums.values() if a.kind is AlbumKind.TRIP]
    assert album.members == {"trip1", "trip2", "trip3"}
