"""Lenient parsing of the date, sub-second and offset strings photos carry.

Cameras and editors write these fields in many slightly wrong ways (NUL or
space padding, ``-`` instead of ``:``, blank placeholders like
``0000:00:00 00:00:00``). Every parser here returns ``None`` for anything it
cannot turn into a valid value, so a bad field falls through to the next
source instead of failing the photo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "MAX_OFFSET_MINUTES",
    "DateWithOffset",
    "parse_exif_datetime",
    "parse_iso_datetime",
    "parse_offset",
    "valid_datetime",
    "with_subseconds",
]

#: UTC-14:00 .. UTC+14:00 covers every zone in use (Kiribati is +14).
MAX_OFFSET_MINUTES = 14 * 60

# Photos predate 1826 only as scans, whose "capture" fields are then wrong anyway.
_MIN_YEAR = 1826
_MAX_YEAR = 2200

_EXIF_DATETIME = re.compile(
    r"\s*(\d{4})[:\-/.](\d{1,2})[:\-/.](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d+))?"
)
_ISO_DATETIME = re.compile(
    r"\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|(?:GMT|UTC)?[+\-]\d{2}(?::?\d{2})?)?\s*$"
)
_OFFSET = re.compile(r"\s*([+\-])(\d{1,2})(?::?(\d{2}))?\s*")


@dataclass(frozen=True, slots=True)
class DateWithOffset:
    """A local wall time and, when the string carried one, its UTC offset."""

    local: datetime
    offset_minutes: int | None


def valid_datetime(
    year: int, month: int, day: int, hour: int, minute: int, second: int, microsecond: int = 0
) -> datetime | None:
    """A naive datetime, or ``None`` when any part is out of range."""
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return datetime(year, month, day, hour, minute, second, microsecond)
    except ValueError:
        return None


def _microseconds(fraction: str | None) -> int:
    if not fraction:
        return 0
    return int(fraction[:6].ljust(6, "0"))


def parse_exif_datetime(text: str | None) -> datetime | None:
    """``YYYY:MM:DD HH:MM:SS`` (and common variants) as a naive wall time."""
    if not text:
        return None
    match = _EXIF_DATETIME.match(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    return valid_datetime(year, month, day, hour, minute, second, _microseconds(match.group(7)))


def with_subseconds(moment: datetime, subsec: str | None) -> datetime:
    """Add an EXIF SubSecTime* value ("123" means .123 s) unless one is already there."""
    if not subsec or moment.microsecond:
        return moment
    digits = subsec.strip().strip("\x00").strip()
    if not digits.isdigit() or not digits.isascii():
        return moment
    return moment.replace(microsecond=_microseconds(digits))


def parse_offset(text: str | None) -> int | None:
    """``+09:00`` / ``-0330`` / ``Z`` as signed minutes east of UTC; ``None`` if invalid."""
    if not text:
        return None
    text = text.strip("\x00 ")
    if text in {"Z", "z"}:
        return 0
    match = _OFFSET.fullmatch(text)
    if match is None:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if minutes >= 60:
        return None
    total = hours * 60 + minutes
    if total > MAX_OFFSET_MINUTES:
        return None
    return -total if match.group(1) == "-" else total


def parse_iso_datetime(text: str | None) -> DateWithOffset | None:
    """An ISO 8601 / XMP date-time with at least hours and minutes."""
    if not text:
        return None
    match = _ISO_DATETIME.match(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    local = valid_datetime(year, month, day, hour, minute, second, _microseconds(match.group(7)))
    if local is None:
        return None
    offset_text = match.group(8)
    offset = (
        parse_offset(offset_text.removeprefix("GMT").removeprefix("UTC")) if offset_text else None
    )
    return DateWithOffset(local, offset)
