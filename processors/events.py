"""Building the ingest stage's output events from an upload and its metadata."""

from __future__ import annotations

from schemas import (
    MediaType,
    MetadataExtracted,
    PhotoUploaded,
    VisionRequested,
    derive_event_id,
)

from .geo import Geocoder, ZoneFinder, default_geocoder, default_zone_finder
from .metadata import PhotoMetadata, resolve_capture_time

__all__ = ["EXTRACTOR_VERSION", "metadata_event", "vision_request"]

#: Part of every metadata event id: bump it when extraction changes its output,
#: so re-extracted photos get new events instead of colliding with old ones.
EXTRACTOR_VERSION = "metadata-3"


def metadata_event(
    upload: PhotoUploaded,
    meta: PhotoMetadata,
    *,
    geocoder: Geocoder | None = None,
    zones: ZoneFinder | None = None,
) -> MetadataExtracted:
    """The metadata event of one upload; place and GPS time zone from the offline data sets.

    ``geocoder`` and ``zones`` default to the process-wide offline lookups
    (loaded on first use); tests and benchmarks pass their own.
    """
    zones = zones if zones is not None else default_zone_finder()
    geocoder = geocoder if geocoder is not None else default_geocoder()
    resolved = resolve_capture_time(
        meta, uploaded_at=upload.uploaded_at, client_timezone=upload.client_timezone, zones=zones
    )
    place = None
    if meta.gps_latitude is not None and meta.gps_longitude is not None:
        place = geocoder.place_at(meta.gps_latitude, meta.gps_longitude)
    return MetadataExtracted(
        event_id=derive_event_id(upload.photo_id, "metadata", EXTRACTOR_VERSION, upload.event_id),
        source_event_id=upload.event_id,
        user_id=upload.user_id,
        photo_id=upload.photo_id,
        bucket=upload.bucket,
        key=upload.key,
        sha256=upload.sha256,
        filename=upload.filename,
        media_type=MediaType(meta.media_type.upper()),
        mime_type=meta.mime_type,
        capture_time_utc=resolved.utc,
        capture_local=resolved.local.isoformat(),
        utc_offset_minutes=resolved.offset_minutes,
        time_source=resolved.time_source,
        tz_source=resolved.tz_source,
        gps_latitude=meta.gps_latitude,
        gps_longitude=meta.gps_longitude,
        gps_altitude=meta.gps_altitude,
        gps_null_island=meta.gps_null_island,
        place_city=place.city if place else None,
        place_region=place.region if place else None,
        place_country_code=place.country_code if place else None,
        make=meta.make,
        model=meta.model,
        lens_model=meta.lens_model,
        iso=meta.iso,
        exposure_time_s=meta.exposure_time_s,
        f_number=meta.f_number,
        focal_length_mm=meta.focal_length_mm,
        focal_length_35mm=meta.focal_length_35mm,
        orientation=meta.orientation,
        width=meta.width,
        height=meta.height,
        oriented_width=meta.oriented_width,
        oriented_height=meta.oriented_height,
        video_duration_s=meta.video_duration_s,
        extractor_version=EXTRACTOR_VERSION,
    )


def vision_request(metadata: MetadataExtracted, model_version: str) -> VisionRequested:
    """Ask the vision stage to score a photo with ``model_version``."""
    return VisionRequested(
        event_id=derive_event_id(
            metadata.photo_id, "vision-request", model_version, metadata.event_id
        ),
        source_event_id=metadata.event_id,
        user_id=metadata.user_id,
        photo_id=metadata.photo_id,
        bucket=metadata.bucket,
        key=metadata.key,
        sha256=metadata.sha256,
        model_version=model_version,
    )
