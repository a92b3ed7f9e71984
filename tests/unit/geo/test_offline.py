"""The packaged offline lookups: place names and time zones from a GPS position."""

from __future__ import annotations

import random

import pytest
import reverse_geocode

from processors.geo import (
    OfflineGeocoder,
    OfflineZoneFinder,
    Place,
    default_geocoder,
    default_zone_finder,
    usable_position,
)


@pytest.fixture(scope="module")
def geocoder() -> OfflineGeocoder:
    return default_geocoder()


@pytest.fixture(scope="module")
def zones() -> OfflineZoneFinder:
    return default_zone_finder()


@pytest.mark.parametrize(
    ("position", "zone"),
    [
        ((38.7075, -9.1364), "Europe/Lisbon"),
        ((35.3606, 138.7274), "Asia/Tokyo"),
        ((40.7580, -73.9855), "America/New_York"),
        ((-33.8568, 151.2153), "Australia/Sydney"),
        ((27.7172, 85.3240), "Asia/Kathmandu"),
        ((41.0, -30.0), "Etc/GMT+2"),  # mid-Atlantic: a nautical zone
    ],
)
def test_zone_at(zones: OfflineZoneFinder, position: tuple[float, float], zone: str) -> None:
    assert zones.zone_at(*position) == zone


@pytest.mark.parametrize(
    ("position", "country", "region"),
    [
        ((38.7075, -9.1364), "PT", "Lisbon"),
        ((35.6595, 139.7005), "JP", "Tokyo"),
        ((-22.9519, -43.2105), "BR", "Rio de Janeiro"),
        ((40.7580, -73.9855), "US", "New York"),
    ],
)
def test_place_at(
    geocoder: OfflineGeocoder, position: tuple[float, float], country: str, region: str
) -> None:
    place = geocoder.place_at(*position)
    assert isinstance(place, Place)
    assert (place.country_code, place.region) == (country, region)
    assert place.city


def test_no_place_far_from_any_town(geocoder: OfflineGeocoder) -> None:
    assert geocoder.place_at(-40.0, -120.0) is None  # South Pacific


@pytest.mark.parametrize(
    "position",
    [(0.0, 0.0), (float("nan"), 1.0), (91.0, 0.0), (0.0, 181.0), (float("inf"), 0.0)],
)
def test_unusable_positions_are_never_looked_up(
    geocoder: OfflineGeocoder, zones: OfflineZoneFinder, position: tuple[float, float]
) -> None:
    assert not usable_position(*position)
    assert geocoder.place_at(*position) is None
    assert zones.zone_at(*position) is None


def test_defaults_are_loaded_once_per_process() -> None:
    assert default_geocoder() is default_geocoder()
    assert default_zone_finder() is default_zone_finder()


def test_the_compact_place_table_answers_as_reverse_geocode_does(
    geocoder: OfflineGeocoder,
) -> None:
    rng = random.Random(5)
    positions = [(rng.uniform(-60, 70), rng.uniform(-180, 180)) for _ in range(3000)]
    positions += [(38.7075, -9.1364), (35.6595, 139.7005), (-33.8568, 151.2153)]
    expected = reverse_geocode.search(positions)
    near = 0
    for position, found in zip(positions, expected, strict=True):
        place = geocoder.place_at(*position)
        if place is None:
            continue
        near += 1
        assert place.city == (found["city"].strip() or None), position
        assert place.region == ((found.get("state") or "").strip() or None), position
        assert place.country_code == found["country_code"].upper(), position
    # Most random points are at sea or far from a town; enough are near one.
    assert near >= 300
