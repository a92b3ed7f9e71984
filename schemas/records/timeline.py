"""The owner's timeline: a photo placed (or moved) and a photo removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from ..enums import TimeSource, TzSource
from ._base import NAMESPACE, EventId, Record

__all__ = ["TimelineItemRemoved", "TimelineItemUpserted"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineItemUpserted(Record):
    """A photo is on, or moved within, the timeline (``photos.timeline``).

    ``local_day`` and ``month_bucket`` are in the capture's local time; the
    ``previous_*`` fields say where the item was when a corrected date moved it.
    """

    schema_name: ClassVar[str] = f"{NAMESPACE}.TimelineItemUpserted"

    event_id: EventId
    source_event_id: EventId
    user_id: str
    photo_id: str
    capture_time_utc: datetime
    capture_local: str
    utc_offset_minutes: int | None = None
    local_day: str
    month_bucket: str
    sort_key: str
    time_source: TimeSource
    tz_source: TzSource
    make: str | None = None
    model: str | None = None
    oriented_width: int
    oriented_height: int
    place_city: str | None = None
    place_country_code: str | None = None
    highlight: bool = False
    previous_local_day: str | None = None
    previous_month_bucket: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineItemRemoved(Record):
    """A photo left the timeline (``photos.timeline``)."""

    schema_name: ClassVar[str] = f"{NAMESPACE}.TimelineItemRemoved"

    event_id: EventId
    source_event_id: EventId
    user_id: str
    photo_id: str
    local_day: str | None = None
    month_bucket: str | None = None
    removed_at: datetime
