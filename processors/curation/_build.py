"""Derived state from scratch: on load, for a new setting, and as the reference.

Building from the facts alone is what the incremental path must agree with;
the property tests compare the two after random sequences of inputs.
"""

from __future__ import annotations

from datetime import datetime

from schemas import AlbumKind, Record, derive_event_id

from ._albums import Album, Journal
from ._best import sync_month, sync_trip
from ._clusters import all_runs
from ._index import index_add, refresh_highlights
from ._memories import memory_members, put_memory
from ._rules import month_key, refresh_cover
from ._runs import okey
from ._stacks import all_stacks
from .settings import CurationSettings
from .state import UserState
from .timeline import upsert_for

__all__ = ["build", "retune"]


def build(state: UserState) -> None:
    """Recompute every derived index and album of ``state`` from its facts."""
    state.reset_derived()
    for photo in sorted((p for p in state.photos.values() if p.live), key=okey):
        index_add(state, None, photo)
    stacks = all_stacks(state)
    state.albums.update(stacks)
    for aid, album in stacks.items():
        for pid in album.members:
            state.stack_of[pid] = aid
    for album in list(state.albums.values()):
        if album.kind is AlbumKind.PLACE:
            refresh_cover(state, album, ())
    refresh_highlights(state, set(state.by_day))
    journal = Journal(state.albums)  # its events are not wanted here
    for kind, member_of in ((AlbumKind.EVENT, state.event_of), (AlbumKind.TRIP, state.trip_of)):
        for aid, album in all_runs(state, kind).items():
            state.albums[aid] = album
            for pid in album.members:
                member_of[pid] = aid
    for aid in sorted(set(state.trip_of.values())):
        sync_trip(state, journal, aid, None)
    for month in sorted({month_key(day) for day in state.by_day}):
        sync_month(state, journal, month, None)
    for when in state.ticks:
        put_memory(state, journal, when, memory_members(state, when))


def retune(state: UserState, settings: CurationSettings, cause: str, at: datetime) -> list[Record]:
    """Switch ``state`` to ``settings``; returns the events that move consumers along."""
    before_albums, before_hl = state.albums, state.day_hl
    state.settings = settings
    state.mark("settings")
    build(state)
    cause = derive_event_id("curation-retune", cause)
    journal = Journal(before_albums)
    for aid in sorted(before_albums.keys() - state.albums.keys()):
        journal.delete(aid)
    for aid, album in sorted(state.albums.items()):
        old = before_albums.get(aid)
        if old is None:
            copy = Album(album.kind, album.key, album.title, set(album.members))
            copy.cover = album.cover
            journal.create(aid, copy)
        else:
            journal.touch(aid, album.kind)
            journal.set_members(aid, set(album.members))
            old.title, old.cover = album.title, album.cover
    outputs: list[Record] = []
    flipped = set()
    for day in before_hl.keys() | state.day_hl.keys():
        flipped |= set(before_hl.get(day, ())) ^ set(state.day_hl.get(day, ()))
    for pid in sorted(flipped):
        photo = state.photos[pid]
        outputs.append(
            upsert_for(state.user_id, photo, state.highlighted(photo), cause_event_id=cause)
        )
    return outputs + list(journal.events(state.user_id, cause, at))
