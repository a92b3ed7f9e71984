"""Vision model requests and results."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from ._base import NAMESPACE, EventId, Record

__all__ = ["ImageEmbedding", "ModelScore", "VisionRequested", "VisionScored"]


@dataclass(frozen=True, slots=True, kw_only=True)
class VisionRequested(Record):
    """A photo is ready for the vision models (``photos.vision.requested``)."""

    schema_name: ClassVar[str] = f"{NAMESPACE}.VisionRequested"

    event_id: EventId
    source_event_id: EventId
    user_id: str
    photo_id: str
    bucket: str
    key: str
    sha256: str
    model_version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelScore(Record):
    """Output of one model; ``error`` is set instead of outputs when it failed.

    ``values`` is a mapping, so a ModelScore (and a VisionScored) is not hashable.
    """

    schema_name: ClassVar[str] = f"{NAMESPACE}.ModelScore"

    model: str
    version: str
    error: str | None = None
    values: Mapping[str, float]
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageEmbedding(Record):
    """An L2-normalised embedding, int8-quantised: component i is ``vector[i]`` times ``scale``.

    1280 dimensions take 1,280 bytes, a quarter of float32; the dot product of
    two dequantised embeddings of one model version is their cosine similarity.
    """

    schema_name: ClassVar[str] = f"{NAMESPACE}.ImageEmbedding"

    model: str
    version: str
    scale: float
    vector: bytes

    def components(self) -> tuple[float, ...]:
        """The dequantised vector."""
        scale = self.scale
        return tuple(value * scale for value in array("b", self.vector))


@dataclass(frozen=True, slots=True, kw_only=True)
class VisionScored(Record):
    """Output of the vision models for one photo (``photos.vision.scored``)."""

    schema_name: ClassVar[str] = f"{NAMESPACE}.VisionScored"

    event_id: EventId
    source_event_id: EventId
    user_id: str
    photo_id: str
    model_version: str
    scores: tuple[ModelScore, ...]
    phash: str | None = None
    dhash: str | None = None
    face_count: int | None = None
    nsfw_probability: float | None = None
    quality: float | None = None
    embedding: ImageEmbedding | None = None
