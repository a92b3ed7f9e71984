"""The metadata event of an upload: place names and the GPS time zone are filled in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from processors.events import metadata_event
from processors.geo import Place
from processors.metadata import extract_metadata
from schemas import PhotoUploaded, TzSource
from streams.samples import generate_samples

_SAMPLES = {sample.filename: sample for sample in generate_samples()}


class _Geocoder:
    def __init__(self) -> None:
        self.asked: list[tuple[float, float]] = []

    def place_at(self, latitude: float, longitude: float) -> Place | None:
        self.asked.append((latitude, longitude))
        return Place("Fujiyoshida", "Yamanashi", "JP")


class _Zones:
    def zone_at(self, latitude: float, longitude: float) -> str | None:
        return "Asia/Tokyo"


def _upload(filename: str, hint: str | None = "Europe/Lisbon") -> PhotoUploaded:
    sample = _SAMPLES[filename]
    return PhotoUploaded(
        event_id="6f1c2a8e-1d5e-4c9a-9a53-0d2f3f6b7a10",
        user_id=sample.user_id,
        photo_id=f"photo-{filename}",
        bucket="photos",
        key=f"{sample.user_id}/{filename}",
        size=len(sample.data),
        content_type=sample.content_type,
        sha256="0" * 64,
        filename=filename,
        uploaded_at=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
        client_timezone=hint,
    )


def _meta(filename: str):  # type: ignore[no-untyped-def]
    data = _SAMPLES[filename].data
    return extract_metadata(data, object_size=len(data), filename=filename)


def test_place_and_gps_zone_come_from_the_injected_lookups() -> None:
    geocoder = _Geocoder()
    event = metadata_event(
        _upload("DSCF0777.JPG"), _meta("DSCF0777.JPG"), geocoder=geocoder, zones=_Zones()
    )
    assert (event.place_city, event.place_region, event.place_country_code) == (
        "Fujiyoshida",
        "Yamanashi",
        "JP",
    )
    # The camera recorded no offset and the phone still says Lisbon; the GPS says Japan.
    assert (event.utc_offset_minutes, event.tz_source) == (540, TzSource.GPS)
    assert event.capture_local == "2024-04-07T16:40:00"
    assert geocoder.asked == [pytest.approx((35.3606, 138.7274))]


def test_a_photo_without_gps_has_no_place() -> None:
    geocoder = _Geocoder()
    event = metadata_event(
        _upload("scan-grandma.jpg", None), _meta("scan-grandma.jpg"), geocoder=geocoder
    )
    assert (event.place_city, event.place_country_code, geocoder.asked) == (None, None, [])


def test_default_offline_lookups_name_the_place() -> None:
    event = metadata_event(_upload("IMG_0412.JPG"), _meta("IMG_0412.JPG"))
    assert (event.place_country_code, event.place_region) == ("PT", "Lisbon")
    assert event.place_city
