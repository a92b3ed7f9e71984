"""ISO and lens name from the maker notes of cameras that keep them out of the Exif IFD.

Each maker lays its note out differently: a bare IFD with offsets from the
EXIF TIFF header (Canon, Panasonic, old Olympus), an IFD after a signature
(Panasonic, Olympus, Sony), or a whole TIFF structure of its own (Nikon
type 2, new Olympus). Fujifilm's note has no ISO tag, so Fujifilm photos
get theirs from Exif alone. Anything unrecognised yields nothing; a maker
note is a fallback, never a reason to fail.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from ._sony import sony_iso
from ._tiff import TiffStructure, parse_tiff_header
from ._values import integer, number, positive, text

__all__ = ["MakerNote", "read_maker_note"]

_CANON_CAMERA_SETTINGS, _CANON_LENS_MODEL = 0x0001, 0x0095
_CANON_CAMERA_ISO_INDEX = 16
# CameraSettings[16] when bit 14 is clear: a code, not a speed (14/15 mean auto).
_CANON_ISO_CODES = {16: 50, 17: 100, 18: 200, 19: 400, 20: 800}
_NIKON_ISO = 0x0002
_PANASONIC_ISO, _PANASONIC_LENS = 0x0017, 0x0051
_OLYMPUS_EQUIPMENT, _OLYMPUS_LENS_MODEL, _OLYMPUS_ISO_VALUE = 0x2010, 0x0203, 0x1001
_OLYMPUS_PLANE_DIAGONAL = 0x0103
_OLYMPUS_MAIN = (_OLYMPUS_EQUIPMENT, _OLYMPUS_ISO_VALUE)
_SONY_SIGNATURES = (
    b"SONY DSC ",
    b"SONY CAM ",
    b"SONY MOBILE",
    b"\x00\x00SONY PIC\x00",
    b"VHAB     \x00",
)


@dataclass(frozen=True, slots=True)
class MakerNote:
    iso: int | None = None
    lens_model: str | None = None
    sensor_diagonal_mm: float | None = None


_NOTHING = MakerNote()


def _iso(value: Any) -> int | None:
    return integer(value, 1, 10_000_000)


def _rounded_iso(value: float | None) -> int | None:
    return _iso(round(value)) if value is not None and value < 1e8 else None


def _canon(tiff: TiffStructure, start: int) -> MakerNote:
    ifd = tiff.directory(start - tiff.base, (_CANON_CAMERA_SETTINGS, _CANON_LENS_MODEL)).values
    iso = None
    settings = ifd.get(_CANON_CAMERA_SETTINGS)
    if isinstance(settings, tuple) and len(settings) > _CANON_CAMERA_ISO_INDEX:
        code = settings[_CANON_CAMERA_ISO_INDEX]
        iso = _iso(code & 0x3FFF) if code & 0x4000 else _CANON_ISO_CODES.get(code)
    return MakerNote(iso, text(ifd.get(_CANON_LENS_MODEL)))


def _nikon(tiff: TiffStructure, start: int, note: bytes) -> MakerNote:
    if note.startswith(b"Nikon\x00\x02"):
        header = parse_tiff_header(tiff.data, start + 10)
        if header is None:
            return _NOTHING
        endian, first = header
        own = TiffStructure(tiff.data, endian, start + 10, tiff.budget)
        ifd = own.directory(first, (_NIKON_ISO,)).values
    elif note.startswith(b"Nikon"):
        return _NOTHING
    else:
        ifd = tiff.directory(start - tiff.base, (_NIKON_ISO,)).values
    value = ifd.get(_NIKON_ISO)
    if isinstance(value, tuple) and len(value) == 2:
        return MakerNote(_iso(value[1]))
    return _NOTHING


def _panasonic(tiff: TiffStructure, start: int, note: bytes) -> MakerNote:
    if not note.startswith(b"Panasonic\x00"):
        return _NOTHING
    ifd = tiff.directory(start + 12 - tiff.base, (_PANASONIC_ISO, _PANASONIC_LENS)).values
    iso = _iso(ifd.get(_PANASONIC_ISO))
    return MakerNote(None if iso == 65535 else iso, text(ifd.get(_PANASONIC_LENS)))


def _olympus(tiff: TiffStructure, start: int, note: bytes) -> MakerNote:
    if note.startswith(b"OLYMPUS\x00") and note[8:10] in (b"II", b"MM"):
        endian = "<" if note[8:10] == b"II" else ">"
        own = TiffStructure(tiff.data, endian, start, tiff.budget)
        ifd = own.directory(12, _OLYMPUS_MAIN, raw=(_OLYMPUS_EQUIPMENT,))
    elif note.startswith(b"OLYMP\x00"):
        own = tiff
        ifd = own.directory(start + 8 - tiff.base, _OLYMPUS_MAIN, raw=(_OLYMPUS_EQUIPMENT,))
    else:
        return _NOTHING
    # Older models keep an APEX-like speed value in the main IFD: ISO = 100 * 2**(value - 5).
    apex = number(ifd.values.get(_OLYMPUS_ISO_VALUE))
    iso = _rounded_iso(100 * 2 ** (apex - 5)) if apex is not None and -20 < apex < 40 else None
    equipment = ifd.values.get(_OLYMPUS_EQUIPMENT)
    if not isinstance(equipment, bytes):
        return MakerNote(iso)
    # Either a pointer to the Equipment IFD, or the IFD itself as UNDEFINED bytes.
    position = ifd.positions[_OLYMPUS_EQUIPMENT]
    if len(equipment) == 4:
        (offset,) = struct.unpack(own.endian + "I", equipment)
    else:
        offset = position - own.base
    sub = own.directory(offset, (_OLYMPUS_LENS_MODEL, _OLYMPUS_PLANE_DIAGONAL)).values
    diagonal = positive(sub.get(_OLYMPUS_PLANE_DIAGONAL), 100.0)
    return MakerNote(iso, text(sub.get(_OLYMPUS_LENS_MODEL)), diagonal)


def _sony(tiff: TiffStructure, start: int, note: bytes, model: str | None) -> MakerNote:
    if note.startswith(_SONY_SIGNATURES):
        offset = start + 12 - tiff.base
    elif note.startswith((b"SONY", b"SEMC", b"PREMI", b"\x01\x00")):
        return _NOTHING  # other layouts, none with an ISO of its own
    else:
        offset = start - tiff.base  # a bare IFD (newer bodies)
    return MakerNote(_rounded_iso(sony_iso(tiff, offset, model)))


def read_maker_note(
    tiff: TiffStructure, start: int, note: bytes, make: str | None, model: str | None = None
) -> MakerNote:
    """What the maker note at ``start`` (absolute, in ``tiff.data``) adds."""
    maker = (make or "").upper()
    if maker.startswith("CANON"):
        return _canon(tiff, start)
    if maker.startswith("NIKON"):
        return _nikon(tiff, start, note)
    if maker.startswith(("PANASONIC", "LEICA")):
        return _panasonic(tiff, start, note)
    if maker.startswith(("OLYMPUS", "OM DIGITAL")):
        return _olympus(tiff, start, note)
    if maker.startswith("SONY") and not maker.startswith("SONY ERICSSON"):
        return _sony(tiff, start, note, model)
    return _NOTHING
