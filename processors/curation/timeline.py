"""Timeline items: where a photo sits (instant, local day and month, order) and how it shows.

``local_day`` and ``month_bucket`` are the wall clock where the photo was
taken, so a photo from Tokyo at 08:00 on 3 April is on 3 April even for a
viewer in Lisbon. ``sort_key`` orders a timeline bytewise by UTC instant,
then photo id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from schemas import TimelineItemUpserted, TimeSource, TzSource, derive_event_id

from ._facts import EPOCH, Photo

__all__ = ["TIMELINE_VERSION", "TimelineItem", "sort_key", "upsert_for"]

#: Part of every timeline event id the curate stage emits; bump it when the
#: content of timeline items changes for the same inputs.
TIMELINE_VERSION = "curate-timeline-1"
_EPOCH_NAIVE = EPOCH.replace(tzinfo=None)


def sort_key(instant: datetime, photo_id: str) -> str:
    """Orders a timeline by instant, then photo id; sorts correctly as a string."""
    return f"{instant.astimezone(UTC).strftime('%Y%m%dT%H%M%S.%fZ')}|{photo_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineItem:
    """A live timeline item as a consumer keeps it: the upsert without its event bookkeeping."""

    user_id: str
    photo_id: str
    source_event_id: str
    capture_time_utc: datetime
    capture_local: str
    utc_offset_minutes: int | None
    local_day: str
    month_bucket: str
    sort_key: str
    time_source: TimeSource
    tz_source: TzSource
    make: str | None
    model: str | None
    oriented_width: int
    oriented_height: int
    place_city: str | None
    place_country_code: str | None
    highlight: bool

    @classmethod
    def from_upsert(cls, event: TimelineItemUpserted) -> TimelineItem:
        return cls(
            user_id=event.user_id,
            photo_id=event.photo_id,
            source_event_id=event.source_event_id,
            capture_time_utc=event.capture_time_utc,
            capture_local=event.capture_local,
            utc_offset_minutes=event.utc_offset_minutes,
            local_day=event.local_day,
            month_bucket=event.month_bucket,
            sort_key=event.sort_key,
            time_source=event.time_source,
            tz_source=event.tz_source,
            make=event.make,
            model=event.model,
            oriented_width=event.oriented_width,
            oriented_height=event.oriented_height,
            place_city=event.place_city,
            place_country_code=event.place_country_code,
            highlight=event.highlight,
        )


def upsert_for(
    user_id: str,
    photo: Photo,
    highlight: bool,
    *,
    cause_event_id: str,
    previous: Photo | None = None,
) -> TimelineItemUpserted:
    """The upsert placing a live ``photo``; ``previous`` is where it was, if it moved days.

    The event id derives from the photo and the input that caused the
    upsert, so processing that input again yields the same event.
    """
    if photo.t is None or photo.meid is None:
        raise ValueError("a timeline item needs a photo with a capture time")
    instant = EPOCH + timedelta(microseconds=photo.t)
    local = _EPOCH_NAIVE + timedelta(microseconds=photo.t + photo.delta)
    local_day = local.date().isoformat()
    moved = previous is not None and previous.t is not None and previous.day != photo.day
    previous_day = _local_day(previous) if moved and previous is not None else None
    return TimelineItemUpserted(
        event_id=derive_event_id(photo.pid, "timeline", TIMELINE_VERSION, cause_event_id),
        source_event_id=str(uuid.UUID(bytes=photo.meid)),
        user_id=user_id,
        photo_id=photo.pid,
        capture_time_utc=instant,
        capture_local=local.isoformat(),
        utc_offset_minutes=photo.off,
        local_day=local_day,
        month_bucket=local_day[:7],
        sort_key=sort_key(instant, photo.pid),
        time_source=photo.ts,
        tz_source=photo.tz,
        make=photo.make,
        model=photo.model,
        oriented_width=photo.ow,
        oriented_height=photo.oh,
        place_city=photo.city,
        place_country_code=photo.cc,
        highlight=highlight,
        previous_local_day=previous_day,
        previous_month_bucket=None if previous_day is None else previous_day[:7],
    )


def _local_day(photo: Photo) -> str:
    assert photo.t is not None
    return (_EPOCH_NAIVE + timedelta(microseconds=photo.t + photo.delta)).date().isoformat()


def same_item(old: Photo, new: Photo) -> bool:
    """Whether two facts of one photo give the same timeline item (highlight aside)."""
    return (
        old.meid == new.meid
        and old.t == new.t
        and old.delta == new.delta
        and old.off == new.off
        and old.ts == new.ts
        and old.tz == new.tz
        and old.make == new.make
        and old.model == new.model
        and old.ow == new.ow
        and old.oh == new.oh
        and old.city == new.city
        and old.cc == new.cc
    )
