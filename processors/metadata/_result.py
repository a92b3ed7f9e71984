"""The record :func:`extract_metadata` returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..provenance import TimeSource, TzSource

__all__ = ["PhotoMetadata", "oriented_size"]

# EXIF orientations 5-8 rotate by 90 or 270 degrees: the displayed image is
# the stored one with width and height swapped.
_TRANSPOSED = frozenset({5, 6, 7, 8})


def oriented_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """Displayed (width, height) of a stored image with this EXIF orientation."""
    return (height, width) if orientation in _TRANSPOSED else (width, height)


@dataclass(frozen=True, slots=True)
class PhotoMetadata:
    """What the head of a photo says about it; no field needs the pixels.

    ``capture_local`` is the wall time where the photo was taken;
    ``capture_time_utc`` is set only when ``utc_offset_minutes`` is known.
    GPS is in signed decimal degrees (south and west negative), altitude in
    metres (below sea level negative); ``gps_null_island`` flags a position
    of exactly (0, 0), which is far more often an unset receiver than a photo
    taken in the Gulf of Guinea. ``oriented_*`` is what a viewer shows: the
    stored size turned by the orientation, and for HEIF also cropped to the
    clean aperture (HEVC codes whole blocks, so a 4000x3000 photo may be
    stored as 4032x3008). ``bytes_needed`` is where the last structure
    read ends in the object: a head that long holds all of this (with ranges
    read past the head, what lies between them was never needed). A video
    whose header has only a UTC creation time has ``capture_time_utc``
    without ``capture_local``.
    """

    media_type: str
    mime_type: str
    capture_local: datetime | None
    utc_offset_minutes: int | None
    capture_time_utc: datetime | None
    time_source: TimeSource
    tz_source: TzSource
    gps_latitude: float | None
    gps_longitude: float | None
    gps_altitude: float | None
    make: str | None
    model: str | None
    lens_model: str | None
    iso: int | None
    exposure_time_s: float | None
    f_number: float | None
    focal_length_mm: float | None
    focal_length_35mm: int | None
    orientation: int
    width: int
    height: int
    oriented_width: int
    oriented_height: int
    bytes_needed: int
    video_duration_s: float | None = None
    gps_null_island: bool = False
