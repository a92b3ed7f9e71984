"""Shared fixtures for the contract tests: one valid record of every event type."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas import (
    EVENT_TYPES,
    AlbumChange,
    AlbumKind,
    AlbumUpdated,
    LocalSchemaRegistry,
    MediaType,
    MetadataExtracted,
    ModelScore,
    PhotoDeleted,
    PhotoUploaded,
    Record,
    TimelineItemRemoved,
    TimelineItemUpserted,
    TimeSource,
    TzSource,
    VisionRequested,
    VisionScored,
    derive_event_id,
)

_UPLOAD_ID = derive_event_id("photo-1", "upload")
_WHEN = datetime(2024, 5, 1, 10, 30, 15, 250000, tzinfo=UTC)
_SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _sample_records() -> dict[type[Record], Record]:
    """A valid, fully populated record of each event type."""
    meta_id = derive_event_id("photo-1", "metadata", "1.0", _UPLOAD_ID)
    samples: list[Record] = [
        PhotoUploaded(
            event_id=_UPLOAD_ID,
            user_id="user-1",
            photo_id="photo-1",
            bucket="originals",
            key="user-1/photo-1.jpg",
            size=3_145_728,
            content_type="image/jpeg",
            sha256=_SHA,
            filename="IMG_20240501_123015.jpg",
            uploaded_at=_WHEN,
            client_timezone="Europe/Paris",
        ),
        PhotoDeleted(
            event_id=derive_event_id("photo-1", "delete"),
            user_id="user-1",
            photo_id="photo-1",
            deleted_at=_WHEN,
        ),
        MetadataExtracted(
            event_id=meta_id,
            source_event_id=_UPLOAD_ID,
            user_id="user-1",
            photo_id="photo-1",
            bucket="originals",
            key="user-1/photo-1.jpg",
            sha256=_SHA,
            filename="IMG_20240501_123015.jpg",
            media_type=MediaType.PHOTO,
            mime_type="image/jpeg",
            capture_time_utc=_WHEN,
            capture_local="2024-05-01T12:30:15.250000",
            utc_offset_minutes=120,
            time_source=TimeSource.EXIF_ORIGINAL,
            tz_source=TzSource.EXIF_OFFSET,
            gps_latitude=48.8584,
            gps_longitude=2.2945,
            gps_altitude=35.5,
            place_city="Paris",
            place_region="Île-de-France",
            place_country_code="FR",
            make="Apple",
            model="iPhone 15 Pro",
            lens_model="iPhone 15 Pro back triple camera 6.86mm f/1.78",
            iso=64,
            exposure_time_s=1 / 120,
            f_number=1.78,
            focal_length_mm=6.86,
            focal_length_35mm=24.0,
            orientation=6,
            width=4032,
            height=3024,
            oriented_width=3024,
            oriented_height=4032,
            video_duration_s=None,
            extractor_version="1.0",
        ),
        VisionRequested(
            event_id=derive_event_id("photo-1", "vision-request", "v3", _UPLOAD_ID),
            source_event_id=_UPLOAD_ID,
            user_id="user-1",
            photo_id="photo-1",
            bucket="originals",
            key="user-1/photo-1.jpg",
            sha256=_SHA,
            model_version="v3",
        ),
        VisionScored(
            event_id=derive_event_id("photo-1", "vision", "v3", _UPLOAD_ID),
            source_event_id=derive_event_id("photo-1", "vision-request", "v3", _UPLOAD_ID),
            user_id="user-1",
            photo_id="photo-1",
            model_version="v3",
            scores=(
                ModelScore(
                    model="aesthetic",
                    version="2.1",
                    values={"score": 0.82, "sharpness": 0.61},
                    labels=("landscape", "sky"),
                ),
                ModelScore(model="faces", version="1.0", error="timeout", values={}),
            ),
            phash="c3d4e5f601020304",
            dhash="ffee00112233aabb",
            face_count=2,
            nsfw_probability=0.01,
            quality=0.77,
        ),
        TimelineItemUpserted(
            event_id=derive_event_id("photo-1", "timeline", "1", meta_id),
            source_event_id=meta_id,
            user_id="user-1",
            photo_id="photo-1",
            capture_time_utc=_WHEN,
            capture_local="2024-05-01T12:30:15.250000",
            utc_offset_minutes=120,
            local_day="2024-05-01",
            month_bucket="2024-05",
            sort_key="2024-05-01T12:30:15.250000|photo-1",
            time_source=TimeSource.EXIF_ORIGINAL,
            tz_source=TzSource.EXIF_OFFSET,
            make="Apple",
            model="iPhone 15 Pro",
            oriented_width=3024,
            oriented_height=4032,
            place_city="Paris",
            place_country_code="FR",
            highlight=True,
            previous_local_day="2024-04-30",
            previous_month_bucket="2024-04",
        ),
        TimelineItemRemoved(
            event_id=derive_event_id("photo-1", "timeline-remove", "1"),
            source_event_id=derive_event_id("photo-1", "delete"),
            user_id="user-1",
            photo_id="photo-1",
            local_day="2024-05-01",
            month_bucket="2024-05",
            removed_at=_WHEN,
        ),
        AlbumUpdated(
            event_id=derive_event_id("album-1", "photo-added", "photo-1"),
            source_event_id=meta_id,
            user_id="user-1",
            album_id="album-1",
            album_kind=AlbumKind.TRIP,
            change=AlbumChange.PHOTO_ADDED,
            photo_id="photo-1",
            title="Paris, May 2024",
            cover_photo_id="photo-1",
            occurred_at=_WHEN,
        ),
    ]
    by_type = {type(record): record for record in samples}
    assert set(by_type) == set(EVENT_TYPES)
    return by_type


@pytest.fixture(scope="session")
def samples() -> dict[type[Record], Record]:
    # Records are immutable, so one set serves the whole session.
    return _sample_records()


@pytest.fixture
def registry() -> LocalSchemaRegistry:
    return LocalSchemaRegistry()
