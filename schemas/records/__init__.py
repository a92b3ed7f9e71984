"""One frozen, slotted dataclass per Avro schema."""

from __future__ import annotations

from ._base import NAMESPACE, EventId, Record
from .albums import AlbumUpdated
from .metadata import MetadataExtracted
from .timeline import TimelineItemRemoved, TimelineItemUpserted
from .uploads import PhotoDeleted, PhotoUploaded
from .vision import ImageEmbedding, ModelScore, VisionRequested, VisionScored

__all__ = [
    "EVENT_TYPES",
    "NAMESPACE",
    "AlbumUpdated",
    "EventId",
    "ImageEmbedding",
    "MetadataExtracted",
    "ModelScore",
    "PhotoDeleted",
    "PhotoUploaded",
    "Record",
    "TimelineItemRemoved",
    "TimelineItemUpserted",
    "VisionRequested",
    "VisionScored",
    "event_type",
]

EVENT_TYPES: tuple[type[Record], ...] = (
    PhotoUploaded,
    PhotoDeleted,
    MetadataExtracted,
    VisionRequested,
    VisionScored,
    TimelineItemUpserted,
    TimelineItemRemoved,
    AlbumUpdated,
)
"""Every top-level event; each has its own ``schemas/avro/<Name>.vN.avsc``."""

_BY_NAME = {cls.schema_name: cls for cls in EVENT_TYPES}


def event_type(schema_name: str) -> type[Record]:
    """The event class for an Avro full name; raises ``KeyError`` for other names."""
    return _BY_NAME[schema_name]
