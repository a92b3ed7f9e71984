"""On this day: for each date a daily tick brings, the photos of that calendar day in earlier years.

The live dates are the newest tick and the ``on_this_day_keep_days - 1``
before it; older ones are dropped with their albums. Which albums exist is
therefore a function of the set of ticks, whatever order they arrive in, and
a photo arriving later joins the memories it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from schemas import AlbumKind

from ._albums import Album, Journal, album_id
from ._rules import on_this_day_member, refresh_cover
from ._titles import day_month
from .state import UserState

__all__ = [
    "add_tick",
    "live_ticks",
    "memory_id",
    "memory_members",
    "put_memory",
    "refresh_memories",
]


def memory_id(state: UserState, when: date) -> str:
    return album_id(state.user_id, AlbumKind.ON_THIS_DAY, when.isoformat())


def _title(state: UserState, when: date) -> str:
    return f"{state.settings.on_this_day_title}, {day_month(when)}"


def memory_members(state: UserState, when: date) -> set[str]:
    members: set[str] = set()
    if not state.order:
        return members
    first_year = date.fromordinal(min(state.by_day)).year
    for year in range(first_year, when.year):
        try:
            day = when.replace(year=year).toordinal()
        except ValueError:  # 29 February in a common year
            continue
        for pid in state.by_day.get(day, ()):
            if on_this_day_member(state, state.photos[pid], when):
                members.add(pid)
    return members


def put_memory(state: UserState, journal: Journal, when: date, members: set[str]) -> None:
    aid = memory_id(state, when)
    album = state.albums.get(aid)
    if not members:
        if album is not None:
            journal.delete(aid)
        return
    if album is None:
        album = Album(AlbumKind.ON_THIS_DAY, when.isoformat(), _title(state, when), members)
        refresh_cover(state, album, ())
        journal.create(aid, album)
    else:
        journal.touch(aid, AlbumKind.ON_THIS_DAY)
        changed = album.members ^ members
        journal.set_members(aid, members)
        refresh_cover(state, album, changed)


def live_ticks(ticks: Iterable[date], keep_days: int) -> list[date]:
    ticks = sorted(set(ticks))
    if not ticks:
        return []
    oldest = ticks[-1] - timedelta(days=keep_days - 1)
    return [d for d in ticks if d >= oldest]


def add_tick(state: UserState, journal: Journal, when: date) -> bool:
    """Record a tick; False when it changes nothing (a repeat, or older than the live dates)."""
    before = state.ticks
    live = live_ticks([*before, when], state.settings.on_this_day_keep_days)
    if live == before:
        return False
    for old in set(before) - set(live):
        if memory_id(state, old) in state.albums:
            journal.delete(memory_id(state, old))
    state.ticks = live
    state.mark("ticks")
    for new in sorted(set(live) - set(before)):
        put_memory(state, journal, new, memory_members(state, new))
    return True


def refresh_memories(state: UserState, journal: Journal, pids: Iterable[str]) -> None:
    """Re-evaluate ``pids`` (changed or re-ranked photos) for every live memory."""
    pids = list(pids)
    for when in state.ticks:
        aid = memory_id(state, when)
        album = state.albums.get(aid)
        current = album.members if album is not None else set()
        members = set(current)
        for pid in pids:
            photo = state.photos.get(pid)
            if photo is not None and on_this_day_member(state, photo, when):
                members.add(pid)
            else:
                members.discard(pid)
        if members != current:
            put_memory(state, journal, when, members)
        elif album is not None:
            journal.touch(aid, AlbumKind.ON_THIS_DAY)
            refresh_cover(state, album, [pid for pid in pids if pid in members])
