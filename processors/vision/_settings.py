"""What the vision scorer runs and how: one frozen object, passed down."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALL_MODELS", "DEFAULT_MAX_PIXELS", "VisionSettings"]

ALL_MODELS: tuple[str, ...] = ("faces", "nsfw", "labels", "brisque", "technical", "hashes")
"""Every model the scorer knows, by task name; the default set runs all of them."""

DEFAULT_MAX_PIXELS = 200_000_000
"""Larger images are treated as decompression bombs (same limit as metadata)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VisionSettings:
    """Configuration of a :class:`~processors.vision.VisionScorer`.

    ``working_size`` is the long side, in pixels, of the one decoded copy every
    model starts from; the pixel measures (sharpness, BRISQUE) are computed at
    a size derived from it, so changing it changes the scores and the model
    version. ``threads`` is per model session: a deployment scales with
    processes (one scorer each) rather than threads. ``providers`` are the
    ONNX Runtime execution providers to try, best first (full names such as
    ``CUDAExecutionProvider`` or short ones such as ``cuda``); one this
    onnxruntime build lacks is skipped with a warning, and the CPU is always
    the last resort. ``embedding_in_record`` puts the labels model's 1280-d
    embedding, int8-quantised, in the record (1.3 KB).
    ``face_tiles`` = N also searches an N x N grid of overlapping tiles, which
    finds faces down to ~5 % of the image's long side instead of ~8 %.
    """

    models: tuple[str, ...] = ALL_MODELS
    working_size: int = 1024
    max_pixels: int = DEFAULT_MAX_PIXELS
    threads: int = 1
    providers: tuple[str, ...] = ("CPUExecutionProvider",)
    face_tiles: int = 2
    max_faces: int = 20
    top_labels: int = 5
    embedding_in_record: bool = True

    def __post_init__(self) -> None:
        unknown = sorted(set(self.models) - set(ALL_MODELS))
        if unknown:
            raise ValueError(f"unknown vision models {unknown}; known: {list(ALL_MODELS)}")
        if len(set(self.models)) != len(self.models):
            raise ValueError(f"vision models listed twice: {list(self.models)}")
        if self.working_size < 256:
            raise ValueError("working_size must be at least 256 pixels")
        if not self.providers or not all(p.strip() for p in self.providers):
            raise ValueError(f"providers must name at least one provider: {self.providers}")
        for name in ("max_pixels", "threads", "face_tiles", "max_faces", "top_labels"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
