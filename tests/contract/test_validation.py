"""validate() names the field that breaks the contract."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from schemas import (
    EVENT_TYPES,
    AlbumChange,
    AlbumUpdated,
    InvalidEvent,
    MetadataExtracted,
    ModelScore,
    PhotoDeleted,
    PhotoUploaded,
    Record,
    TimelineItemRemoved,
    TimelineItemUpserted,
    VisionScored,
    validate,
)


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_samples_are_valid(cls: type[Record], samples: dict[type[Record], Record]) -> None:
    validate(samples[cls])


def _score(**changes: Any) -> tuple[ModelScore, ...]:
    return (dataclasses.replace(ModelScore(model="m", version="1", values={"x": 0.5}), **changes),)


CASES: list[tuple[type[Record], dict[str, Any], str]] = [
    (PhotoUploaded, {"uploaded_at": datetime(2024, 5, 1, 12, 0)}, "uploaded_at"),
    (
        PhotoUploaded,
        {"uploaded_at": datetime(2024, 5, 1, tzinfo=timezone(timedelta(hours=2)))},
        "uploaded_at",
    ),
    (PhotoUploaded, {"uploaded_at": "2024-05-01T00:00:00Z"}, "uploaded_at"),
    (PhotoUploaded, {"size": -1}, "size"),
    (PhotoUploaded, {"size": 2**63}, "size"),
    (PhotoUploaded, {"size": True}, "size"),
    (PhotoUploaded, {"size": 1.0}, "size"),
    (PhotoUploaded, {"user_id": ""}, "user_id"),
    (PhotoUploaded, {"user_id": "  "}, "user_id"),
    (PhotoUploaded, {"user_id": None}, "user_id"),
    (PhotoUploaded, {"photo_id": 7}, "photo_id"),
    (PhotoUploaded, {"event_id": "not-a-uuid"}, "event_id"),
    (PhotoUploaded, {"event_id": "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"}, "event_id"),
    (PhotoUploaded, {"sha256": "ABC"}, "sha256"),
    (PhotoUploaded, {"sha256": "F" * 64}, "sha256"),
    (PhotoUploaded, {"client_timezone": "+5:30"}, "client_timezone"),
    (PhotoUploaded, {"client_timezone": "Paris time"}, "client_timezone"),
    (PhotoUploaded, {"bucket": ""}, "bucket"),
    (PhotoDeleted, {"deleted_at": None}, "deleted_at"),
    (MetadataExtracted, {"orientation": 0}, "orientation"),
    (MetadataExtracted, {"orientation": 9}, "orientation"),
    (MetadataExtracted, {"width": -1}, "width"),
    (MetadataExtracted, {"oriented_height": 2**31}, "oriented_height"),
    (MetadataExtracted, {"gps_latitude": 91.0}, "gps_latitude"),
    (MetadataExtracted, {"gps_longitude": float("nan")}, "gps_longitude"),
    (MetadataExtracted, {"gps_altitude": float("inf")}, "gps_altitude"),
    (MetadataExtracted, {"media_type": "PHOTO_BOOTH"}, "media_type"),
    (MetadataExtracted, {"time_source": None}, "time_source"),
    (MetadataExtracted, {"place_country_code": "fr"}, "place_country_code"),
    (MetadataExtracted, {"capture_local": "2024-05-01 12:30:15"}, "capture_local"),
    (MetadataExtracted, {"capture_local": "2024-05-01T12:30:15.25"}, "capture_local"),
    (MetadataExtracted, {"capture_local": "2024-02-30T12:30:15"}, "capture_local"),
    (MetadataExtracted, {"capture_local": "2024-05-01T13:30:15.250000"}, "capture_local"),
    (MetadataExtracted, {"capture_local": None}, "capture_local"),
    (MetadataExtracted, {"utc_offset_minutes": 24 * 60}, "utc_offset_minutes"),
    (MetadataExtracted, {"extractor_version": ""}, "extractor_version"),
    (VisionScored, {"scores": [None]}, "scores[0]"),
    (VisionScored, {"scores": "aesthetic"}, "scores"),
    (VisionScored, {"scores": _score(values={"x": float("nan")})}, "scores[0].values.x"),
    (VisionScored, {"scores": _score(model="")}, "scores[0].model"),
    (VisionScored, {"scores": _score(labels=("ok", 3))}, "scores[0].labels[1]"),
    (VisionScored, {"nsfw_probability": 1.5}, "nsfw_probability"),
    (VisionScored, {"phash": "XYZ"}, "phash"),
    (VisionScored, {"face_count": -2}, "face_count"),
    (TimelineItemUpserted, {"local_day": "2024-05-02"}, "local_day"),
    (TimelineItemUpserted, {"month_bucket": "2024-06"}, "month_bucket"),
    (TimelineItemUpserted, {"month_bucket": "2024-13"}, "month_bucket"),
    (TimelineItemUpserted, {"previous_month_bucket": "2024-03"}, "previous_month_bucket"),
    (TimelineItemUpserted, {"sort_key": ""}, "sort_key"),
    (TimelineItemUpserted, {"highlight": 1}, "highlight"),
    (TimelineItemRemoved, {"month_bucket": "2023-05"}, "month_bucket"),
    (TimelineItemRemoved, {"local_day": "01/05/2024"}, "local_day"),
    (AlbumUpdated, {"change": AlbumChange.PHOTO_REMOVED, "photo_id": None}, "photo_id"),
    (AlbumUpdated, {"change": AlbumChange.RETITLED, "title": None}, "title"),
    (AlbumUpdated, {"change": AlbumChange.COVER_CHANGED, "cover_photo_id": None}, "cover_photo_id"),
    (AlbumUpdated, {"album_id": ""}, "album_id"),
]


@pytest.mark.parametrize(
    ("cls", "changes", "field"), CASES, ids=[f"{c.__name__}-{f}" for c, _, f in CASES]
)
def test_invalid_records_name_the_field(
    cls: type[Record], changes: dict[str, Any], field: str, samples: dict[type[Record], Record]
) -> None:
    record = dataclasses.replace(samples[cls], **changes)  # type: ignore[type-var]
    with pytest.raises(InvalidEvent) as caught:
        validate(record)
    assert caught.value.field == field
    assert field in str(caught.value)


@pytest.mark.parametrize(
    ("cls", "changes"),
    [
        (PhotoUploaded, {"client_timezone": None}),
        (PhotoUploaded, {"client_timezone": "-03:00"}),
        (PhotoUploaded, {"client_timezone": "America/Argentina/Buenos_Aires"}),
        (PhotoUploaded, {"size": 0, "filename": "", "content_type": ""}),
        (MetadataExtracted, {"capture_time_utc": None, "capture_local": None}),
        (MetadataExtracted, {"utc_offset_minutes": None, "capture_local": "1999-12-31T23:59:59"}),
        (VisionScored, {"scores": ()}),
        (VisionScored, {"scores": [ModelScore(model="m", version="1", values={})]}),
        (TimelineItemUpserted, {"previous_local_day": None, "previous_month_bucket": None}),
        (TimelineItemRemoved, {"local_day": None, "month_bucket": None}),
        (AlbumUpdated, {"change": AlbumChange.DELETED, "photo_id": None, "title": None}),
    ],
    ids=repr,
)
def test_valid_variations_pass(
    cls: type[Record], changes: dict[str, Any], samples: dict[type[Record], Record]
) -> None:
    validate(dataclasses.replace(samples[cls], **changes))  # type: ignore[type-var]


def test_validate_refuses_a_nested_record_on_its_own() -> None:
    with pytest.raises(TypeError):
        validate(ModelScore(model="m", version="1", values={}))


def test_utc_datetimes_from_other_tz_objects_are_accepted(
    samples: dict[type[Record], Record],
) -> None:
    record = dataclasses.replace(
        samples[PhotoDeleted],  # type: ignore[type-var]
        deleted_at=datetime(2024, 5, 1, tzinfo=timezone(timedelta(0))),
    )
    validate(record)
    assert record.deleted_at == datetime(2024, 5, 1, tzinfo=UTC)  # type: ignore[attr-defined]
