"""Which records each topic carries (names only; partitioning lives in streams)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .records import (
    AlbumUpdated,
    MetadataExtracted,
    PhotoDeleted,
    PhotoUploaded,
    Record,
    TimelineItemRemoved,
    TimelineItemUpserted,
    VisionRequested,
    VisionScored,
)

__all__ = ["DEADLETTER_TOPIC", "TOPIC_RECORDS", "record_types", "topic_of"]

TOPIC_RECORDS: Mapping[str, tuple[type[Record], ...]] = MappingProxyType(
    {
        "photos.uploaded": (PhotoUploaded,),
        "photos.deleted": (PhotoDeleted,),
        "photos.metadata": (MetadataExtracted,),
        "photos.vision.requested": (VisionRequested,),
        "photos.vision.scored": (VisionScored,),
        "photos.timeline": (TimelineItemUpserted, TimelineItemRemoved),
        "photos.albums": (AlbumUpdated,),
    }
)
"""Unprefixed topic name -> the record classes its values may hold. Keys are ``user_id``."""

DEADLETTER_TOPIC = "photos.deadletter"
"""Holds the original bytes of failed records; see ``schemas/DEADLETTER.md``."""


def record_types(topic: str, *, prefix: str = "") -> tuple[type[Record], ...]:
    """The record classes ``topic`` carries; ``KeyError`` for a topic not in the table."""
    if not topic.startswith(prefix):
        raise KeyError(topic)
    return TOPIC_RECORDS[topic[len(prefix) :]]


def topic_of(record_type: type[Record], *, prefix: str = "") -> str:
    """The topic a record class is produced to; ``KeyError`` for a nested record."""
    for topic, types in TOPIC_RECORDS.items():
        if record_type in types:
            return f"{prefix}{topic}"
    raise KeyError(record_type.schema_name)
