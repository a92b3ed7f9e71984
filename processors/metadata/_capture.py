"""Choosing a photo's capture time and UTC offset, with where each came from.

Time: DateTimeOriginal (+SubSecTimeOriginal), then CreateDate/DateTimeDigitized
(+its SubSecTime), then XMP (exif:DateTimeOriginal, xmp:CreateDate,
photoshop:DateCreated), then IPTC DateCreated+TimeCreated, then the QuickTime
creation date of a video, then the file name. An EXIF date equal to the
ModifyDate an editor wrote when saving is not a capture time when an older
XMP or IPTC date exists.

Offset: the EXIF offset tag belonging to the chosen time, then OffsetTime,
then the offset in an XMP/IPTC date string for the same wall time, then the
difference between the wall time and the GPS receiver's UTC time. Whatever
is not in the file (the zone at the GPS position, the client's hint, upload
time) is :func:`resolve_capture_time`'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..provenance import TimeSource, TzSource
from ._container import VideoInfo
from ._dates import (
    MAX_OFFSET_MINUTES,
    DateWithOffset,
    parse_exif_datetime,
    parse_iso_datetime,
    parse_offset,
    with_subseconds,
)
from ._exif import ExifFields
from ._filenames import datetime_from_filename

__all__ = ["CaptureTime", "choose_capture_time", "offset_from_gps_time"]

# A camera clock and a GPS fix taken together agree to within this much
# once the zone offset (a multiple of 15 minutes) is taken out.
_GPS_TOLERANCE = timedelta(minutes=3)


@dataclass(frozen=True, slots=True)
class CaptureTime:
    local: datetime | None
    offset_minutes: int | None
    time_source: TimeSource
    tz_source: TzSource
    utc: datetime | None = None  # known without a local time: a video's UTC creation time


_NONE = CaptureTime(None, None, TimeSource.UNKNOWN, TzSource.UNKNOWN)


def offset_from_gps_time(local: datetime, gps_utc: datetime | None) -> int | None:
    """The zone offset that turns the GPS receiver's UTC time into the camera's wall time."""
    if gps_utc is None:
        return None
    difference = local.replace(microsecond=0) - gps_utc
    quarters = round(difference / timedelta(minutes=15))
    if abs(difference - quarters * timedelta(minutes=15)) > _GPS_TOLERANCE:
        return None
    offset = quarters * 15
    return offset if abs(offset) <= MAX_OFFSET_MINUTES else None


_Candidate = tuple[datetime, TimeSource, tuple[str | None, ...]]


def _exif_candidates(exif: ExifFields) -> list[_Candidate]:
    found: list[_Candidate] = []
    original = parse_exif_datetime(exif.date_time_original)
    if original is not None:
        found.append(
            (
                with_subseconds(original, exif.subsec_original),
                TimeSource.EXIF_ORIGINAL,
                (exif.offset_time_original, exif.offset_time),
            )
        )
    digitized = parse_exif_datetime(exif.date_time_digitized)
    if digitized is not None:
        found.append(
            (
                with_subseconds(digitized, exif.subsec_digitized),
                TimeSource.EXIF_DIGITIZED,
                (exif.offset_time_digitized, exif.offset_time, exif.offset_time_original),
            )
        )
    return found


def _same_wall_offset(local: datetime, dates: Sequence[DateWithOffset]) -> int | None:
    # A date string only vouches for an offset if it names the same wall time;
    # sub-seconds are often dropped by one writer and kept by the other.
    wall = local.replace(microsecond=0)
    for date in dates:
        if date.offset_minutes is not None and date.local.replace(microsecond=0) == wall:
            return date.offset_minutes
    return None


def _is_editor_save(local: datetime, exif: ExifFields, older: Sequence[DateWithOffset]) -> bool:
    modified = parse_exif_datetime(exif.modify_date)
    if modified is None or local.replace(microsecond=0) != modified:
        return False
    return any(date.local < modified for date in older)


def _with_offset(
    local: datetime,
    source: TimeSource,
    tags: Sequence[str | None],
    dates: Sequence[DateWithOffset],
    gps_utc: datetime | None,
) -> CaptureTime:
    for tag in tags:
        offset = parse_offset(tag)
        if offset is not None:
            return CaptureTime(local, offset, source, TzSource.EXIF_OFFSET)
    offset = _same_wall_offset(local, dates)
    if offset is not None:
        return CaptureTime(local, offset, source, TzSource.DATE_STRING)
    offset = offset_from_gps_time(local, gps_utc)
    if offset is not None:
        return CaptureTime(local, offset, source, TzSource.GPS_TIME)
    return CaptureTime(local, None, source, TzSource.UNKNOWN)


def _from_video(video: VideoInfo) -> CaptureTime | None:
    apple = parse_iso_datetime(video.created_local) if video.created_local else None
    if apple is not None:
        if apple.offset_minutes is None:
            return CaptureTime(apple.local, None, TimeSource.QUICKTIME, TzSource.UNKNOWN)
        return CaptureTime(
            apple.local, apple.offset_minutes, TimeSource.QUICKTIME, TzSource.DATE_STRING
        )
    if video.created_utc is not None:
        utc = video.created_utc.replace(tzinfo=UTC)
        return CaptureTime(None, None, TimeSource.QUICKTIME, TzSource.UNKNOWN, utc)
    return None


def choose_capture_time(
    exif: ExifFields | None,
    xmp: Sequence[DateWithOffset],
    iptc: DateWithOffset | None,
    filename: str,
    video: VideoInfo | None = None,
) -> CaptureTime:
    """The best capture time the file itself holds."""
    strings = [*xmp, *([iptc] if iptc is not None else [])]
    gps_utc = exif.gps_utc if exif is not None else None
    for local, source, tags in _exif_candidates(exif) if exif is not None else ():
        if exif is not None and _is_editor_save(local, exif, strings):
            continue
        return _with_offset(local, source, tags, strings, gps_utc)
    if xmp:
        return _with_offset(xmp[0].local, TimeSource.XMP, (), strings, gps_utc)
    if iptc is not None:
        return _with_offset(iptc.local, TimeSource.IPTC, (), strings, gps_utc)
    if video is not None:
        found = _from_video(video)
        if found is not None:
            return found
    from_name = datetime_from_filename(filename)
    if from_name is not None:
        return CaptureTime(from_name, None, TimeSource.FILENAME, TzSource.UNKNOWN)
    return _NONE
