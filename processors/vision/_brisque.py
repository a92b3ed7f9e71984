"""BRISQUE: no-reference technical quality (OpenCV contrib, LIVE-trained SVR).

Scores run from about 0 (pristine) to 100 (badly degraded); lower is better.
BRISQUE measures natural-scene statistics, which change with scale, so it is
always computed on a grey copy whose long side is ``_SIZE`` pixels (about the
size of the LIVE images it was trained on); scores are comparable across
photos of any resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from ._assets import BRISQUE_MODEL, BRISQUE_RANGE, read_verified
from ._errors import ModelLoadError
from ._types import WorkingImage

__all__ = ["BrisqueScore", "BrisqueScorer"]

_SIZE = 512
_PIPELINE = "1"


@dataclass(frozen=True, slots=True)
class BrisqueScore:
    """BRISQUE score; lower is better."""

    brisque: float

    def to_values(self) -> dict[str, float]:
        return {"brisque": self.brisque}

    def to_labels(self) -> tuple[str, ...]:
        return ()


class BrisqueScorer:
    """OpenCV's BRISQUE behind the :class:`~processors.vision.ModelSession` Protocol."""

    name = "brisque"

    def __init__(self) -> None:
        self._model: Any = None
        self.version = f"brisque_live@{BRISQUE_MODEL.short_sha}/{_PIPELINE}/{_SIZE}px"

    def load(self) -> None:
        if self._model is not None:
            return
        for asset in (BRISQUE_MODEL, BRISQUE_RANGE):
            read_verified(asset)
        try:
            # cv2.quality comes from the contrib build; its stubs do not list it.
            self._model = cv2.quality.QualityBRISQUE_create(  # type: ignore[attr-defined]
                str(BRISQUE_MODEL.path()), str(BRISQUE_RANGE.path())
            )
        except cv2.error as exc:
            raise ModelLoadError(f"OpenCV cannot load the BRISQUE model: {exc}") from exc

    def preprocess(self, image: WorkingImage) -> NDArray[np.uint8]:
        height, width = image.gray.shape
        scale = _SIZE / max(height, width)
        if scale >= 1.0:
            return image.gray
        # fx/fy rather than a size: from the default 1024 px that is an exact
        # halving, which OpenCV's area resize does on a fast path.
        shrunk = cv2.resize(image.gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        return np.asarray(shrunk, np.uint8)

    def run_batch(self, inputs: Sequence[NDArray[np.uint8]]) -> list[BrisqueScore]:
        model = self._model
        if model is None:
            raise RuntimeError("BrisqueScorer.load() was not called")
        return [BrisqueScore(brisque=float(model.compute(gray)[0])) for gray in inputs]
