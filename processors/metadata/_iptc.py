"""IPTC-IIM capture date (DateCreated + TimeCreated), from Photoshop resources or raw records.

JPEG carries IPTC inside Photoshop image resources (APP13, resource 0x0404);
TIFF carries the IIM records directly (tag 33723). Both are walked with
bounds checks only; nothing else in them is read.
"""

from __future__ import annotations

import re
import struct

from ._dates import DateWithOffset, parse_offset, valid_datetime

__all__ = ["iim_from_photoshop", "iptc_date"]

_IPTC_RESOURCE = 0x0404
_DATE_CREATED, _TIME_CREATED = 55, 60
_DIGITAL_DATE, _DIGITAL_TIME = 62, 63
_DATE = re.compile(rb"\s*(\d{4})(\d{2})(\d{2})\s*")
_TIME = re.compile(rb"\s*(\d{2}):?(\d{2}):?(\d{2})?\s*([+\-]\d{2}:?\d{2})?\s*")
_MAX_RESOURCES = 1024
_MAX_RECORDS = 4096


def iim_from_photoshop(blob: bytes) -> bytes | None:
    """The IPTC-IIM block in a run of ``8BIM`` image resources."""
    pos = 0
    for _ in range(_MAX_RESOURCES):
        if pos + 12 > len(blob) or blob[pos : pos + 4] != b"8BIM":
            return None
        (resource,) = struct.unpack_from(">H", blob, pos + 4)
        name_length = blob[pos + 6]
        # The Pascal name (length byte included) is padded to an even size.
        pos += 6 + ((name_length + 2) & ~1)
        if pos + 4 > len(blob):
            return None
        (size,) = struct.unpack_from(">I", blob, pos)
        pos += 4
        if resource == _IPTC_RESOURCE:
            return blob[pos : pos + size]
        pos += size + (size & 1)
    return None


def _records(iim: bytes) -> dict[int, bytes]:
    """Record-2 datasets, first occurrence of each."""
    found: dict[int, bytes] = {}
    pos = 0
    for _ in range(_MAX_RECORDS):
        if pos + 5 > len(iim) or iim[pos] != 0x1C:
            break
        record, dataset = iim[pos + 1], iim[pos + 2]
        (size,) = struct.unpack_from(">H", iim, pos + 3)
        pos += 5
        if size & 0x8000:
            # Extended dataset: the low bits say how many bytes hold the length.
            width = size & 0x7FFF
            if width > 4 or pos + width > len(iim):
                break
            size = int.from_bytes(iim[pos : pos + width], "big")
            pos += width
        if record == 2 and dataset not in found:
            found[dataset] = iim[pos : pos + size]
        pos += size
    return found


def _combine(date: bytes | None, time: bytes | None) -> DateWithOffset | None:
    if not date:
        return None
    day = _DATE.fullmatch(date)
    if day is None:
        return None
    year, month, dom = (int(part) for part in day.groups())
    hour = minute = second = 0
    offset = None
    clock = _TIME.fullmatch(time) if time else None
    if clock is not None:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        second = int(clock.group(3) or 0)
        if clock.group(4):
            offset = parse_offset(clock.group(4).decode("ascii"))
    local = valid_datetime(year, month, dom, hour, minute, second)
    return None if local is None else DateWithOffset(local, offset)


def iptc_date(iim: bytes) -> DateWithOffset | None:
    """DateCreated + TimeCreated, else DigitalCreationDate + DigitalCreationTime."""
    records = _records(iim)
    return _combine(records.get(_DATE_CREATED), records.get(_TIME_CREATED)) or _combine(
        records.get(_DIGITAL_DATE), records.get(_DIGITAL_TIME)
    )
