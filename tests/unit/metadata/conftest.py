"""Builders for photos made in memory, as fixtures (test modules import nothing from here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from processors.metadata import PhotoMetadata, extract_metadata
from streams.samples import Shot, photo_jpeg

Jpeg = Callable[..., bytes]
Extract = Callable[..., PhotoMetadata]


@pytest.fixture
def jpeg() -> Jpeg:
    """A small JPEG whose EXIF holds what the keyword arguments (``Shot`` fields) say."""

    def build(**fields: Any) -> bytes:
        fields.setdefault("size", (96, 64))
        return photo_jpeg(Shot(**fields))

    return build


@pytest.fixture
def extract() -> Extract:
    """``extract_metadata`` on a whole object."""

    def run(data: bytes, filename: str = "photo.jpg", **kwargs: Any) -> PhotoMetadata:
        return extract_metadata(data, object_size=len(data), filename=filename, **kwargs)

    return run
