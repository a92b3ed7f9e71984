"""35 mm equivalent focal length from the sensor size, when the camera did not record one.

The sensor's size follows from the focal-plane resolution (pixels per inch,
centimetre or micrometre of sensor) and the image size in pixels; the crop
factor is the full-frame diagonal over the sensor's. Canon states the sensor
size in inches in the resolution's denominators, which is exact where the
ratio is rounded. This is the rule exiftool's ScaleFactor35efl applies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["FocalPlane", "equivalent_focal_length"]

_FULL_FRAME_DIAGONAL_MM = math.hypot(36.0, 24.0)
# FocalPlaneResolutionUnit -> millimetres per unit; anything else means inches.
_MM_PER_UNIT = {3: 10.0, 4: 1.0, 5: 0.001}
_MM_PER_INCH = 25.4


@dataclass(frozen=True, slots=True)
class FocalPlane:
    """The Exif IFD's focal-plane resolution (as stored rationals) and image size."""

    x_resolution: tuple[int, int] | None = None
    y_resolution: tuple[int, int] | None = None
    unit: int | None = None
    exif_width: int | None = None
    exif_height: int | None = None
    diagonal_mm: float | None = None  # stated by the maker note (Olympus)


def _canon_diagonal(plane: FocalPlane) -> float | None:
    if plane.x_resolution is None or plane.y_resolution is None:
        return None
    (x_num, x_den), (y_num, y_den) = plane.x_resolution, plane.y_resolution
    # Numerators are the image size times 1000, denominators the sensor size in 1/1000 inch.
    if (
        x_num % 1000 == 0
        and y_num % 1000 == 0
        and 640_000 <= x_num < 10_000_000
        and 480_000 <= y_num < 10_000_000
        and 61 <= x_den < 1500
        and 61 <= y_den < 1000
        and x_den != y_den
    ):
        return math.hypot(x_den, y_den) * 0.0254
    return None


def _ratio(value: tuple[int, int] | None) -> float | None:
    if value is None or value[1] == 0 or value[0] <= 0:
        return None
    return value[0] / value[1]


def _pixels(plane: FocalPlane, width: int, height: int) -> tuple[int, int] | None:
    for w, h in ((plane.exif_width, plane.exif_height), (width, height)):
        if w and h and 0.5 < w / h < 2:
            return w, h
    return None


def _diagonal(plane: FocalPlane, width: int, height: int) -> float | None:
    x_res = _ratio(plane.x_resolution)
    if x_res is None:
        return None
    y_res = _ratio(plane.y_resolution) or x_res
    pixels = _pixels(plane, width, height)
    if pixels is None:
        return None
    mm = _MM_PER_UNIT.get(plane.unit or 0, _MM_PER_INCH)
    diagonal = math.hypot(pixels[0] * mm / x_res, pixels[1] * mm / y_res)
    return diagonal if 1.0 < diagonal < 100.0 else None


def equivalent_focal_length(
    focal_length_mm: float | None,
    plane: FocalPlane | None,
    make: str | None,
    width: int,
    height: int,
) -> int | None:
    """The 35 mm equivalent of ``focal_length_mm`` on this sensor, to the millimetre."""
    if focal_length_mm is None or plane is None:
        return None
    diagonal = _canon_diagonal(plane) if make == "Canon" else None
    diagonal = diagonal or plane.diagonal_mm or _diagonal(plane, width, height)
    if diagonal is None:
        return None
    equivalent = round(focal_length_mm * _FULL_FRAME_DIAGONAL_MM / diagonal)
    return equivalent if 1 <= equivalent <= 100_000 else None
