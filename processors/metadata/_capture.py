"""Choosing a photo's capture time and UTC offset, with where each came from.

Time: DateTimeOriginal (+SubSecTimeOriginal), then DateTimeDigitized (+its
SubSecTime), then XMP dates, then the file name. Offset: the EXIF offset tag
belonging to the chosen time, then OffsetTime, then the offset of an XMP date
string for the same wall time. An invalid value falls through to the next
source. Upload time and client hints are the caller's business
(:func:`resolve_capture_time`), because they are not in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..provenance import TimeSource, TzSource
from ._dates import DateWithOffset, parse_exif_datetime, parse_offset, with_subseconds
from ._exif import ExifFields
from ._filenames import datetime_from_filename

__all__ = ["CaptureTime", "choose_capture_time"]


@dataclass(frozen=True, slots=True)
class CaptureTime:
    local: datetime | None
    offset_minutes: int | None
    time_source: TimeSource
    tz_source: TzSource


_NONE = CaptureTime(None, None, TimeSource.UNKNOWN, TzSource.UNKNOWN)


def _from_exif(exif: ExifFields) -> tuple[datetime, TimeSource, tuple[str | None, ...]] | None:
    original = parse_exif_datetime(exif.date_time_original)
    if original is not None:
        return (
            with_subseconds(original, exif.subsec_original),
            TimeSource.EXIF_ORIGINAL,
            (exif.offset_time_original, exif.offset_time),
        )
    digitized = parse_exif_datetime(exif.date_time_digitized)
    if digitized is not None:
        return (
            with_subseconds(digitized, exif.subsec_digitized),
            TimeSource.EXIF_DIGITIZED,
            (exif.offset_time_digitized, exif.offset_time, exif.offset_time_original),
        )
    return None


def _xmp_offset_for(local: datetime, xmp: Sequence[DateWithOffset]) -> int | None:
    # An XMP date only vouches for an offset if it names the same wall time;
    # sub-seconds are often dropped by one writer and kept by the other.
    wall = local.replace(microsecond=0)
    for date in xmp:
        if date.offset_minutes is not None and date.local.replace(microsecond=0) == wall:
            return date.offset_minutes
    return None


def choose_capture_time(
    exif: ExifFields | None, xmp: Sequence[DateWithOffset], filename: str
) -> CaptureTime:
    """The best capture time the file itself holds."""
    found = _from_exif(exif) if exif is not None else None
    if found is not None:
        local, source, offset_tags = found
        for tag in offset_tags:
            offset = parse_offset(tag)
            if offset is not None:
                return CaptureTime(local, offset, source, TzSource.EXIF_OFFSET)
        offset = _xmp_offset_for(local, xmp)
        if offset is not None:
            return CaptureTime(local, offset, source, TzSource.DATE_STRING)
        return CaptureTime(local, None, source, TzSource.UNKNOWN)
    if xmp:
        local = xmp[0].local
        offset = _xmp_offset_for(local, xmp)
        tz_source = TzSource.DATE_STRING if offset is not None else TzSource.UNKNOWN
        return CaptureTime(local, offset, TimeSource.XMP, tz_source)
    from_name = datetime_from_filename(filename)
    if from_name is not None:
        return CaptureTime(from_name, None, TimeSource.FILENAME, TzSource.UNKNOWN)
    return _NONE
