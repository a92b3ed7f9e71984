"""One user's curation state: the facts of their photos, and what is derived from them.

Only the *facts* are stored: each photo's winning metadata and scores
(:class:`Photo`), the ids of deleted photos, the live on-this-day dates and
the settings. Everything else (timeline order, duplicate stacks, highlights,
every album) is a function of the facts and is rebuilt when the state is
loaded, which keeps the stored bytes small and makes "album state is a
function of the set of inputs" true by construction.

Two ways to store it:

* whole: :meth:`UserState.to_bytes` / :meth:`UserState.from_bytes` (orjson,
  then zlib), simple, but the whole user is rewritten on every change;
* as entries: :meth:`UserState.entries` / :meth:`UserState.from_entries` and
  :meth:`UserState.take_changes`, one small entry per photo, so a table keyed
  by ``(user, entry key)`` writes only what an input changed. Use this for
  users with many photos.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import orjson

from ._albums import Album
from ._facts import Photo
from ._home import HomeIndex
from .settings import CurationSettings

__all__ = ["FORMAT_VERSION", "UserState"]

#: Version of the stored form; loading another version raises ValueError.
FORMAT_VERSION = 1
_PHOTO = "p:"
_DELETED = "d:"
_TICKS = "ticks"
_SETTINGS = "settings"


class UserState:
    """Facts and derived indices of one user; build with :meth:`new` or a loader."""

    __slots__ = (
        "_changes",
        "albums",
        "by_day",
        "day_hl",
        "deleted",
        "event_of",
        "geo_order",
        "home",
        "order",
        "photos",
        "settings",
        "sha",
        "stack_of",
        "ticks",
        "tops",
        "trip_of",
        "user_id",
    )

    user_id: str
    settings: CurationSettings
    photos: dict[str, Photo]
    deleted: set[str]
    ticks: list[date]
    # Derived, rebuilt on load:
    order: list[Photo]
    geo_order: list[Photo]
    sha: dict[int, str | tuple[str, ...]]
    by_day: dict[int, list[str]]
    home: HomeIndex
    stack_of: dict[str, str]
    event_of: dict[str, str]
    trip_of: dict[str, str]
    day_hl: dict[int, tuple[str, ...]]
    albums: dict[str, Album]
    tops: dict[str, dict[str, Any]]
    _changes: set[str]

    def __init__(self, user_id: str, settings: CurationSettings) -> None:
        self.user_id = user_id
        self.settings = settings
        self.photos = {}
        self.deleted = set()
        self.ticks = []
        self._changes = {_SETTINGS}  # a new state's first write must carry its settings
        self.reset_derived()

    @classmethod
    def new(cls, user_id: str, settings: CurationSettings | None = None) -> UserState:
        """An empty state for ``user_id``."""
        return cls(user_id, settings or CurationSettings())

    def reset_derived(self) -> None:
        self.order = []
        self.geo_order = []
        self.sha = {}
        self.by_day = {}
        cfg = self.settings
        self.home = HomeIndex(
            cfg.home_cell_degrees, cfg.home_window_months, cfg.trip_min_distance_km
        )
        self.stack_of = {}
        self.event_of = {}
        self.trip_of = {}
        self.day_hl = {}
        self.albums = {}
        self.tops = {}

    @property
    def photo_count(self) -> int:
        """Photos with facts (on the timeline or waiting for metadata)."""
        return len(self.photos)

    def highlighted(self, photo: Photo) -> bool:
        return photo.pid in self.day_hl.get(photo.day, ())

    # -- change tracking, for storage as entries --------------------------------

    def mark(self, key: str) -> None:
        self._changes.add(key)

    def take_changes(self) -> dict[str, bytes | None]:
        """Entries changed since the last call: key -> new bytes (None: delete the entry)."""
        changes, self._changes = self._changes, set()
        return {key: self._entry(key) for key in sorted(changes)}

    def entries(self) -> Iterator[tuple[str, bytes]]:
        """Every entry of this state; :meth:`from_entries` rebuilds it."""
        for key in (_SETTINGS, _TICKS):
            value = self._entry(key)
            if value is not None:
                yield key, value
        for pid in sorted(self.photos):
            yield _PHOTO + pid, orjson.dumps(self.photos[pid].to_list())
        for pid in sorted(self.deleted):
            yield _DELETED + pid, b""

    def _entry(self, key: str) -> bytes | None:
        if key == _SETTINGS:
            return orjson.dumps(self.settings.to_dict())
        if key == _TICKS:
            return orjson.dumps([d.isoformat() for d in self.ticks]) if self.ticks else None
        if key.startswith(_PHOTO):
            photo = self.photos.get(key[len(_PHOTO) :])
            return None if photo is None else orjson.dumps(photo.to_list())
        if key.startswith(_DELETED):
            return b"" if key[len(_DELETED) :] in self.deleted else None
        raise KeyError(key)

    @classmethod
    def from_entries(cls, user_id: str, entries: Iterable[tuple[str, bytes]]) -> UserState:
        """Rebuild from :meth:`entries` (any order); derived state is recomputed."""
        settings, facts = CurationSettings(), []
        ticks: list[date] = []
        deleted = set()
        for key, value in entries:
            if key == _SETTINGS:
                settings = CurationSettings.from_dict(orjson.loads(value))
            elif key == _TICKS:
                ticks = [date.fromisoformat(d) for d in orjson.loads(value)]
            elif key.startswith(_PHOTO):
                facts.append(Photo.from_list(orjson.loads(value)))
            elif key.startswith(_DELETED):
                deleted.add(key[len(_DELETED) :])
            else:
                raise ValueError(f"unknown state entry {key!r}")
        return cls._assemble(user_id, settings, facts, deleted, ticks)

    # -- whole-state bytes -----------------------------------------------------

    def to_bytes(self) -> bytes:
        """The facts as compressed JSON; derived state is not stored."""
        body = {
            "v": FORMAT_VERSION,
            "user": self.user_id,
            "settings": self.settings.to_dict(),
            "ticks": [d.isoformat() for d in self.ticks],
            "deleted": sorted(self.deleted),
            "photos": [self.photos[pid].to_list() for pid in sorted(self.photos)],
        }
        return zlib.compress(orjson.dumps(body), 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> UserState:
        """Inverse of :meth:`to_bytes`; derived state is recomputed."""
        body = orjson.loads(zlib.decompress(data))
        if body.get("v") != FORMAT_VERSION:
            raise ValueError(f"unsupported curation state version {body.get('v')!r}")
        return cls._assemble(
            body["user"],
            CurationSettings.from_dict(body["settings"]),
            [Photo.from_list(item) for item in body["photos"]],
            set(body["deleted"]),
            [date.fromisoformat(d) for d in body["ticks"]],
        )

    @classmethod
    def _assemble(
        cls,
        user_id: str,
        settings: CurationSettings,
        facts: list[Photo],
        deleted: set[str],
        ticks: list[date],
    ) -> UserState:
        from ._build import build

        state = cls(user_id, settings)
        state.photos = {photo.pid: photo for photo in facts}
        state.deleted = deleted
        state.ticks = sorted(ticks)
        build(state)
        state._changes = set()
        return state
