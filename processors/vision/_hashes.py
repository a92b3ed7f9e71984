"""Near-duplicate fingerprints: 64-bit pHash and dHash (``imagehash``).

pHash (low frequencies of a 32 x 32 DCT) survives re-encoding, resizing,
mild crops and colour changes; dHash (gradient signs on a 9 x 8 grid) is
cheaper and catches near-identical frames. Two photos whose pHashes differ in
<= ~10 of 64 bits are very likely the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version as package_version

import imagehash
from PIL import Image

from ._types import WorkingImage

__all__ = ["HashScorer", "ImageHashes", "hamming_distance"]

_PIPELINE = "1"
_PRESHRINK_TO = 128


@dataclass(frozen=True, slots=True)
class ImageHashes:
    """pHash and dHash, 16 lowercase hex digits each."""

    phash: str
    dhash: str

    def to_values(self) -> dict[str, float]:
        return {}

    def to_labels(self) -> tuple[str, ...]:
        return ()


def hamming_distance(first: str, second: str) -> int:
    """Number of differing bits between two hex hashes of equal length."""
    if len(first) != len(second):
        raise ValueError("hashes of different lengths cannot be compared")
    return (int(first, 16) ^ int(second, 16)).bit_count()


class HashScorer:
    """pHash + dHash behind the :class:`~processors.vision.ModelSession` Protocol."""

    name = "hashes"

    def __init__(self) -> None:
        self.version = f"imagehash-{package_version('imagehash')}/phash8+dhash8/{_PIPELINE}"

    def load(self) -> None:
        """Nothing to load."""

    def preprocess(self, image: WorkingImage) -> Image.Image:
        gray = Image.fromarray(image.gray)
        # Both hashes shrink to 32 px or less; a box-filter reduce first spares
        # imagehash's Lanczos pass most of the pixels.
        factor = min(gray.size) // _PRESHRINK_TO
        return gray.reduce(factor) if factor >= 2 else gray

    def run_batch(self, inputs: Sequence[Image.Image]) -> list[ImageHashes]:
        return [
            ImageHashes(phash=str(imagehash.phash(gray)), dhash=str(imagehash.dhash(gray)))
            for gray in inputs
        ]
