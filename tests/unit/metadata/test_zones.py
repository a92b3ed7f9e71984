"""The offset chain past the file: GPS position zone (DST-correct), GPS clock, client hint."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from processors.metadata import PhotoMetadata, resolve_capture_time
from processors.provenance import TimeSource, TzSource

UPLOADED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class _Zones:
    """A zone finder that knows one answer and counts questions."""

    def __init__(self, zone: str | None) -> None:
        self.zone, self.asked = zone, 0

    def zone_at(self, latitude: float, longitude: float) -> str | None:
        self.asked += 1
        return self.zone


def _photo(extract: Any, jpeg: Any, **shot: Any) -> PhotoMetadata:
    result: PhotoMetadata = extract(jpeg(**shot))
    return result


@pytest.mark.parametrize(
    ("when", "zone", "offset"),
    [
        ("2024:07:04 21:15:00", "America/New_York", -240),
        ("2024:12:24 21:15:00", "America/New_York", -300),
        ("2024:03:31 00:59:00", "Europe/Lisbon", 0),
        ("2024:03:31 02:00:00", "Europe/Lisbon", 60),
        ("2024:04:07 16:40:00", "Asia/Tokyo", 540),
    ],
)
def test_gps_zone_at_that_wall_time_beats_the_hint(
    extract: Any, jpeg: Any, when: str, zone: str, offset: int
) -> None:
    meta = _photo(extract, jpeg, date_time_original=when, gps=(10.0, 10.0, None))
    resolved = resolve_capture_time(
        meta, uploaded_at=UPLOADED, client_timezone="Europe/Lisbon", zones=_Zones(zone)
    )
    assert (resolved.offset_minutes, resolved.tz_source) == (offset, TzSource.GPS)
    assert meta.capture_local is not None
    assert resolved.utc == (meta.capture_local - timedelta(minutes=offset)).replace(tzinfo=UTC)


def test_an_offset_in_the_file_beats_the_gps_zone(extract: Any, jpeg: Any) -> None:
    meta = _photo(
        extract,
        jpeg,
        date_time_original="2024:04:07 16:40:00",
        offset_time_original="+01:00",
        gps=(35.36, 138.73, None),
    )
    zones = _Zones("Asia/Tokyo")
    resolved = resolve_capture_time(meta, uploaded_at=UPLOADED, client_timezone=None, zones=zones)
    assert (resolved.offset_minutes, resolved.tz_source) == (60, TzSource.EXIF_OFFSET)


def test_the_gps_zone_beats_the_gps_clock(extract: Any, jpeg: Any) -> None:
    from PIL.TiffImagePlugin import IFDRational as R

    clock = {29: "2024:04:07", 7: (R(6, 1), R(40, 1), R(0, 1))}  # says +10:00
    meta = _photo(
        extract,
        jpeg,
        date_time_original="2024:04:07 16:40:00",
        gps=(35.36, 138.73, None),
        gps_raw=clock,
    )
    assert (meta.utc_offset_minutes, meta.tz_source) == (600, TzSource.GPS_TIME)
    with_zone = resolve_capture_time(
        meta, uploaded_at=UPLOADED, client_timezone=None, zones=_Zones("Asia/Tokyo")
    )
    assert (with_zone.offset_minutes, with_zone.tz_source) == (540, TzSource.GPS)
    without = resolve_capture_time(
        meta, uploaded_at=UPLOADED, client_timezone="Europe/Lisbon", zones=_Zones(None)
    )
    assert (without.offset_minutes, without.tz_source) == (600, TzSource.GPS_TIME)


@pytest.mark.parametrize("gps", [None, (0.0, 0.0, None)])
def test_no_usable_position_means_no_zone_lookup(extract: Any, jpeg: Any, gps: Any) -> None:
    meta = _photo(extract, jpeg, date_time_original="2024:07:04 21:15:00", gps=gps)
    zones = _Zones("Asia/Tokyo")
    resolved = resolve_capture_time(
        meta, uploaded_at=UPLOADED, client_timezone="America/New_York", zones=zones
    )
    assert (resolved.offset_minutes, resolved.tz_source, zones.asked) == (
        -240,
        TzSource.CLIENT_HINT,
        0,
    )


def test_unknown_zone_name_falls_back_to_the_hint(extract: Any, jpeg: Any) -> None:
    meta = _photo(extract, jpeg, date_time_original="2024:07:04 21:15:00", gps=(1.0, 1.0, None))
    resolved = resolve_capture_time(
        meta, uploaded_at=UPLOADED, client_timezone="+02:00", zones=_Zones("Mars/Olympus")
    )
    assert (resolved.offset_minutes, resolved.tz_source) == (120, TzSource.CLIENT_HINT)


def test_video_with_only_a_utc_time_gets_its_local_time_from_the_gps_zone(
    extract: Any, jpeg: Any
) -> None:
    meta = dataclasses.replace(
        _photo(extract, jpeg, gps=(35.66, 139.70, None)),
        media_type="video",
        capture_time_utc=datetime(2024, 4, 5, 10, 2, 11, tzinfo=UTC),
        time_source=TimeSource.QUICKTIME,
    )
    resolved = resolve_capture_time(
        meta, uploaded_at=UPLOADED, client_timezone=None, zones=_Zones("Asia/Tokyo")
    )
    assert resolved.local == datetime(2024, 4, 5, 19, 2, 11)
    assert resolved.utc == datetime(2024, 4, 5, 10, 2, 11, tzinfo=UTC)
    assert (resolved.offset_minutes, resolved.time_source, resolved.tz_source) == (
        540,
        TimeSource.QUICKTIME,
        TzSource.GPS,
    )
    no_zone = resolve_capture_time(meta, uploaded_at=UPLOADED, client_timezone=None)
    assert (no_zone.local, no_zone.offset_minutes, no_zone.tz_source) == (
        datetime(2024, 4, 5, 10, 2, 11),
        None,
        TzSource.UNKNOWN,
    )


def test_upload_time_is_shown_in_the_zone_of_the_gps_position(extract: Any, jpeg: Any) -> None:
    meta = _photo(extract, jpeg, gps=(35.66, 139.70, None))
    resolved = resolve_capture_time(
        meta, uploaded_at=UPLOADED, client_timezone="Europe/Lisbon", zones=_Zones("Asia/Tokyo")
    )
    assert (resolved.time_source, resolved.tz_source, resolved.offset_minutes) == (
        TimeSource.UPLOAD_TIME,
        TzSource.GPS,
        540,
    )
    assert resolved.local == datetime(2025, 3, 1, 21, 0)
