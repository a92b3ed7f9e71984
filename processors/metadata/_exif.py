"""The EXIF fields photostream uses, read with Pillow's EXIF parser.

Only IFD0 (the main image, never the IFD1 thumbnail), the Exif IFD and the GPS
IFD are read. Each IFD is read on its own, so a corrupt GPS IFD costs the
position and nothing else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from PIL import ExifTags, Image

from ._gps import GpsPosition, gps_position
from ._values import integer, positive, text

__all__ = ["ExifFields", "read_exif", "read_exif_payload"]

logger = logging.getLogger(__name__)

# IFD0
_MAKE, _MODEL, _ORIENTATION = 0x010F, 0x0110, 0x0112
# Exif IFD
_EXPOSURE_TIME, _F_NUMBER, _ISO = 0x829A, 0x829D, 0x8827
_DATETIME_ORIGINAL, _DATETIME_DIGITIZED = 0x9003, 0x9004
_OFFSET_TIME, _OFFSET_TIME_ORIGINAL, _OFFSET_TIME_DIGITIZED = 0x9010, 0x9011, 0x9012
_SUBSEC_ORIGINAL, _SUBSEC_DIGITIZED = 0x9291, 0x9292
_FOCAL_LENGTH, _FOCAL_LENGTH_35MM, _LENS_MODEL = 0x920A, 0xA405, 0xA434


@dataclass(frozen=True, slots=True)
class ExifFields:
    """Raw-but-typed EXIF values; dates stay strings for the capture-time chain."""

    make: str | None = None
    model: str | None = None
    orientation: int | None = None
    date_time_original: str | None = None
    subsec_original: str | None = None
    offset_time_original: str | None = None
    date_time_digitized: str | None = None
    subsec_digitized: str | None = None
    offset_time_digitized: str | None = None
    offset_time: str | None = None
    lens_model: str | None = None
    iso: int | None = None
    exposure_time_s: float | None = None
    f_number: float | None = None
    focal_length_mm: float | None = None
    focal_length_35mm: int | None = None
    gps: GpsPosition = field(default_factory=GpsPosition)


def _ifd(exif: Image.Exif, tag: int) -> dict[int, Any]:
    # Pillow's TIFF reader raises a grab-bag of exception types on hostile
    # input; whatever it is, the photo stays readable without this IFD.
    try:
        return dict(exif.get_ifd(tag))
    except Exception as exc:  # noqa: BLE001 - any parser failure costs only this IFD
        logger.debug("unreadable EXIF IFD 0x%04x: %r", tag, exc)
        return {}


def _main(exif: Image.Exif, tag: int) -> Any:
    try:
        return exif.get(tag)
    except Exception as exc:  # noqa: BLE001 - see _ifd
        logger.debug("unreadable EXIF tag 0x%04x: %r", tag, exc)
        return None


def read_exif(exif: Image.Exif) -> ExifFields:
    """The fields photostream uses from a loaded :class:`PIL.Image.Exif`."""
    sub = _ifd(exif, ExifTags.IFD.Exif)
    gps = _ifd(exif, ExifTags.IFD.GPSInfo)
    return ExifFields(
        make=text(_main(exif, _MAKE)),
        model=text(_main(exif, _MODEL)),
        orientation=integer(_main(exif, _ORIENTATION), 1, 8),
        date_time_original=text(sub.get(_DATETIME_ORIGINAL)),
        subsec_original=text(sub.get(_SUBSEC_ORIGINAL)),
        offset_time_original=text(sub.get(_OFFSET_TIME_ORIGINAL)),
        date_time_digitized=text(sub.get(_DATETIME_DIGITIZED)),
        subsec_digitized=text(sub.get(_SUBSEC_DIGITIZED)),
        offset_time_digitized=text(sub.get(_OFFSET_TIME_DIGITIZED)),
        offset_time=text(sub.get(_OFFSET_TIME)),
        lens_model=text(sub.get(_LENS_MODEL)),
        iso=integer(sub.get(_ISO), 1, 10_000_000),
        exposure_time_s=positive(sub.get(_EXPOSURE_TIME), 86_400.0),
        f_number=positive(sub.get(_F_NUMBER), 1_000.0),
        focal_length_mm=positive(sub.get(_FOCAL_LENGTH), 100_000.0),
        focal_length_35mm=integer(sub.get(_FOCAL_LENGTH_35MM), 1, 100_000),
        gps=gps_position(gps) if gps else GpsPosition(),
    )


def read_exif_payload(payload: bytes) -> ExifFields | None:
    """Parse a raw EXIF block (``Exif\\0\\0`` + TIFF structure); ``None`` if unreadable."""
    exif = Image.Exif()
    try:
        exif.load(payload)
    except Exception as exc:  # noqa: BLE001 - see _ifd
        logger.debug("unreadable EXIF block: %r", exc)
        return None
    return read_exif(exif)
