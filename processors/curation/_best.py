"""Best-of albums: the top photos of a month or a trip.

Only scored photos that are safe for work and are not hidden in a duplicate
stack qualify. The top list is kept incrementally: a photo entering or
improving is merged in; only when a member leaves or gets worse is the whole
month or trip scanned again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from schemas import AlbumKind

from ._albums import Album, Journal, album_id
from ._facts import Photo
from ._rules import best_eligible, month_group, month_key, month_title_of, rank, top_n
from .state import UserState

__all__ = ["drop_trip", "month_best_id", "sync_month", "sync_trip", "trip_best_id"]


def month_best_id(state: UserState, month: str) -> str:
    return album_id(state.user_id, AlbumKind.BEST_OF, f"month:{month}")


def trip_best_id(state: UserState, anchor: str) -> str:
    return album_id(state.user_id, AlbumKind.BEST_OF, f"trip:{anchor}")


def _sync(
    state: UserState,
    journal: Journal,
    aid: str,
    key: str,
    title: str,
    group: Callable[[], Iterable[Photo]],
    qualifies: Callable[[Photo], bool],
    changed: Iterable[str] | None,
) -> None:
    cfg = state.settings
    ranked = state.tops.get(aid, {})
    rescan = changed is None
    for pid in changed or ():
        photo = state.photos.get(pid)
        ok = photo is not None and qualifies(photo)
        old = ranked.get(pid)
        if old is not None and (photo is None or not ok or rank(photo) > old):
            rescan = True
            break
        if ok and photo is not None:
            ranked[pid] = rank(photo)
    if rescan:
        best = top_n(state, group(), cfg.best_of_size, cfg.best_of_min_quality)
        ranked = {p.pid: rank(p) for p in best}
    elif len(ranked) > cfg.best_of_size:
        keep = sorted(ranked.items(), key=lambda item: item[1])[: cfg.best_of_size]
        ranked = dict(keep)
    if ranked:
        state.tops[aid] = ranked
    else:
        state.tops.pop(aid, None)
    album = state.albums.get(aid)
    if len(ranked) < cfg.best_of_min_photos:
        if album is not None:
            journal.delete(aid)
        return
    cover = min(ranked, key=ranked.__getitem__)
    if album is None:
        album = Album(AlbumKind.BEST_OF, key, title, set(ranked))
        album.cover = cover
        journal.create(aid, album)
        return
    journal.touch(aid, AlbumKind.BEST_OF)
    journal.set_members(aid, set(ranked))
    album.title, album.cover = title, cover


def sync_month(
    state: UserState, journal: Journal, month: str, changed: Iterable[str] | None
) -> None:
    """Update the best of ``month`` (``YYYY-MM``) after ``changed`` changed (None: rescan)."""
    floor = state.settings.best_of_min_quality

    def qualifies(photo: Photo) -> bool:
        return month_key(photo.day) == month and best_eligible(state, photo, floor)

    title = f"{state.settings.best_of_prefix} {month_title_of(month)}"
    _sync(
        state,
        journal,
        month_best_id(state, month),
        f"month:{month}",
        title,
        lambda: month_group(state, month),
        qualifies,
        changed,
    )


def sync_trip(
    state: UserState, journal: Journal, trip_aid: str, changed: Iterable[str] | None
) -> None:
    """Update the best of a trip; deletes it when the trip is gone."""
    trip = state.albums.get(trip_aid)
    if trip is None:
        return
    floor = state.settings.best_of_min_quality

    def qualifies(photo: Photo) -> bool:
        return state.trip_of.get(photo.pid) == trip_aid and best_eligible(state, photo, floor)

    _sync(
        state,
        journal,
        trip_best_id(state, trip.key),
        f"trip:{trip.key}",
        f"{state.settings.best_of_prefix} {trip.title}",
        lambda: (state.photos[pid] for pid in trip.members),
        qualifies,
        changed,
    )


def drop_trip(state: UserState, journal: Journal, anchor: str) -> None:
    """Delete the best-of of a trip that no longer exists."""
    aid = trip_best_id(state, anchor)
    state.tops.pop(aid, None)
    if aid in state.albums:
        journal.delete(aid)
