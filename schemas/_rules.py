"""Contract rules beyond Avro types: formats, ranges and cross-field agreement.

Field rules are keyed by field name (names mean the same in every record),
or by ``Record.field`` where a name means something else in one record.
Each returns a problem description, or None when the value is fine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from .enums import AlbumChange

__all__ = ["FIELD_RULES", "RECORD_RULES"]

_Rule = Callable[[Any], str | None]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-f]+")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?")
_OFFSET = re.compile(r"[+-](0\d|1[0-8]):[0-5]\d")
_IANA = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*")
_COUNTRY = re.compile(r"[A-Z]{2}")


def _non_empty(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def _pattern(regex: re.Pattern[str], what: str) -> _Rule:
    return lambda value: None if regex.fullmatch(value) else f"must be {what}, got {value!r}"


def _between(low: float, high: float) -> _Rule:
    return lambda value: None if low <= value <= high else f"must be in {low}..{high}, got {value}"


def _at_least(low: float) -> _Rule:
    return lambda value: None if value >= low else f"must be >= {low}, got {value}"


def _day(value: str) -> str | None:
    if _DAY.fullmatch(value):
        try:
            date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return f"must be a date YYYY-MM-DD, got {value!r}"


def _local_time(value: str) -> str | None:
    if _LOCAL.fullmatch(value):
        try:
            datetime.fromisoformat(value)
            return None
        except ValueError:
            pass
    return f"must be YYYY-MM-DDTHH:MM:SS[.ffffff], got {value!r}"


def _timezone(value: str) -> str | None:
    if _OFFSET.fullmatch(value) or _IANA.fullmatch(value):
        return None
    return f"must be an IANA zone name or +HH:MM, got {value!r}"


_NON_NEGATIVE = _at_least(0)


def _positive(value: float) -> str | None:
    return None if value > 0 else f"must be > 0, got {value}"


def _not_empty_bytes(value: bytes) -> str | None:
    return None if value else "must not be empty"


FIELD_RULES: Mapping[str, _Rule] = {
    **dict.fromkeys(("user_id", "photo_id", "album_id", "bucket", "key", "sort_key"), _non_empty),
    **dict.fromkeys(("model_version", "extractor_version"), _non_empty),
    "ModelScore.model": _non_empty,
    "ModelScore.version": _non_empty,
    "ImageEmbedding.model": _non_empty,
    "ImageEmbedding.version": _non_empty,
    "ImageEmbedding.scale": _positive,
    "ImageEmbedding.vector": _not_empty_bytes,
    "sha256": _pattern(_SHA256, "64 lowercase hex digits"),
    "phash": _pattern(_HEX, "lowercase hex"),
    "dhash": _pattern(_HEX, "lowercase hex"),
    "client_timezone": _timezone,
    "capture_local": _local_time,
    "local_day": _day,
    "previous_local_day": _day,
    "month_bucket": _pattern(_MONTH, "a month YYYY-MM"),
    "previous_month_bucket": _pattern(_MONTH, "a month YYYY-MM"),
    "place_country_code": _pattern(_COUNTRY, "an upper-case ISO 3166-1 alpha-2 code"),
    "orientation": _between(1, 8),
    "utc_offset_minutes": _between(-18 * 60, 18 * 60),
    "gps_latitude": _between(-90, 90),
    "gps_longitude": _between(-180, 180),
    "nsfw_probability": _between(0, 1),
    **dict.fromkeys(
        (
            "size",
            "width",
            "height",
            "oriented_width",
            "oriented_height",
            "iso",
            "face_count",
            "exposure_time_s",
            "f_number",
            "focal_length_mm",
            "focal_length_35mm",
            "video_duration_s",
        ),
        _NON_NEGATIVE,
    ),
}

_Problem = tuple[str, str] | None


def _capture_agrees(record: Any) -> _Problem:
    utc, local, offset = record.capture_time_utc, record.capture_local, record.utc_offset_minutes
    if (utc is None) != (local is None):
        return "capture_local", "must be set exactly when capture_time_utc is"
    if utc is None or local is None or offset is None:
        return None
    expected = (utc + timedelta(minutes=offset)).replace(tzinfo=None)
    if datetime.fromisoformat(local) != expected:
        return "capture_local", f"must be capture_time_utc at offset {offset} min ({expected})"
    return None


def _buckets_agree(day_field: str, month_field: str) -> Callable[[Any], _Problem]:
    def check(record: Any) -> _Problem:
        day, month = getattr(record, day_field), getattr(record, month_field)
        if day is not None and month is not None and month != day[:7]:
            return month_field, f"must be the month of {day_field} ({day[:7]})"
        return None

    return check


def _day_of_capture(record: Any) -> _Problem:
    if record.local_day != record.capture_local[:10]:
        return "local_day", f"must be the day of capture_local ({record.capture_local[:10]})"
    return None


_ALBUM_NEEDS = {
    AlbumChange.PHOTO_ADDED: "photo_id",
    AlbumChange.PHOTO_REMOVED: "photo_id",
    AlbumChange.RETITLED: "title",
    AlbumChange.COVER_CHANGED: "cover_photo_id",
}


def _album_change_complete(record: Any) -> _Problem:
    needed = _ALBUM_NEEDS.get(record.change)
    if needed is not None and getattr(record, needed) is None:
        return needed, f"is required for change {record.change}"
    return None


RECORD_RULES: Mapping[str, tuple[Callable[[Any], _Problem], ...]] = {
    "MetadataExtracted": (_capture_agrees,),
    "TimelineItemUpserted": (
        _capture_agrees,
        _day_of_capture,
        _buckets_agree("local_day", "month_bucket"),
        _buckets_agree("previous_local_day", "previous_month_bucket"),
    ),
    "TimelineItemRemoved": (_buckets_agree("local_day", "month_bucket"),),
    "AlbumUpdated": (_album_change_complete,),
}
"""Short record name -> checks that span fields; each returns (field, problem) or None."""
