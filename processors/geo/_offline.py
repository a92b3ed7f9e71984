"""The packaged offline data sets: GeoNames cities (reverse_geocode) and time zone polygons.

Both load in well under a second and stay in memory; :func:`default_geocoder`
and :func:`default_zone_finder` build each once per process, on first use.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from ._types import Place, usable_position

__all__ = ["OfflineGeocoder", "OfflineZoneFinder", "default_geocoder", "default_zone_finder"]

#: Beyond this distance to the nearest known town a photo is "somewhere", not "in" it.
MAX_PLACE_DISTANCE_KM = 50.0
_EARTH_RADIUS_KM = 6371.0


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _name(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


class OfflineGeocoder:
    """Nearest GeoNames populated place (population >= ``min_population``), within a radius."""

    def __init__(
        self, *, min_population: int = 0, max_distance_km: float = MAX_PLACE_DISTANCE_KM
    ) -> None:
        import reverse_geocode

        self._data = reverse_geocode.GeocodeData(min_population)
        self._max_distance_km = max_distance_km

    def place_at(self, latitude: float, longitude: float) -> Place | None:
        if not usable_position(latitude, longitude):
            return None
        (found,) = self._data.query([(latitude, longitude)])
        distance = _distance_km(latitude, longitude, found["latitude"], found["longitude"])
        if distance > self._max_distance_km:
            return None
        code = _name(found.get("country_code"))
        return Place(
            city=_name(found.get("city")),
            region=_name(found.get("state")),
            country_code=code.upper() if code else None,
        )


class OfflineZoneFinder:
    """Time zone polygons (timezone-boundary-builder data shipped with timezonefinder)."""

    def __init__(self) -> None:
        from timezonefinder import TimezoneFinder

        # In memory: the file-backed mode keeps data files open for the life of
        # the process (and warns about them at exit); loading takes ~0.25 s.
        self._finder = TimezoneFinder(in_memory=True)

    def zone_at(self, latitude: float, longitude: float) -> str | None:
        if not usable_position(latitude, longitude):
            return None
        zone = self._finder.timezone_at(lat=latitude, lng=longitude)
        return zone if isinstance(zone, str) and zone else None


@functools.cache
def default_geocoder() -> OfflineGeocoder:
    """The process-wide geocoder, loaded on first use."""
    return OfflineGeocoder()


@functools.cache
def default_zone_finder() -> OfflineZoneFinder:
    """The process-wide zone finder, loaded on first use."""
    return OfflineZoneFinder()
