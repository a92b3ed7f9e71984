"""Duplicate stacks: near-identical photos shown as one.

Two photos are duplicates when their sha256 is the same, or when they were
taken within ``stack_window`` of each other and their pHashes differ in at
most ``stack_phash_distance`` bits. A stack is a connected group of two or
more duplicates, named after its earliest photo; its top pick (the cover) is
the best-ranked photo that is safe for work.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import timedelta

from schemas import AlbumKind

from ._albums import Album, Journal, album_id
from ._facts import Photo
from ._rules import is_pick, stack_top_key
from ._runs import okey
from .state import UserState

__all__ = ["all_stacks", "recompute_stacks", "sha_add", "sha_remove"]


def sha_add(state: UserState, photo: Photo) -> None:
    # Almost every sha is unique: store the photo id itself, a tuple only for copies.
    if photo.sha is not None:
        found = state.sha.get(photo.sha)
        if found is None:
            state.sha[photo.sha] = photo.pid
        else:
            state.sha[photo.sha] = (*_same(state, photo.sha), photo.pid)


def sha_remove(state: UserState, photo: Photo) -> None:
    if photo.sha is not None:
        rest = tuple(pid for pid in _same(state, photo.sha) if pid != photo.pid)
        if not rest:
            del state.sha[photo.sha]
        else:
            state.sha[photo.sha] = rest[0] if len(rest) == 1 else rest


def _same(state: UserState, sha: int) -> tuple[str, ...]:
    found = state.sha.get(sha, ())
    return (found,) if isinstance(found, str) else found


def _t(photo: Photo) -> int:
    return photo.t or 0


def _neighbours(state: UserState, photo: Photo) -> list[str]:
    found = [pid for pid in _same(state, photo.sha) if pid != photo.pid] if photo.sha else []
    if photo.phash is not None and photo.t is not None:
        window = state.settings.stack_window // timedelta(microseconds=1)
        limit = state.settings.stack_phash_distance
        order = state.order
        lo = bisect_left(order, photo.t - window, key=_t)
        hi = bisect_right(order, photo.t + window, key=_t)
        for other in order[lo:hi]:
            if (
                other.phash is not None
                and other.pid != photo.pid
                and (other.phash ^ photo.phash).bit_count() <= limit
            ):
                found.append(other.pid)
    return found


def _components(state: UserState, seeds: Iterable[str]) -> list[list[Photo]]:
    seen: set[str] = set()
    groups = []
    for seed in seeds:
        start = state.photos.get(seed)
        if seed in seen or start is None or not start.live:
            continue
        seen.add(seed)
        group, frontier = [start], [start]
        while frontier:
            for pid in _neighbours(state, frontier.pop()):
                if pid not in seen:
                    seen.add(pid)
                    photo = state.photos[pid]
                    group.append(photo)
                    frontier.append(photo)
        if len(group) > 1:
            groups.append(group)
    return groups


def _album(state: UserState, group: list[Photo]) -> tuple[str, Album]:
    anchor = min(group, key=okey)
    album = Album(
        AlbumKind.DUPLICATE_STACK, anchor.pid, state.settings.stack_title, {p.pid for p in group}
    )
    top = min(group, key=lambda p: stack_top_key(state, p))
    album.cover, album.cover_key = top.pid, stack_top_key(state, top)
    return album_id(state.user_id, AlbumKind.DUPLICATE_STACK, anchor.pid), album


def all_stacks(state: UserState) -> dict[str, Album]:
    """Every stack, from scratch."""
    return dict(_album(state, g) for g in _components(state, (p.pid for p in state.order)))


def recompute_stacks(state: UserState, journal: Journal, seeds: Iterable[str]) -> set[str]:
    """Recompute the stacks reachable from ``seeds``; returns the photos whose pick status flipped.

    Pass the changed photo and its old stack mates: everything connected to
    them is re-examined, and every old stack that overlaps is replaced.
    """
    seeds = list(seeds)
    groups = _components(state, seeds)
    touched = {p.pid for g in groups for p in g} | set(seeds)
    old = {state.stack_of[pid] for pid in touched if pid in state.stack_of}
    for aid in old:
        touched |= state.albums[aid].members
    before = {pid: is_pick(state, pid) for pid in touched}
    new = dict(_album(state, g) for g in groups)
    for aid in old - new.keys():
        for pid in journal.delete(aid).members:
            if state.stack_of.get(pid) == aid:
                del state.stack_of[pid]
    for aid, album in new.items():
        current = state.albums.get(aid)
        if current is None:
            journal.create(aid, album)
        else:
            journal.touch(aid, AlbumKind.DUPLICATE_STACK)
            for pid in current.members - album.members:
                if state.stack_of.get(pid) == aid:
                    del state.stack_of[pid]
            journal.set_members(aid, album.members)
            current.cover, current.cover_key = album.cover, album.cover_key
        for pid in album.members:
            state.stack_of[pid] = aid
    return {pid for pid, was in before.items() if is_pick(state, pid) != was}
