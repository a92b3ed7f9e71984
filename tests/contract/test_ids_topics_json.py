"""Deterministic event ids, the topic table and the JSON view."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import (
    DEADLETTER_TOPIC,
    EVENT_TYPES,
    TOPIC_RECORDS,
    AlbumUpdated,
    MetadataExtracted,
    ModelScore,
    PhotoDeleted,
    PhotoUploaded,
    Record,
    TimelineItemRemoved,
    TimelineItemUpserted,
    VisionRequested,
    VisionScored,
    derive_event_id,
    record_types,
    to_json,
    topic_of,
)


def test_event_id_is_a_stable_uuid() -> None:
    first = derive_event_id("photo-1", "metadata", "1.0", "upload-event")
    assert first == derive_event_id("photo-1", "metadata", "1.0", "upload-event")
    assert str(uuid.UUID(first)) == first
    # Pinned: a change here changes every id already on the topics.
    assert derive_event_id("photo-1", "metadata") == "388b6f5d-1765-56cb-94ae-4855890cd125"


def test_event_id_recipe_for_other_languages() -> None:
    # UUIDv5 in namespace uuid5(URL, "urn:photostream:event-id") of the parts
    # as a compact JSON array (UTF-8, no ASCII escaping).
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:photostream:event-id")
    expected = uuid.uuid5(namespace, '["photo-1","métadonnées","v2"]')
    assert derive_event_id("photo-1", "métadonnées", "v2") == str(expected)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(st.text(max_size=10), min_size=1, max_size=4),
    st.lists(st.text(max_size=10), min_size=1, max_size=4),
)
def test_different_parts_give_different_ids(a: list[str], b: list[str]) -> None:
    if a != b:
        assert derive_event_id(*a) != derive_event_id(*b)


@pytest.mark.parametrize(
    ("a", "b"), [(("a:b",), ("a", "b")), (("ab", ""), ("a", "b")), (("a", "b"), ("b", "a"))]
)
def test_part_boundaries_and_order_matter(a: tuple[str, ...], b: tuple[str, ...]) -> None:
    assert derive_event_id(*a) != derive_event_id(*b)


def test_event_id_needs_string_parts() -> None:
    with pytest.raises(ValueError):
        derive_event_id()
    with pytest.raises(TypeError):
        derive_event_id("photo", 3)  # type: ignore[arg-type]


def test_topic_table() -> None:
    assert dict(TOPIC_RECORDS) == {
        "photos.uploaded": (PhotoUploaded,),
        "photos.deleted": (PhotoDeleted,),
        "photos.metadata": (MetadataExtracted,),
        "photos.vision.requested": (VisionRequested,),
        "photos.vision.scored": (VisionScored,),
        "photos.timeline": (TimelineItemUpserted, TimelineItemRemoved),
        "photos.albums": (AlbumUpdated,),
    }
    assert DEADLETTER_TOPIC == "photos.deadletter"
    assert {cls for types in TOPIC_RECORDS.values() for cls in types} == set(EVENT_TYPES)


def test_topic_lookups_with_prefix() -> None:
    assert record_types("dev.photos.timeline", prefix="dev.") == (
        TimelineItemUpserted,
        TimelineItemRemoved,
    )
    assert topic_of(TimelineItemRemoved, prefix="dev.") == "dev.photos.timeline"
    with pytest.raises(KeyError):
        record_types("photos.timeline", prefix="dev.")
    with pytest.raises(KeyError):
        record_types(DEADLETTER_TOPIC)
    with pytest.raises(KeyError):
        topic_of(ModelScore)


def test_json_view(samples: dict[type[Record], Record]) -> None:
    data = orjson.loads(to_json(samples[MetadataExtracted]))
    assert data["media_type"] == "PHOTO"
    assert data["time_source"] == "EXIF_ORIGINAL"
    assert data["capture_time_utc"] == "2024-05-01T10:30:15.250000+00:00"
    assert datetime.fromisoformat(data["capture_time_utc"]) == datetime(
        2024, 5, 1, 10, 30, 15, 250000, tzinfo=UTC
    )
    assert data["video_duration_s"] is None
    scored = orjson.loads(to_json(samples[VisionScored]))
    assert scored["scores"][0]["labels"] == ["landscape", "sky"]
