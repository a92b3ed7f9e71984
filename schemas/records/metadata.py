"""What the ingest agent read from the original object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from ..enums import MediaType, TimeSource, TzSource
from ._base import NAMESPACE, EventId, Record

__all__ = ["MetadataExtracted"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MetadataExtracted(Record):
    """Capture time with provenance, place, camera and dimensions (``photos.metadata``).

    ``width``/``height`` are the stored pixels; ``oriented_*`` are as displayed.
    ``gps_null_island`` flags a position of exactly (0, 0), usually a receiver without a fix.
    """

    schema_name: ClassVar[str] = f"{NAMESPACE}.MetadataExtracted"

    event_id: EventId
    source_event_id: EventId
    user_id: str
    photo_id: str
    bucket: str
    key: str
    sha256: str
    filename: str
    media_type: MediaType
    mime_type: str | None = None
    capture_time_utc: datetime | None = None
    capture_local: str | None = None
    utc_offset_minutes: int | None = None
    time_source: TimeSource
    tz_source: TzSource
    gps_latitude: float | None = None
    gps_longitude: float | None = None
    gps_altitude: float | None = None
    place_city: str | None = None
    place_region: str | None = None
    place_country_code: str | None = None
    make: str | None = None
    model: str | None = None
    lens_model: str | None = None
    iso: int | None = None
    exposure_time_s: float | None = None
    f_number: float | None = None
    focal_length_mm: float | None = None
    focal_length_35mm: float | None = None
    orientation: int = 1
    width: int
    height: int
    oriented_width: int
    oriented_height: int
    video_duration_s: float | None = None
    extractor_version: str
    gps_null_island: bool = False
