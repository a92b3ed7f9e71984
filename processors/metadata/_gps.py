"""GPS position from an EXIF GPS IFD, as signed decimal degrees."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._dates import parse_exif_datetime
from ._values import number, text

__all__ = ["GpsPosition", "gps_position", "gps_utc"]

_LAT_REF, _LAT, _LON_REF, _LON, _ALT_REF, _ALT = 1, 2, 3, 4, 5, 6
_TIME_STAMP, _DATE_STAMP = 7, 29

# Below the deepest trench, above where balloons fly: anything outside is garbage
# such as an unset 0xFFFFFFFF rational.
_MIN_ALTITUDE_M = -12_000.0
_NUMBER = re.compile(rb"[+-]?(?=\d|\.\d)\d*(?:\.\d*)?(?:[Ee][+-]\d+)?")
_MAX_ASCII = 256
_MAX_ALTITUDE_M = 100_000.0


@dataclass(frozen=True, slots=True)
class GpsPosition:
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None


def _ascii_parts(value: bytes) -> tuple[float, ...]:
    # Some phones write "52,00000,50,00000,34,01180"; like exiftool, take the
    # first three numbers as degrees, minutes and seconds.
    return tuple(float(found) for found in _NUMBER.findall(value[:_MAX_ASCII])[:3])


def _degrees(value: Any) -> float | None:
    """Degrees from a (deg, min, sec) triple, a single decimal value, or ASCII text."""
    if isinstance(value, str):
        value = value.encode("latin-1", "replace")
    if isinstance(value, bytes | bytearray):
        value = _ascii_parts(bytes(value))
    parts = value if isinstance(value, tuple | list) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    total = 0.0
    for part, scale in zip(parts, (1.0, 60.0, 3600.0), strict=False):
        amount = number(part)
        if amount is None or amount < 0:
            return None
        total += amount / scale
    return total


def _signed(magnitude: float | None, ref: Any, negative: str, limit: float) -> float | None:
    if magnitude is None or not math.isfinite(magnitude) or magnitude > limit:
        return None
    hemisphere = (text(ref) or "").upper()[:1]
    return -magnitude if hemisphere == negative else magnitude


def _altitude(gps: Mapping[int, Any]) -> float | None:
    altitude = number(gps.get(_ALT))
    if altitude is None:
        return None
    ref = gps.get(_ALT_REF)
    below = ref[:1] == b"\x01" if isinstance(ref, bytes | bytearray) else number(ref) == 1
    altitude = -altitude if below else altitude
    if not _MIN_ALTITUDE_M <= altitude <= _MAX_ALTITUDE_M:
        return None
    return altitude


def gps_position(gps: Mapping[int, Any]) -> GpsPosition:
    """Latitude and longitude together or not at all; impossible values count as absent."""
    latitude = _signed(_degrees(gps.get(_LAT)), gps.get(_LAT_REF), "S", 90.0)
    longitude = _signed(_degrees(gps.get(_LON)), gps.get(_LON_REF), "W", 180.0)
    if latitude is None or longitude is None:
        return GpsPosition()
    return GpsPosition(latitude, longitude, _altitude(gps))


def gps_utc(gps: Mapping[int, Any]) -> datetime | None:
    """The receiver's UTC time (GPSDateStamp + GPSTimeStamp), to the second."""
    date = text(gps.get(_DATE_STAMP))
    stamp = gps.get(_TIME_STAMP)
    if date is None or not isinstance(stamp, tuple) or len(stamp) != 3:
        return None
    parts = [number(part) for part in stamp]
    if any(part is None or part < 0 for part in parts):
        return None
    hours, minutes, seconds = (float(part) for part in parts)  # type: ignore[arg-type]
    if hours >= 24 or minutes >= 60 or seconds >= 61:
        return None
    return parse_exif_datetime(f"{date} {int(hours):02d}:{int(minutes):02d}:{int(seconds):02d}")
