"""Technical measures from the pixels: sharpness, exposure, clipping, contrast, colour.

All are computed on the working image (long side ``working_size``), so they
are comparable across photos of different resolutions:

- ``sharpness``: variance of the Laplacian of the grey image. Focus blur and
  camera shake lower it; noise raises it. Unbounded; ~10 is very soft, a few
  hundred is crisp at 1024 px.
- ``exposure``: mean luminance, 0 (black) .. 1 (white).
- ``highlights_clipped`` / ``shadows_clipped``: fraction of pixels at >= 250
  or <= 5 luminance: blown-out or crushed areas.
- ``contrast``: RMS contrast, the standard deviation of luminance in 0 .. 0.5.
- ``dynamic_range``: spread between the 1st and 99th luminance percentiles, 0 .. 1.
- ``colourfulness``: Hasler & Suesstrunk (2003) colourfulness M; 0 for grey,
  ~15 "slightly", ~33 "moderately", ~59 "quite", ~82+ "highly colourful".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ._types import WorkingImage

__all__ = ["TechnicalMeasures", "TechnicalScorer"]

_PIPELINE = "1"
# Histogram statistics need far fewer pixels than sharpness does.
_STATS_SIZE = 512


@dataclass(frozen=True, slots=True)
class TechnicalMeasures:
    """Pixel statistics of one photo; see the module docstring for each one."""

    sharpness: float
    exposure: float
    highlights_clipped: float
    shadows_clipped: float
    contrast: float
    dynamic_range: float
    colourfulness: float

    def to_values(self) -> dict[str, float]:
        return asdict(self)

    def to_labels(self) -> tuple[str, ...]:
        return ()


class TechnicalScorer:
    """Pixel measures behind the :class:`~processors.vision.ModelSession` Protocol."""

    name = "technical"

    def __init__(self, *, working_size: int = 1024) -> None:
        self.version = f"technical/{_PIPELINE}/{working_size}px"

    def load(self) -> None:
        """Nothing to load: the measures are plain arithmetic."""

    def preprocess(self, image: WorkingImage) -> WorkingImage:
        return image

    def run_batch(self, inputs: Sequence[WorkingImage]) -> list[TechnicalMeasures]:
        return [measure(image) for image in inputs]


def measure(image: WorkingImage) -> TechnicalMeasures:
    """The technical measures of ``image``."""
    laplacian = cv2.Laplacian(image.gray, cv2.CV_16S)
    _, laplacian_std = cv2.meanStdDev(laplacian)
    gray = _shrink(image.gray)
    histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    histogram /= histogram.sum()
    levels = np.arange(256, dtype=np.float64) / 255.0
    mean = float(histogram @ levels)
    cumulative = np.cumsum(histogram)
    low, high = (np.searchsorted(cumulative, q) / 255.0 for q in (0.01, 0.99))
    rgb = _shrink(image.rgb).astype(np.int16)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = (rgb[..., 0] + rgb[..., 1]) // 2 - rgb[..., 2]
    (rg_mean, rg_std), (yb_mean, yb_std) = (cv2.meanStdDev(rg), cv2.meanStdDev(yb))
    colourfulness = np.hypot(rg_std, yb_std) + 0.3 * np.hypot(rg_mean, yb_mean)
    return TechnicalMeasures(
        sharpness=float(laplacian_std[0, 0]) ** 2,
        exposure=mean,
        highlights_clipped=float(histogram[250:].sum()),
        shadows_clipped=float(histogram[:6].sum()),
        contrast=float(np.sqrt(histogram @ (levels - mean) ** 2)),
        dynamic_range=float(high - low),
        colourfulness=float(colourfulness[0, 0]),
    )


def _shrink(pixels: NDArray[np.uint8]) -> NDArray[np.uint8]:
    factor = max(pixels.shape[:2]) // _STATS_SIZE
    if factor < 2:
        return pixels
    # fx/fy (not a size) keep the scale an exact integer: OpenCV's fast area path.
    scale = 1.0 / factor
    shrunk = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.asarray(shrunk, dtype=np.uint8)
