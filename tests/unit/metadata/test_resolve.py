"""One instant per photo: the file's own time, the client's hint, or the upload time."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from processors.metadata import PhotoMetadata, parse_client_timezone, resolve_capture_time
from processors.provenance import TimeSource, TzSource

UPLOADED = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def meta(jpeg: Any, extract: Any) -> PhotoMetadata:
    """A photo with no capture time; tests set the time fields they need."""
    result: PhotoMetadata = extract(jpeg())
    assert result.capture_local is None
    return result


def _with_time(
    meta: PhotoMetadata, local: datetime, offset: int | None, source: TimeSource
) -> PhotoMetadata:
    utc = None
    if offset is not None:
        utc = local.replace(tzinfo=timezone(timedelta(minutes=offset))).astimezone(UTC)
    return dataclasses.replace(
        meta,
        capture_local=local,
        utc_offset_minutes=offset,
        capture_time_utc=utc,
        time_source=source,
        tz_source=TzSource.UNKNOWN if offset is None else TzSource.EXIF_OFFSET,
    )


def test_no_capture_time_and_no_hint_uses_upload_time_in_utc(meta: PhotoMetadata) -> None:
    resolved = resolve_capture_time(meta, uploaded_at=UPLOADED, client_timezone=None)
    assert resolved.utc == UPLOADED
    assert resolved.local == datetime(2024, 7, 1, 12, 0)
    assert resolved.offset_minutes is None
    assert (resolved.time_source, resolved.tz_source) == (TimeSource.UPLOAD_TIME, TzSource.UNKNOWN)


def test_no_capture_time_with_a_hint_shows_upload_time_in_that_zone(meta: PhotoMetadata) -> None:
    resolved = resolve_capture_time(meta, uploaded_at=UPLOADED, client_timezone="Asia/Tokyo")
    assert resolved.utc == UPLOADED
    assert resolved.local == datetime(2024, 7, 1, 21, 0)
    assert resolved.offset_minutes == 540
    assert (resolved.time_source, resolved.tz_source) == (
        TimeSource.UPLOAD_TIME,
        TzSource.CLIENT_HINT,
    )


def test_naive_upload_time_is_taken_as_utc(meta: PhotoMetadata) -> None:
    resolved = resolve_capture_time(
        meta, uploaded_at=datetime(2024, 7, 1, 12, 0), client_timezone=None
    )
    assert resolved.utc == UPLOADED


@pytest.mark.parametrize(
    ("local", "hint", "offset"),
    [
        (datetime(2024, 1, 14, 11, 5), "Europe/Lisbon", 0),
        (datetime(2024, 7, 20, 19, 12), "Europe/Lisbon", 60),
        (datetime(2024, 3, 31, 0, 59), "Europe/Lisbon", 0),  # just before the switch
        (datetime(2024, 3, 31, 2, 0), "Europe/Lisbon", 60),  # just after it
        (datetime(2024, 7, 4, 21, 15), "America/New_York", -240),
        (datetime(2024, 12, 24, 21, 15), "America/New_York", -300),
        (datetime(2024, 7, 4, 21, 15), "+02:00", 120),
        (datetime(2024, 7, 4, 21, 15), "-03:30", -210),
        (datetime(2024, 7, 4, 21, 15), "UTC+5", 300),
        (datetime(2024, 7, 4, 21, 15), "UTC", 0),
    ],
)
def test_wall_time_without_offset_takes_the_hint_dst_correct(
    meta: PhotoMetadata, local: datetime, hint: str, offset: int
) -> None:
    photo = _with_time(meta, local, None, TimeSource.EXIF_ORIGINAL)
    resolved = resolve_capture_time(photo, uploaded_at=UPLOADED, client_timezone=hint)
    assert resolved.local == local
    assert resolved.offset_minutes == offset
    assert resolved.utc == (local - timedelta(minutes=offset)).replace(tzinfo=UTC)
    assert (resolved.time_source, resolved.tz_source) == (
        TimeSource.EXIF_ORIGINAL,
        TzSource.CLIENT_HINT,
    )


@pytest.mark.parametrize("hint", [None, "", "Mars/Olympus_Mons", "../../etc/passwd", "+99:00"])
def test_wall_time_without_any_offset_is_placed_as_if_utc(
    meta: PhotoMetadata, hint: str | None
) -> None:
    local = datetime(2024, 1, 31, 23, 59, 59)
    photo = _with_time(meta, local, None, TimeSource.FILENAME)
    resolved = resolve_capture_time(photo, uploaded_at=UPLOADED, client_timezone=hint)
    assert resolved.utc == local.replace(tzinfo=UTC)
    assert resolved.local == local
    assert resolved.offset_minutes is None
    assert (resolved.time_source, resolved.tz_source) == (TimeSource.FILENAME, TzSource.UNKNOWN)


def test_the_files_own_offset_beats_the_hint(meta: PhotoMetadata) -> None:
    local = datetime(2024, 4, 5, 19, 2, 11, 350000)
    photo = _with_time(meta, local, 540, TimeSource.EXIF_ORIGINAL)
    resolved = resolve_capture_time(photo, uploaded_at=UPLOADED, client_timezone="Europe/Lisbon")
    assert resolved.utc == datetime(2024, 4, 5, 10, 2, 11, 350000, tzinfo=UTC)
    assert resolved.offset_minutes == 540
    assert resolved.tz_source is TzSource.EXIF_OFFSET


@pytest.mark.parametrize(
    ("hint", "offset_at_noon_july"),
    [("Europe/Lisbon", 60), ("+05:45", 345), ("Z", 0), ("Etc/GMT+3", -180)],
)
def test_parse_client_timezone(hint: str, offset_at_noon_july: int) -> None:
    zone = parse_client_timezone(hint)
    assert zone is not None
    offset = datetime(2024, 7, 1, 12, 0, tzinfo=zone).utcoffset()
    assert offset == timedelta(minutes=offset_at_noon_july)
