"""Which session implements which model name, built from the settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._brisque import BrisqueScorer
from ._faces import FaceDetector
from ._hashes import HashScorer
from ._labels import LabelClassifier
from ._nsfw import NsfwClassifier
from ._settings import VisionSettings
from ._technical import TechnicalScorer
from ._types import ModelSession

__all__ = ["build_sessions"]


def build_sessions(settings: VisionSettings) -> list[ModelSession[Any]]:
    """Unloaded sessions for ``settings.models``, in that order."""
    factories: dict[str, Callable[[], ModelSession[Any]]] = {
        "faces": lambda: FaceDetector(
            threads=settings.threads, tiles=settings.face_tiles, max_faces=settings.max_faces
        ),
        "nsfw": lambda: NsfwClassifier(threads=settings.threads, providers=settings.providers),
        "labels": lambda: LabelClassifier(threads=settings.threads, top=settings.top_labels),
        "brisque": BrisqueScorer,
        "technical": lambda: TechnicalScorer(working_size=settings.working_size),
        "hashes": HashScorer,
    }
    return [factories[name]() for name in settings.models]
