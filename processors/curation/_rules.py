"""The album rules as functions of a user's state: ranking, eligibility, run titles.

Ranking is total and deterministic: quality (unscored last), then pixels,
then the earlier photo, then photo id; so "the best" never depends on order.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from schemas import AlbumKind

from ._albums import Album, album_id
from ._facts import Photo
from ._home import distance_km, month_of_day
from ._runs import IN, OUT
from ._titles import day_range, join_places, month_range, month_title
from .state import UserState

__all__ = [
    "best_eligible",
    "classify_trip",
    "cover_key",
    "event_title",
    "is_nsfw",
    "is_pick",
    "keep_run",
    "month_group",
    "month_key",
    "month_title_of",
    "on_this_day_member",
    "rank",
    "refresh_cover",
    "run_album",
    "stack_top_key",
    "top_n",
    "trip_title",
]

Rank = tuple[bool, float, int, int, str]


def rank(photo: Photo) -> Rank:
    return (photo.q is None, -(photo.q or 0.0), -photo.pixels, photo.t or 0, photo.pid)


def is_nsfw(state: UserState, photo: Photo) -> bool:
    return photo.nsfw is not None and photo.nsfw >= state.settings.nsfw_threshold


def stack_top_key(state: UserState, photo: Photo) -> tuple[bool, Rank]:
    return (is_nsfw(state, photo), rank(photo))


def is_pick(state: UserState, pid: str) -> bool:
    """Not in a duplicate stack, or its stack's top pick."""
    stack = state.stack_of.get(pid)
    return stack is None or state.albums[stack].cover == pid


def cover_key(state: UserState, photo: Photo) -> tuple[bool, Rank]:
    """Covers prefer picks that are safe for work, then rank."""
    return (is_nsfw(state, photo) or not is_pick(state, photo.pid), rank(photo))


def best_eligible(state: UserState, photo: Photo, floor: float | None) -> bool:
    """Scored, above ``floor``, safe for work, and not a hidden duplicate."""
    return (
        photo.live
        and photo.q is not None
        and (floor is None or photo.q >= floor)
        and not is_nsfw(state, photo)
        and is_pick(state, photo.pid)
    )


def top_n(state: UserState, photos: Iterable[Photo], n: int, floor: float | None) -> list[Photo]:
    return heapq.nsmallest(n, (p for p in photos if best_eligible(state, p, floor)), key=rank)


def refresh_cover(state: UserState, album: Album, changed: Iterable[str]) -> None:
    """Keep ``album.cover`` the member with the smallest cover key, rescanning only if needed."""
    rescan = album.cover is None
    for pid in changed if not rescan else ():
        if pid not in album.members:
            rescan = rescan or pid == album.cover
            continue
        key = cover_key(state, state.photos[pid])
        if pid == album.cover:
            if key > album.cover_key:
                rescan = True
                break
            album.cover_key = key
        elif key < album.cover_key:
            album.cover, album.cover_key = pid, key
    if rescan:
        best = min(
            ((cover_key(state, state.photos[pid]), pid) for pid in album.members), default=None
        )
        album.cover, album.cover_key = (None, None) if best is None else (best[1], best[0])


def month_key(day: int) -> str:
    d = date.fromordinal(day)
    return f"{d.year:04d}-{d.month:02d}"


def month_group(state: UserState, month: str) -> Iterable[Photo]:
    """The live photos whose local day is in ``month`` (``YYYY-MM``)."""
    year, number = int(month[:4]), int(month[5:])
    first = date(year, number, 1).toordinal()
    last = (date(year + number // 12, number % 12 + 1, 1)).toordinal()
    for day in range(first, last):
        for pid in state.by_day.get(day, ()):
            yield state.photos[pid]


def on_this_day_member(state: UserState, photo: Photo, when: date) -> bool:
    """A memory for ``when``: same calendar day, an earlier year, not NSFW or a duplicate."""
    if not photo.live:
        return False
    day = date.fromordinal(photo.day)
    return (
        (day.month, day.day) == (when.month, when.day)
        and day.year < when.year
        and not is_nsfw(state, photo)
        and is_pick(state, photo.pid)
    )


def classify_trip(state: UserState, photo: Photo) -> int:
    """For a geotagged photo: IN when far from that month's home, else OUT."""
    if photo.lat is None or photo.lon is None:
        return OUT
    home = state.home.home(month_of_day(photo.day))
    if home is None or (state.home.near_is_home and state.home.cell(photo.lat, photo.lon) == home):
        return OUT
    lat, lon = state.home.centre(home)
    far = distance_km(photo.lat, photo.lon, lat, lon) > state.settings.trip_min_distance_km
    return IN if far else OUT


def _top_cities(run: Sequence[Photo], limit: int) -> list[str]:
    counts = Counter(p.city for p in run if p.city)
    chosen = {c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]}
    ordered: list[str] = []
    for photo in run:
        if photo.city in chosen and photo.city not in ordered:
            ordered.append(photo.city)
    return ordered


def event_title(state: UserState, run: Sequence[Photo]) -> str:
    """``Lisbon, 14-16 May 2024`` (en dash), or the dates alone without places."""
    first, last = min(p.day for p in run), max(p.day for p in run)
    dates = day_range(date.fromordinal(first), date.fromordinal(last))
    cities = _top_cities(run, 1)
    return f"{cities[0]}, {dates}" if cities else dates


def trip_title(state: UserState, run: Sequence[Photo]) -> str:
    """``Lisbon and Porto, May 2024``; places in the order they were visited."""
    first, last = min(p.day for p in run), max(p.day for p in run)
    months = month_range(date.fromordinal(first), date.fromordinal(last))
    places = join_places(_top_cities(run, state.settings.trip_title_places))
    return f"{places or state.settings.trip_fallback_title}, {months}"


def run_album(state: UserState, kind: AlbumKind, run: Sequence[Photo]) -> tuple[str, Album]:
    """The album of a run (an event or a trip), named after its first photo."""
    title = event_title(state, run) if kind is AlbumKind.EVENT else trip_title(state, run)
    album = Album(kind, run[0].pid, title, {p.pid for p in run})
    refresh_cover(state, album, ())
    return album_id(state.user_id, kind, run[0].pid), album


def month_title_of(month: str) -> str:
    return month_title(int(month[:4]), int(month[5:]))


def keep_run(state: UserState, kind: AlbumKind, run: Sequence[Photo]) -> bool:
    cfg = state.settings
    if kind is AlbumKind.EVENT:
        return len(run) >= cfg.event_min_photos
    nights = max(p.day for p in run) - min(p.day for p in run)
    return len(run) >= cfg.trip_min_photos and nights >= cfg.trip_min_nights
