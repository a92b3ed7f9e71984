"""The combined ``quality`` score: a technical-quality heuristic, not an aesthetic one.

No learned aesthetic model ships offline, so ``quality`` says only how well
the photo was *taken*: in focus, free of compression and noise artefacts,
sensibly exposed, with some tonal range. It cannot tell a dull, well-taken
photo from a striking one. Each part maps to 0 .. 1 (higher is better), and
``quality`` is their weighted mean over the parts that were measured:

=================  ======  ===================================================
part               weight  from
=================  ======  ===================================================
sharpness_score    0.35    Laplacian variance v: 1 / (1 + (50 / v) ** 1.5)
brisque_score      0.35    BRISQUE b: (80 - b) / 70, clipped
exposure_score     0.15    mean luminance off mid-grey by more than 0.15, and
                           clipped shadows + highlights above 2 %, penalised
contrast_score     0.15    1st-99th percentile luminance spread / 0.6, clipped
=================  ======  ===================================================

The constants were set on the scikit-image sample photos and Gaussian-blurred
copies of them: sharp originals land at 0.85-1.0, a 1 px blur near 0.65, a
2 px blur near 0.4, a 4 px blur near 0.3. A photo that is smooth by nature
(the retina scan) scores ~0.6 unblurred: no measure here can tell smooth
from soft.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ._brisque import BrisqueScore
from ._technical import TechnicalMeasures
from ._types import ModelOutput

__all__ = ["QUALITY_VERSION", "QualityScore", "combine_quality"]

QUALITY_VERSION = "technical_quality/1"

_WEIGHTS = {
    "sharpness_score": 0.35,
    "brisque_score": 0.35,
    "exposure_score": 0.15,
    "contrast_score": 0.15,
}


@dataclass(frozen=True, slots=True)
class QualityScore:
    """The combined score and the parts it was made of."""

    quality: float
    parts: Mapping[str, float]

    def to_values(self) -> dict[str, float]:
        return {"quality": self.quality, **self.parts}

    def to_labels(self) -> tuple[str, ...]:
        return ()


def combine_quality(outputs: Mapping[str, ModelOutput]) -> QualityScore | None:
    """The combined score from the ``technical`` and ``brisque`` outputs, if any ran."""
    parts: dict[str, float] = {}
    technical = outputs.get("technical")
    if isinstance(technical, TechnicalMeasures):
        parts["sharpness_score"] = _sharpness_score(technical.sharpness)
    brisque = outputs.get("brisque")
    if isinstance(brisque, BrisqueScore):
        parts["brisque_score"] = _clip((80.0 - brisque.brisque) / 70.0)
    if isinstance(technical, TechnicalMeasures):
        parts["exposure_score"] = _exposure_score(technical)
        parts["contrast_score"] = _clip(technical.dynamic_range / 0.6)
    if not parts:
        return None
    total = sum(_WEIGHTS[name] for name in parts)
    quality = sum(_WEIGHTS[name] * value for name, value in parts.items()) / total
    return QualityScore(quality=quality, parts=parts)


def _sharpness_score(variance: float) -> float:
    if variance <= 0.0:
        return 0.0
    return float(1.0 / (1.0 + (50.0 / variance) ** 1.5))


def _exposure_score(measures: TechnicalMeasures) -> float:
    off_grey = max(0.0, abs(measures.exposure - 0.5) - 0.15) / 0.35
    clipped = max(0.0, measures.highlights_clipped + measures.shadows_clipped - 0.02) / 0.3
    return _clip(1.0 - off_grey) * _clip(1.0 - clipped)


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))
