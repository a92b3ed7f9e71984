"""Keeping the per-user indices in step with one photo's facts.

The timeline order, the geotagged order, the sha256 index, photos by local
day, the home counts and the place albums (which are an index themselves:
every photo of a city).
"""

from __future__ import annotations

from bisect import insort

from schemas import AlbumKind

from ._albums import Album, Journal, album_id
from ._facts import Photo
from ._rules import top_n
from ._runs import okey, position
from ._stacks import sha_add, sha_remove
from .state import UserState

__all__ = ["index_add", "index_remove", "index_replace", "place_id", "refresh_highlights"]


def place_id(state: UserState, photo: Photo) -> str | None:
    if photo.city is None:
        return None
    return album_id(state.user_id, AlbumKind.PLACE, f"{photo.cc or ''}|{photo.city}")


def _unlink(order: list[Photo], photo: Photo) -> None:
    at = position(order, *okey(photo))
    if at >= len(order) or order[at].pid != photo.pid:
        raise LookupError(f"photo {photo.pid} is not in the index")
    del order[at]


def index_remove(state: UserState, journal: Journal | None, photo: Photo) -> set[int]:
    """Take a live photo out of every index; returns the months whose home changed."""
    _unlink(state.order, photo)
    sha_remove(state, photo)
    day = state.by_day[photo.day]
    day.remove(photo.pid)
    if not day:
        del state.by_day[photo.day]
    months: set[int] = set()
    if photo.lat is not None and photo.lon is not None:
        _unlink(state.geo_order, photo)
        months = state.home.remove(photo.day, photo.lat, photo.lon)
    aid = place_id(state, photo)
    if aid is not None and journal is not None:
        journal.remove(aid, photo.pid)
        if not state.albums[aid].members:
            journal.delete(aid)
    return months


def index_add(state: UserState, journal: Journal | None, photo: Photo) -> set[int]:
    """Put a live photo in every index; returns the months whose home changed."""
    insort(state.order, photo, key=okey)
    sha_add(state, photo)
    state.by_day.setdefault(photo.day, []).append(photo.pid)
    months: set[int] = set()
    if photo.lat is not None and photo.lon is not None:
        insort(state.geo_order, photo, key=okey)
        months = state.home.add(photo.day, photo.lat, photo.lon)
    aid = place_id(state, photo)
    if aid is not None and photo.city is not None:
        if aid in state.albums:
            if journal is None:
                state.albums[aid].members.add(photo.pid)
            else:
                journal.add(aid, photo.pid)
        else:
            key = f"{photo.cc or ''}|{photo.city}"
            album = Album(AlbumKind.PLACE, key, photo.city, {photo.pid})
            if journal is None:
                state.albums[aid] = album
            else:
                journal.create(aid, album)
    return months


def index_replace(state: UserState, old: Photo, new: Photo) -> bool:
    """Swap in new facts that leave every index as it is; False when they would not."""
    if (
        okey(old) != okey(new)
        or old.day != new.day
        or (old.lat, old.lon, old.sha) != (new.lat, new.lon, new.sha)
        or (old.city, old.cc) != (new.city, new.cc)
    ):
        return False
    state.order[position(state.order, *okey(old))] = new
    if new.lat is not None:
        state.geo_order[position(state.geo_order, *okey(old))] = new
    return True


def day_highlights(state: UserState, day: int) -> tuple[str, ...]:
    cfg = state.settings
    if cfg.highlights_per_day == 0:
        return ()
    photos = (state.photos[pid] for pid in state.by_day.get(day, ()))
    best = top_n(state, photos, cfg.highlights_per_day, cfg.highlight_min_quality)
    return tuple(sorted(p.pid for p in best))


def refresh_highlights(state: UserState, days: set[int]) -> set[str]:
    """Recompute the highlights of ``days``; returns the photos whose flag flipped."""
    flipped: set[str] = set()
    for day in days:
        old = state.day_hl.get(day, ())
        new = day_highlights(state, day)
        if new:
            state.day_hl[day] = new
        else:
            state.day_hl.pop(day, None)
        if old != new:
            flipped |= set(old) ^ set(new)
    return flipped
