"""Real photos shipped with scikit-image, encoded in memory, and one scorer per session.

The helpers are session-wide so module-wide fixtures can build on them; each
returns a fresh value per call.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import skimage.data
from PIL import Image

from processors.vision import VisionScorer
from schemas import VisionRequested, derive_event_id

Photo = Callable[[str], Image.Image]
Jpeg = Callable[..., bytes]
Request = Callable[..., VisionRequested]


@pytest.fixture(scope="session")
def scorer() -> VisionScorer:
    """The default model set, loaded once for the whole run."""
    return VisionScorer.from_settings()


@pytest.fixture(scope="session")
def photo() -> Photo:
    """A scikit-image sample photo by name (``astronaut``, ``coffee``, ...), as RGB."""

    def load(name: str) -> Image.Image:
        return Image.fromarray(getattr(skimage.data, name)()).convert("RGB")

    return load


@pytest.fixture(scope="session")
def jpeg() -> Jpeg:
    """``image`` encoded as a JPEG (keyword arguments go to ``Image.save``)."""

    def encode(image: Image.Image, **options: object) -> bytes:
        options.setdefault("quality", 92)
        with io.BytesIO() as buffer:
            image.save(buffer, format="JPEG", **options)
            return buffer.getvalue()

    return encode


@pytest.fixture(scope="session")
def request_for() -> Request:
    """A ``VisionRequested`` for ``photo_id``, derived deterministically from it."""

    def build(photo_id: str = "photo-1", model_version: str = "vision-1") -> VisionRequested:
        upload_id = derive_event_id(photo_id, "upload")
        return VisionRequested(
            event_id=derive_event_id(photo_id, "vision-request", upload_id),
            source_event_id=upload_id,
            user_id="user-1",
            photo_id=photo_id,
            bucket="photos",
            key=f"originals/{photo_id}.jpg",
            sha256="0" * 64,
            model_version=model_version,
        )

    return build
