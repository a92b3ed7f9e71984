"""Events and trips, recomputed only around what changed.

A change at some instants can only alter the runs within reach of them, so
the affected index ranges are grown to run boundaries (:func:`spans`), the
runs there are recomputed, and the old albums they overlap are replaced.
The old albums' members are folded back into the ranges until nothing new
turns up, so the replacement is always of whole runs: the result equals a
recomputation over the whole timeline (the property tests check exactly this).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta

from schemas import AlbumKind

from ._albums import Album, Journal
from ._facts import Photo
from ._rules import classify_trip, keep_run, run_album
from ._runs import IN, Classify, okey, position, segment, spans
from .state import UserState

__all__ = ["all_runs", "recompute_events", "recompute_trips", "trip_members"]

Seeds = Iterable[tuple[int, int]]


def _always_in(_: Photo) -> int:
    return IN


def _gap_us(state: UserState, kind: AlbumKind) -> int:
    cfg = state.settings
    gap = cfg.event_gap if kind is AlbumKind.EVENT else cfg.trip_max_gap
    return gap // timedelta(microseconds=1)


def trip_members(state: UserState, run: Sequence[Photo]) -> list[Photo]:
    """A trip's geotagged run plus the photos without GPS taken in between.

    A run is consecutive in the geotagged order, so every geotagged photo
    between its ends is in it: the members are a slice of the timeline.
    """
    lo = position(state.order, *okey(run[0]))
    hi = position(state.order, *okey(run[-1]))
    return state.order[lo : hi + 1]


def _setup(
    state: UserState, kind: AlbumKind
) -> tuple[list[Photo], Classify, dict[str, str], Callable[[list[Photo]], list[Photo]]]:
    if kind is AlbumKind.EVENT:
        return state.order, _always_in, state.event_of, lambda run: run
    seen: dict[str, int] = {}  # one recomputation asks about each photo several times

    def classify(photo: Photo) -> int:
        found = seen.get(photo.pid)
        if found is None:
            found = seen[photo.pid] = classify_trip(state, photo)
        return found

    return state.geo_order, classify, state.trip_of, lambda run: trip_members(state, run)


def all_runs(state: UserState, kind: AlbumKind) -> dict[str, Album]:
    """Every event or trip album, from scratch."""
    seq, classify, _, expand = _setup(state, kind)
    albums = {}
    for run in segment(seq, classify, _gap_us(state, kind)):
        members = expand(run)
        if keep_run(state, kind, members):
            aid, album = run_album(state, kind, members)
            albums[aid] = album
    return albums


def _recompute(
    state: UserState, journal: Journal, kind: AlbumKind, seeds: Seeds, old_aids: Iterable[str]
) -> tuple[set[str], set[str]]:
    seq, classify, member_of, expand = _setup(state, kind)
    gap = _gap_us(state, kind)
    pending = list(seeds)
    old = {aid for aid in old_aids if aid in state.albums}
    ranges: list[tuple[int, int]] = []
    while True:
        ranges = spans(seq, [*pending, *((lo + 1, hi) for lo, hi in ranges)], classify, gap)
        covered = {p.pid for lo, hi in ranges for p in seq[lo : hi + 1]}
        old |= {member_of[pid] for pid in covered if pid in member_of}
        pending = []
        for aid in old:
            for pid in state.albums[aid].members:
                photo = state.photos.get(pid)
                in_seq = photo is not None and (kind is AlbumKind.EVENT or photo.lat is not None)
                if pid not in covered and photo is not None and photo.live and in_seq:
                    at = position(seq, *okey(photo))
                    pending.append((at, at + 1))
        if not pending:
            break
    new: dict[str, Album] = {}
    for lo, hi in ranges:
        for run in segment(seq[lo : hi + 1], classify, gap):
            members = expand(run)
            if keep_run(state, kind, members):
                aid, album = run_album(state, kind, members)
                new[aid] = album
    dropped = set()
    for aid in old - new.keys():
        gone = journal.delete(aid)
        dropped.add(gone.key)
        for pid in gone.members:
            if member_of.get(pid) == aid:
                del member_of[pid]
    for aid, album in new.items():
        current = state.albums.get(aid)
        if current is None:
            journal.create(aid, album)
        else:
            for pid in current.members - album.members:
                if member_of.get(pid) == aid:
                    del member_of[pid]
            journal.touch(aid, kind)
            journal.set_members(aid, album.members)
            current.title = album.title
            current.cover, current.cover_key = album.cover, album.cover_key
        for pid in album.members:
            member_of[pid] = aid
    return set(new), dropped


def _seeds(seq: Sequence[Photo], keys: Iterable[tuple[int, str]]) -> list[tuple[int, int]]:
    # The photo's own place in the order (or where it was): photos sharing
    # its instant sort by id, so the instant alone could miss it.
    return [(at, at + 1) for at in (position(seq, t, pid) for t, pid in keys)]


def recompute_events(
    state: UserState, journal: Journal, keys: Iterable[tuple[int, str]], old_aids: Iterable[str]
) -> None:
    """Events around ``keys`` (old and new ``(instant, photo id)`` of changed photos)."""
    _recompute(state, journal, AlbumKind.EVENT, _seeds(state.order, keys), old_aids)


def recompute_trips(
    state: UserState,
    journal: Journal,
    keys: Iterable[tuple[int, str]],
    windows: Iterable[tuple[int, int]],
    old_aids: Iterable[str],
) -> tuple[set[str], set[str]]:
    """Trips around ``keys`` (as for events) and within ``windows`` (µs ranges, home changed).

    Returns the ids of the trips rebuilt and the keys (anchors) of the trips deleted.
    """
    geo = state.geo_order
    seeds = _seeds(geo, keys)
    seeds += [(position(geo, lo), position(geo, hi)) for lo, hi in windows]
    return _recompute(state, journal, AlbumKind.TRIP, seeds, old_aids)
