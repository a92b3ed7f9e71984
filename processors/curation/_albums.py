"""Album state and the journal that turns album changes into ``AlbumUpdated`` events.

Every change to an album goes through a :class:`Journal`, which remembers how
each album looked before the first change and the net membership change; at
the end, :meth:`Journal.events` emits the difference. Adding then removing a
photo within one input therefore emits nothing, and the events an input
causes depend only on the state before and after it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from schemas import AlbumChange, AlbumKind, AlbumUpdated, derive_event_id

__all__ = ["ALBUM_VERSION", "Album", "Journal", "album_id"]

#: Part of every album id and album event id; bump it when album rules change
#: so that new albums do not collide with the old ones a consumer holds.
ALBUM_VERSION = "albums-1"


# Enough for the albums of the users being worked on; an entry costs ~200 B
# and a miss ~7 us, so a bigger cache is memory that buys nothing.
@functools.lru_cache(maxsize=4096)
def album_id(user_id: str, kind: AlbumKind, key: str) -> str:
    """The stable id of a user's album of ``kind`` identified by ``key`` (a UUID)."""
    return derive_event_id("album", ALBUM_VERSION, user_id, str(kind), key)


class Album:
    """One album: ``key`` names it within its kind (an anchor photo, a city, a month...)."""

    __slots__ = ("cover", "cover_key", "key", "kind", "members", "title")

    def __init__(self, kind: AlbumKind, key: str, title: str, members: set[str]) -> None:
        self.kind = kind
        self.key = key
        self.title = title
        self.members = members
        self.cover: str | None = None
        self.cover_key: Any = None


class Journal:
    """Records album changes of one input against ``albums``, which it mutates."""

    __slots__ = ("_before", "_delta", "albums")

    def __init__(self, albums: dict[str, Album]) -> None:
        self.albums = albums
        self._before: dict[str, tuple[AlbumKind, bool, str | None, str | None]] = {}
        self._delta: dict[str, dict[str, bool]] = {}

    def touch(self, aid: str, kind: AlbumKind) -> None:
        """Remember how ``aid`` looks now; call before changing title or cover."""
        if aid not in self._before:
            album = self.albums.get(aid)
            if album is None:
                self._before[aid] = (kind, False, None, None)
            else:
                self._before[aid] = (album.kind, True, album.title, album.cover)

    def touched(self) -> Iterable[str]:
        return self._before.keys()

    def delta(self, aid: str) -> dict[str, bool]:
        """Photos added (True) or removed (False) from ``aid`` so far."""
        return self._delta.get(aid, {})

    def create(self, aid: str, album: Album) -> None:
        self.touch(aid, album.kind)
        if aid in self.albums:
            raise KeyError(f"album {aid} exists")
        self.albums[aid] = album
        for pid in album.members:
            self._mark(aid, pid, True)

    def delete(self, aid: str) -> Album:
        album = self.albums[aid]
        self.touch(aid, album.kind)
        del self.albums[aid]
        for pid in album.members:
            self._mark(aid, pid, False)
        return album

    def add(self, aid: str, pid: str) -> None:
        album = self.albums[aid]
        if pid not in album.members:
            self.touch(aid, album.kind)
            album.members.add(pid)
            self._mark(aid, pid, True)

    def remove(self, aid: str, pid: str) -> None:
        album = self.albums[aid]
        if pid in album.members:
            self.touch(aid, album.kind)
            album.members.discard(pid)
            self._mark(aid, pid, False)

    def set_members(self, aid: str, members: set[str]) -> None:
        album = self.albums[aid]
        for pid in album.members - members:
            self.remove(aid, pid)
        for pid in members - album.members:
            self.add(aid, pid)

    def _mark(self, aid: str, pid: str, added: bool) -> None:
        delta = self._delta.setdefault(aid, {})
        if delta.get(pid) is (not added):
            del delta[pid]
        else:
            delta[pid] = added

    def events(self, user_id: str, cause_event_id: str, at: datetime) -> list[AlbumUpdated]:
        """The net change of every touched album, in album id order."""
        out: list[AlbumUpdated] = []

        def emit(aid: str, kind: AlbumKind, change: AlbumChange, **payload: str) -> None:
            value = next(iter(payload.values()), "")
            out.append(
                AlbumUpdated(
                    event_id=derive_event_id(
                        "album", ALBUM_VERSION, aid, str(change), value, cause_event_id
                    ),
                    source_event_id=cause_event_id,
                    user_id=user_id,
                    album_id=aid,
                    album_kind=kind,
                    change=change,
                    occurred_at=at,
                    **payload,
                )
            )

        for aid in sorted(self._before):
            kind, existed, title, cover = self._before[aid]
            album = self.albums.get(aid)
            if album is None:
                if existed:
                    emit(aid, kind, AlbumChange.DELETED)
                continue
            if not existed:
                emit(aid, album.kind, AlbumChange.CREATED, title=album.title)
                added = sorted(album.members)
                removed: list[str] = []
            else:
                if album.title != title:
                    emit(aid, album.kind, AlbumChange.RETITLED, title=album.title)
                delta = self._delta.get(aid, {})
                added = sorted(pid for pid, was_added in delta.items() if was_added)
                removed = sorted(pid for pid, was_added in delta.items() if not was_added)
            for pid in removed:
                emit(aid, album.kind, AlbumChange.PHOTO_REMOVED, photo_id=pid)
            for pid in added:
                emit(aid, album.kind, AlbumChange.PHOTO_ADDED, photo_id=pid)
            if album.cover is not None and (not existed or album.cover != cover):
                emit(aid, album.kind, AlbumChange.COVER_CHANGED, cover_photo_id=album.cover)
        return out
