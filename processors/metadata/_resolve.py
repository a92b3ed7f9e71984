"""Turning a photo's own capture time plus what is known outside the file into one instant.

The file may lack a time (use the upload time), have only a UTC instant (a
video), or have a wall time without an offset (use the zone at its GPS
position, the GPS clock, or the client's timezone hint, each DST-correct for
that instant, or treat the wall time as UTC and say the zone is unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..geo import ZoneFinder, usable_position
from ..provenance import TimeSource, TzSource
from ._dates import parse_offset
from ._result import PhotoMetadata

__all__ = ["ResolvedTime", "parse_client_timezone", "resolve_capture_time"]

_FIXED_OFFSET = re.compile(r"(?:UTC|GMT)?\s*[+\-]\d{1,2}(?::?\d{2})?")
_IANA_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*")


@dataclass(frozen=True, slots=True)
class ResolvedTime:
    """The instant a photo sits at on the timeline, and where each part came from."""

    utc: datetime
    local: datetime
    offset_minutes: int | None
    time_source: TimeSource
    tz_source: TzSource


def parse_client_timezone(hint: str | None) -> tzinfo | None:
    """``"+02:00"``, ``"UTC-3"`` or an IANA name such as ``"Europe/Lisbon"``; else ``None``."""
    if not hint:
        return None
    hint = hint.strip()
    if _FIXED_OFFSET.fullmatch(hint):
        offset = parse_offset(hint.removeprefix("UTC").removeprefix("GMT").strip())
        return None if offset is None else timezone(timedelta(minutes=offset))
    if hint.upper() in {"UTC", "Z", "GMT"}:
        return UTC
    if len(hint) > 64 or not _IANA_KEY.fullmatch(hint):
        return None
    try:
        return ZoneInfo(hint)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _minutes(offset: timedelta | None) -> int | None:
    return None if offset is None else round(offset.total_seconds() / 60)


def _aware_utc(moment: datetime) -> datetime:
    # A naive upload time can only have come from a UTC clock.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _gps_zone(meta: PhotoMetadata, zones: ZoneFinder | None) -> tzinfo | None:
    if zones is None or not usable_position(meta.gps_latitude, meta.gps_longitude):
        return None
    assert meta.gps_latitude is not None and meta.gps_longitude is not None
    name = zones.zone_at(meta.gps_latitude, meta.gps_longitude)
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _at_instant(
    utc: datetime, zone: tzinfo | None, time_source: TimeSource, tz_source: TzSource
) -> ResolvedTime:
    if zone is None:
        return ResolvedTime(utc, utc.replace(tzinfo=None), None, time_source, TzSource.UNKNOWN)
    there = utc.astimezone(zone)
    return ResolvedTime(
        utc, there.replace(tzinfo=None), _minutes(there.utcoffset()), time_source, tz_source
    )


def resolve_capture_time(
    meta: PhotoMetadata,
    *,
    uploaded_at: datetime,
    client_timezone: str | None,
    zones: ZoneFinder | None = None,
) -> ResolvedTime:
    """One UTC instant, its local wall time and offset, with both sources.

    The offset comes from the file (an offset tag or a date string), then from
    the time zone at the photo's GPS position at that wall time (``zones``;
    DST-correct), then from the GPS receiver's UTC clock, then from the
    client's hint, else it is unknown and the wall time is placed as if UTC.
    """
    hint = parse_client_timezone(client_timezone)
    gps_zone = _gps_zone(meta, zones)
    zone, tz_source = (gps_zone, TzSource.GPS) if gps_zone else (hint, TzSource.CLIENT_HINT)
    local = meta.capture_local
    if local is None:
        if meta.capture_time_utc is not None:
            return _at_instant(_aware_utc(meta.capture_time_utc), zone, meta.time_source, tz_source)
        return _at_instant(_aware_utc(uploaded_at), zone, TimeSource.UPLOAD_TIME, tz_source)
    declared = meta.tz_source in (TzSource.EXIF_OFFSET, TzSource.DATE_STRING)
    if meta.utc_offset_minutes is not None and (declared or gps_zone is None):
        fixed = timezone(timedelta(minutes=meta.utc_offset_minutes))
        utc = meta.capture_time_utc or local.replace(tzinfo=fixed).astimezone(UTC)
        return ResolvedTime(utc, local, meta.utc_offset_minutes, meta.time_source, meta.tz_source)
    if zone is not None:
        # ZoneInfo picks the offset in force at that wall time (fold=0 for
        # the repeated hour), which is what makes the zone DST-correct.
        there = local.replace(tzinfo=zone)
        return ResolvedTime(
            there.astimezone(UTC), local, _minutes(there.utcoffset()), meta.time_source, tz_source
        )
    return ResolvedTime(local.replace(tzinfo=UTC), local, None, meta.time_source, TzSource.UNKNOWN)
