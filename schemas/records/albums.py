"""Automatic album changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from ..enums import AlbumChange, AlbumKind
from ._base import NAMESPACE, EventId, Record

__all__ = ["AlbumUpdated"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AlbumUpdated(Record):
    """An automatic album changed (``photos.albums``).

    ``photo_id`` is set for PHOTO_ADDED/PHOTO_REMOVED, ``title`` for
    CREATED/RETITLED, ``cover_photo_id`` for COVER_CHANGED.
    """

    schema_name: ClassVar[str] = f"{NAMESPACE}.AlbumUpdated"

    event_id: EventId
    source_event_id: EventId
    user_id: str
    album_id: str
    album_kind: AlbumKind
    change: AlbumChange
    photo_id: str | None = None
    title: str | None = None
    cover_photo_id: str | None = None
    occurred_at: datetime
