"""The geo lookups photostream needs, as Protocols, and the place they return."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Geocoder", "Place", "ZoneFinder", "usable_position"]


@dataclass(frozen=True, slots=True)
class Place:
    """A named place; any part may be unknown."""

    city: str | None
    region: str | None
    country_code: str | None  # ISO 3166-1 alpha-2, upper case


class Geocoder(Protocol):
    def place_at(self, latitude: float, longitude: float) -> Place | None:
        """The place at a position, or ``None`` when nothing is near enough to name it."""
        ...


class ZoneFinder(Protocol):
    def zone_at(self, latitude: float, longitude: float) -> str | None:
        """The IANA time zone name in force at a position, or ``None``."""
        ...


def usable_position(latitude: float | None, longitude: float | None) -> bool:
    """Whether a position is worth a lookup: present, finite, in range and not (0, 0).

    Exactly (0, 0) is what an unset receiver writes; naming it "Gulf of
    Guinea" or giving it that zone would be a confident wrong answer.
    """
    if latitude is None or longitude is None:
        return False
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    if abs(latitude) > 90 or abs(longitude) > 180:
        return False
    return not (latitude == 0.0 and longitude == 0.0)
