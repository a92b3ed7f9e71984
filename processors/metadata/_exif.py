"""The EXIF fields photostream uses, from a TIFF structure (an EXIF block or a TIFF file).

IFD0 describes the main image (never the IFD1 thumbnail); the Exif, GPS and
maker-note directories hang off it. Each directory is read on its own, so a
corrupt GPS directory costs the position and nothing else.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._equivalent import FocalPlane
from ._gps import GpsPosition, gps_position, gps_utc
from ._makernotes import MakerNote, read_maker_note
from ._tiff import TiffBudget, TiffStructure, parse_tiff_header
from ._values import integer, number, positive, text

__all__ = ["ExifFields", "read_exif_payload", "read_tiff_exif"]

# IFD0
_WIDTH, _HEIGHT, _MAKE, _MODEL, _ORIENTATION = 0x0100, 0x0101, 0x010F, 0x0110, 0x0112
_MODIFY_DATE, _SUB_IFDS, _NEW_SUBFILE_TYPE = 0x0132, 0x014A, 0x00FE
_EXIF_IFD, _GPS_IFD, _IPTC, _XMP, _DNG_VERSION = 0x8769, 0x8825, 0x83BB, 0x02BC, 0xC612
# Exif IFD
_EXPOSURE_TIME, _F_NUMBER, _ISO, _ISO_SPEED = 0x829A, 0x829D, 0x8827, 0x8833
_DATETIME_ORIGINAL, _DATETIME_DIGITIZED = 0x9003, 0x9004
_OFFSET_TIME, _OFFSET_TIME_ORIGINAL, _OFFSET_TIME_DIGITIZED = 0x9010, 0x9011, 0x9012
_SHUTTER_SPEED, _APERTURE = 0x9201, 0x9202
_SUBSEC_ORIGINAL, _SUBSEC_DIGITIZED = 0x9291, 0x9292
_FOCAL_LENGTH, _FOCAL_LENGTH_35MM, _LENS_MODEL, _MAKER_NOTE = 0x920A, 0xA405, 0xA434, 0x927C
_EXIF_WIDTH, _EXIF_HEIGHT = 0xA002, 0xA003
_PLANE_X_RES, _PLANE_Y_RES, _PLANE_UNIT = 0xA20E, 0xA20F, 0xA210

_IFD0_TAGS = frozenset(
    {
        _WIDTH,
        _HEIGHT,
        _MAKE,
        _MODEL,
        _ORIENTATION,
        _MODIFY_DATE,
        _SUB_IFDS,
        _NEW_SUBFILE_TYPE,
        _EXIF_IFD,
        _GPS_IFD,
        _IPTC,
        _XMP,
        _DNG_VERSION,
    }
)
_EXIF_TAGS = frozenset(
    {
        _EXPOSURE_TIME,
        _F_NUMBER,
        _ISO,
        _ISO_SPEED,
        _DATETIME_ORIGINAL,
        _DATETIME_DIGITIZED,
        _OFFSET_TIME,
        _OFFSET_TIME_ORIGINAL,
        _OFFSET_TIME_DIGITIZED,
        _SHUTTER_SPEED,
        _APERTURE,
        _SUBSEC_ORIGINAL,
        _SUBSEC_DIGITIZED,
        _FOCAL_LENGTH,
        _FOCAL_LENGTH_35MM,
        _LENS_MODEL,
        _MAKER_NOTE,
        _EXIF_WIDTH,
        _EXIF_HEIGHT,
        _PLANE_X_RES,
        _PLANE_Y_RES,
        _PLANE_UNIT,
    }
)
# Read as stored: Canon's sensor size is in these rationals' denominators.
_RAW_EXIF_TAGS = (_MAKER_NOTE, _PLANE_X_RES, _PLANE_Y_RES)
_SUB_IMAGE_TAGS = frozenset({_WIDTH, _HEIGHT, _NEW_SUBFILE_TYPE})
_MAX_SUB_IFDS = 8


@dataclass(frozen=True, slots=True)
class ExifFields:
    """Typed EXIF values; dates stay strings for the capture-time chain."""

    make: str | None = None
    model: str | None = None
    orientation: int | None = None
    modify_date: str | None = None
    date_time_original: str | None = None
    subsec_original: str | None = None
    offset_time_original: str | None = None
    date_time_digitized: str | None = None
    subsec_digitized: str | None = None
    offset_time_digitized: str | None = None
    offset_time: str | None = None
    lens_model: str | None = None
    maker_lens_model: str | None = None  # from the maker note: after XMP's lens
    iso: int | None = None
    exposure_time_s: float | None = None
    f_number: float | None = None
    focal_length_mm: float | None = None
    focal_length_35mm: int | None = None
    focal_plane: FocalPlane | None = None  # for a 35 mm equivalent from the sensor size
    gps: GpsPosition = field(default_factory=GpsPosition)
    gps_utc: datetime | None = None  # the GPS receiver's UTC time of the fix
    width: int | None = None  # of the main image, when the structure is a TIFF file
    height: int | None = None
    iptc: bytes | None = None  # IPTC-NAA record embedded in a TIFF file
    xmp: bytes | None = None  # XMP packet embedded in a TIFF file
    is_dng: bool = False


def _apex_exposure(value: Any) -> float | None:
    tv = number(value)
    if tv is None or not -20.0 <= tv <= 40.0:
        return None
    return positive(2.0**-tv, 86_400.0)


def _apex_aperture(value: Any) -> float | None:
    av = number(value)
    if av is None or not 0.0 <= av <= 40.0:
        return None
    return positive(2.0 ** (av / 2.0), 1_000.0)


def _iso(sub: dict[int, Any], note: MakerNote) -> int | None:
    iso = integer(sub.get(_ISO), 1, 10_000_000)
    # 65535 means "higher than a SHORT holds": the real value is in ISOSpeed.
    if iso is None or iso == 65535:
        iso = integer(sub.get(_ISO_SPEED), 1, 10_000_000) or iso
    return iso if iso is not None else note.iso


def _main_image_size(tiff: TiffStructure, ifd0: dict[int, Any]) -> tuple[int | None, int | None]:
    width = integer(ifd0.get(_WIDTH), 1, 1 << 31)
    height = integer(ifd0.get(_HEIGHT), 1, 1 << 31)
    if integer(ifd0.get(_NEW_SUBFILE_TYPE), 0, 1 << 32) != 1:
        return width, height
    # DNG and some TIFFs keep a preview in IFD0 and the full image in a SubIFD.
    offsets = ifd0.get(_SUB_IFDS)
    for offset in offsets[:_MAX_SUB_IFDS] if isinstance(offsets, tuple) else ():
        sub = tiff.directory(offset, _SUB_IMAGE_TAGS).values
        if integer(sub.get(_NEW_SUBFILE_TYPE), 0, 1 << 32) in (0, None):
            sub_width = integer(sub.get(_WIDTH), 1, 1 << 31)
            sub_height = integer(sub.get(_HEIGHT), 1, 1 << 31)
            if sub_width and sub_height:
                return sub_width, sub_height
    return width, height


def _rational(value: Any, endian: str) -> tuple[int, int] | None:
    if not isinstance(value, bytes) or len(value) < 8:
        return None
    numerator, denominator = struct.unpack(endian + "II", value[:8])
    return int(numerator), int(denominator)


def _focal_plane(sub: dict[int, Any], endian: str, note: MakerNote) -> FocalPlane | None:
    x_resolution = _rational(sub.get(_PLANE_X_RES), endian)
    if x_resolution is None and note.sensor_diagonal_mm is None:
        return None
    return FocalPlane(
        diagonal_mm=note.sensor_diagonal_mm,
        x_resolution=x_resolution,
        y_resolution=_rational(sub.get(_PLANE_Y_RES), endian),
        unit=integer(sub.get(_PLANE_UNIT), 1, 65535),
        exif_width=integer(sub.get(_EXIF_WIDTH), 1, 1 << 31),
        exif_height=integer(sub.get(_EXIF_HEIGHT), 1, 1 << 31),
    )


def _pointer(ifd0: dict[int, Any], tag: int) -> int:
    value = ifd0.get(tag)
    if isinstance(value, tuple) and value and isinstance(value[0], int):
        return value[0]
    return 0


def read_tiff_exif(
    data: bytes, base: int = 0, budget: TiffBudget | None = None
) -> ExifFields | None:
    """The fields of the TIFF structure at ``base`` in ``data``; ``None`` if it has no header."""
    header = parse_tiff_header(data, base)
    if header is None:
        return None
    endian, first = header
    tiff = TiffStructure(data, endian, base, budget)
    ifd0 = tiff.directory(first, _IFD0_TAGS | _EXIF_TAGS, raw=(_IPTC, *_RAW_EXIF_TAGS)).values
    exif_ifd = tiff.directory(_pointer(ifd0, _EXIF_IFD), _EXIF_TAGS, raw=_RAW_EXIF_TAGS)
    # Some writers put Exif tags straight into IFD0; the Exif IFD wins where both have one.
    sub = {tag: ifd0[tag] for tag in _EXIF_TAGS if tag in ifd0 and tag != _MAKER_NOTE}
    sub.update(exif_ifd.values)
    gps = tiff.directory(_pointer(ifd0, _GPS_IFD)).values
    make, model = text(ifd0.get(_MAKE)), text(ifd0.get(_MODEL))
    raw_note = sub.get(_MAKER_NOTE)
    note = (
        read_maker_note(tiff, exif_ifd.positions[_MAKER_NOTE], raw_note, make, model)
        if isinstance(raw_note, bytes)
        else MakerNote()
    )
    width, height = _main_image_size(tiff, ifd0)
    exposure = positive(sub.get(_EXPOSURE_TIME), 86_400.0) or _apex_exposure(
        sub.get(_SHUTTER_SPEED)
    )
    f_number = positive(sub.get(_F_NUMBER), 1_000.0) or _apex_aperture(sub.get(_APERTURE))
    iptc, xmp = ifd0.get(_IPTC), ifd0.get(_XMP)
    return ExifFields(
        make=make,
        model=model,
        orientation=integer(ifd0.get(_ORIENTATION), 1, 8),
        modify_date=text(ifd0.get(_MODIFY_DATE)),
        date_time_original=text(sub.get(_DATETIME_ORIGINAL)),
        subsec_original=text(sub.get(_SUBSEC_ORIGINAL)),
        offset_time_original=text(sub.get(_OFFSET_TIME_ORIGINAL)),
        date_time_digitized=text(sub.get(_DATETIME_DIGITIZED)),
        subsec_digitized=text(sub.get(_SUBSEC_DIGITIZED)),
        offset_time_digitized=text(sub.get(_OFFSET_TIME_DIGITIZED)),
        offset_time=text(sub.get(_OFFSET_TIME)),
        lens_model=text(sub.get(_LENS_MODEL)),
        maker_lens_model=note.lens_model,
        iso=_iso(sub, note),
        exposure_time_s=exposure,
        f_number=f_number,
        focal_length_mm=positive(sub.get(_FOCAL_LENGTH), 100_000.0),
        focal_length_35mm=integer(sub.get(_FOCAL_LENGTH_35MM), 1, 100_000),
        focal_plane=_focal_plane(sub, endian, note),
        gps=gps_position(gps) if gps else GpsPosition(),
        gps_utc=gps_utc(gps) if gps else None,
        width=width,
        height=height,
        iptc=iptc if isinstance(iptc, bytes) else None,
        xmp=xmp if isinstance(xmp, bytes) else None,
        is_dng=_DNG_VERSION in ifd0,
    )


def read_exif_payload(payload: bytes) -> ExifFields | None:
    """Parse a raw EXIF block (``Exif\\0\\0`` + TIFF structure); ``None`` if unreadable."""
    base = 6 if payload.startswith(b"Exif\x00\x00") else 0
    # Some writers repeat the prefix.
    if payload.startswith(b"Exif\x00\x00", base):
        base += 6
    return read_tiff_exif(payload, base)
