"""One photo's facts changed: update the derived state around it and say what changed.

The order of the steps matters: stacks decide which photos are picks, picks
decide highlights, covers and best-of; so stacks come first and every photo
whose pick status flipped joins the "re-ranked" set the later steps look at.
"""

from __future__ import annotations

from datetime import date, datetime

from schemas import AlbumKind, Record, TimelineItemRemoved, derive_event_id

from ._albums import Journal
from ._best import drop_trip, sync_month, sync_trip
from ._clusters import recompute_events, recompute_trips
from ._facts import DAY_US, EPOCH, Photo
from ._index import index_add, index_remove, index_replace, place_id, refresh_highlights
from ._memories import refresh_memories
from ._rules import month_key, refresh_cover
from ._runs import okey
from ._stacks import recompute_stacks
from .state import UserState
from .timeline import TIMELINE_VERSION, same_item, upsert_for

__all__ = ["photo_changed"]

_EPOCH_ORDINAL = EPOCH.date().toordinal()


def _month_window(month: int) -> tuple[int, int]:
    """UTC µs bounds that hold every photo whose local day is in ``month``, with a day's margin."""
    year, number = divmod(month, 12)
    first = date(year, number + 1, 1).toordinal()
    last = date(year + (number + 1) // 12, (number + 1) % 12 + 1, 1).toordinal()
    return ((first - 1 - _EPOCH_ORDINAL) * DAY_US, (last + 1 - _EPOCH_ORDINAL) * DAY_US)


def _live(photo: Photo | None) -> Photo | None:
    return photo if photo is not None and photo.live else None


def photo_changed(
    state: UserState, old: Photo | None, new: Photo | None, pid: str, cause: str, at: datetime
) -> list[Record]:
    """Store ``new`` as the facts of ``pid`` (None: gone) and return the events that follow."""
    was, now = _live(old), _live(new)
    old_hl = was is not None and state.highlighted(was)
    old_event, old_trip = state.event_of.get(pid), state.trip_of.get(pid)
    stack = state.stack_of.get(pid)
    mates = set(state.albums[stack].members) if stack is not None else set()
    if new is None:
        state.photos.pop(pid, None)
    else:
        state.photos[pid] = new
    state.mark("p:" + pid)
    if was is None and now is None:
        return []
    journal = Journal(state.albums)
    in_place = was is not None and now is not None and index_replace(state, was, now)
    homes: set[int] = set()
    if not in_place:
        if was is not None:
            homes |= index_remove(state, journal, was)
        if now is not None:
            homes |= index_add(state, journal, now)

    reranked = recompute_stacks(state, journal, {pid, *mates}) | {pid}
    ranked_live = [p for p in map(state.photos.get, reranked) if p is not None and p.live]
    days = {p.day for p in ranked_live} | {p.day for p in (was, now) if p is not None}
    flipped = refresh_highlights(state, days)
    outputs = _timeline(state, pid, was, now, old_hl, flipped, cause, at)

    keys = [okey(p) for p in (was, now) if p is not None]
    if not in_place:
        old_events = [old_event] if old_event else []
        recompute_events(state, journal, keys, old_events)
    rebuilt: set[str] = set()
    if not in_place or homes:
        windows = [_month_window(m) for m in sorted(homes)]
        moved = keys if not in_place else []
        old_trips = [old_trip] if old_trip else []
        rebuilt, dropped = recompute_trips(state, journal, moved, windows, old_trips)
        for anchor in dropped:
            drop_trip(state, journal, anchor)
        for aid in sorted(rebuilt):
            sync_trip(state, journal, aid, None)
    trips = {state.trip_of[x] for x in reranked if x in state.trip_of} - rebuilt
    for aid in sorted(trips):
        sync_trip(state, journal, aid, reranked)
    months = {month_key(p.day) for p in ranked_live} | {
        month_key(p.day) for p in (was, now) if p is not None
    }
    for month in sorted(months):
        sync_month(state, journal, month, reranked)
    refresh_memories(state, journal, sorted(reranked))
    _refresh_covers(state, journal, reranked)
    return outputs + list(journal.events(state.user_id, cause, at))


def _refresh_covers(state: UserState, journal: Journal, reranked: set[str]) -> None:
    containing: set[str] = set()
    for pid in reranked:
        photo = state.photos.get(pid)
        for aid in (state.event_of.get(pid), state.trip_of.get(pid)):
            if aid is not None:
                containing.add(aid)
        if photo is not None and photo.live:
            aid = place_id(state, photo)
            if aid is not None:
                containing.add(aid)
    kinds = (AlbumKind.EVENT, AlbumKind.TRIP, AlbumKind.PLACE)
    for aid in sorted(containing | set(journal.touched())):
        album = state.albums.get(aid)
        if album is None or album.kind not in kinds:
            continue
        changed = set(journal.delta(aid)) | {pid for pid in reranked if pid in album.members}
        if changed:
            journal.touch(aid, album.kind)
            refresh_cover(state, album, sorted(changed))


def _timeline(
    state: UserState,
    pid: str,
    was: Photo | None,
    now: Photo | None,
    old_hl: bool,
    flipped: set[str],
    cause: str,
    at: datetime,
) -> list[Record]:
    out: dict[str, Record] = {}
    if was is not None and now is None:
        day = date.fromordinal(was.day).isoformat()
        out[pid] = TimelineItemRemoved(
            event_id=derive_event_id(pid, "timeline-removed", TIMELINE_VERSION, cause),
            source_event_id=cause,
            user_id=state.user_id,
            photo_id=pid,
            local_day=day,
            month_bucket=day[:7],
            removed_at=at,
        )
    elif now is not None:
        hl = state.highlighted(now)
        if was is None or not same_item(was, now) or hl != old_hl:
            out[pid] = upsert_for(state.user_id, now, hl, cause_event_id=cause, previous=was)
    for other in flipped - {pid}:
        photo = state.photos.get(other)
        if photo is not None and photo.live:
            hl = state.highlighted(photo)
            out[other] = upsert_for(state.user_id, photo, hl, cause_event_id=cause)
    return [out[key] for key in sorted(out)]
