"""A bounded reader for TIFF image file directories (EXIF, TIFF, DNG, maker notes).

Only the tags a caller asks for are decoded, every offset is checked against
the buffer, every directory is read at most once (offset loops end), and the
number of entries and directories read per file is capped, so hostile input
costs a bounded amount of work and never more memory than the buffer itself.
"""

from __future__ import annotations

import struct
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MAX_ENTRIES", "Directory", "TiffBudget", "TiffStructure", "parse_tiff_header"]

#: Entries read from one directory; real ones have well under a hundred.
MAX_ENTRIES = 512
#: Directories read from one file (IFD0, Exif, GPS, SubIFDs, maker notes).
_MAX_DIRECTORIES = 48

# type -> (bytes per value, struct code); RATIONAL/SRATIONAL read as two ints.
_TYPES: dict[int, tuple[int, str]] = {
    1: (1, "B"),
    2: (1, "s"),
    3: (2, "H"),
    4: (4, "I"),
    5: (8, "II"),
    6: (1, "b"),
    7: (1, "s"),
    8: (2, "h"),
    9: (4, "i"),
    10: (8, "ii"),
    11: (4, "f"),
    12: (8, "d"),
    13: (4, "I"),
}
_BYTES_TYPES = frozenset({1, 2, 7})
_RATIONALS = frozenset({5, 10})


@dataclass(slots=True)
class TiffBudget:
    """How many more directories this file may read."""

    directories: int = _MAX_DIRECTORIES
    seen: set[tuple[int, int]] = field(default_factory=set)
    #: The furthest byte a structure pointed at past the end of the buffer; a
    #: reader holding only the head of a file asks for this much.
    beyond: int = 0


@dataclass(frozen=True, slots=True)
class Directory:
    """Decoded values of one IFD, by tag: ``bytes`` for BYTE/ASCII/UNDEFINED, else a tuple."""

    values: dict[int, Any]
    next_offset: int
    #: Where in the buffer the bytes of each ``raw`` tag start.
    positions: dict[int, int] = field(default_factory=dict)


_EMPTY = Directory({}, 0)


class TiffStructure:
    """A TIFF structure in ``data``; offsets count from ``base``."""

    __slots__ = ("base", "budget", "data", "endian")

    def __init__(self, data: bytes, endian: str, base: int = 0, budget: TiffBudget | None = None):
        self.data = data
        self.endian = endian
        self.base = base
        self.budget = budget if budget is not None else TiffBudget()

    def directory(
        self, offset: int, wanted: Collection[int] | None = None, raw: Collection[int] = ()
    ) -> Directory:
        """The IFD at ``offset``; an empty one when it is out of range or already read.

        Tags in ``raw`` come back as their bytes whatever their type (writers
        store IPTC blocks as LONG arrays, for one).
        """
        data, endian = self.data, self.endian
        start = self.base + offset
        key = (start, id(data))
        if offset <= 0 or key in self.budget.seen:
            return _EMPTY
        if start + 2 > len(data):
            self.budget.beyond = max(self.budget.beyond, start + 2)
            return _EMPTY
        if self.budget.directories <= 0:
            return _EMPTY
        self.budget.directories -= 1
        self.budget.seen.add(key)
        (count,) = struct.unpack_from(endian + "H", data, start)
        if start + 6 + 12 * count > len(data):
            self.budget.beyond = max(self.budget.beyond, start + 6 + 12 * count)
        count = min(count, MAX_ENTRIES, (len(data) - start - 2) // 12)
        values: dict[int, Any] = {}
        positions: dict[int, int] = {}
        entry = start + 2
        for _ in range(count):
            tag, kind, n, data_raw = struct.unpack_from(endian + "HHI4s", data, entry)
            entry += 12
            if wanted is not None and tag not in wanted:
                continue
            if tag in values:
                continue
            if tag in raw:
                value = self._value(7, n, data_raw, kind)
                if value is not None:
                    positions[tag] = self._position(n, data_raw, kind, entry - 4)
            else:
                value = self._value(kind, n, data_raw, kind)
            if value is not None:
                values[tag] = value
        next_offset = 0
        if entry + 4 <= len(data):
            (next_offset,) = struct.unpack_from(endian + "I", data, entry)
        return Directory(values, next_offset, positions)

    def _position(self, count: int, raw: bytes, kind: int, inline: int) -> int:
        if _TYPES[kind][0] * count <= 4:
            return inline
        (offset,) = struct.unpack(self.endian + "I", raw)
        return self.base + int(offset)

    def _value(self, kind: int, count: int, raw: bytes, stored_kind: int) -> Any:
        spec, stored = _TYPES.get(kind), _TYPES.get(stored_kind)
        if spec is None or stored is None or count == 0:
            return None
        code = spec[1]
        length = stored[0] * count
        if length <= 4:
            blob = raw[:length]
        else:
            (offset,) = struct.unpack(self.endian + "I", raw)
            start = self.base + offset
            if offset == 0:
                return None
            if start + length > len(self.data):
                self.budget.beyond = max(self.budget.beyond, start + length)
                return None
            blob = self.data[start : start + length]
        if kind in _BYTES_TYPES:
            return bytes(blob)
        if kind in _RATIONALS:
            parts = struct.unpack(f"{self.endian}{2 * count}{code[0]}", blob)
            return tuple(
                num / den if den else float("nan")
                for num, den in zip(parts[::2], parts[1::2], strict=True)
            )
        return struct.unpack(f"{self.endian}{count}{code}", blob)


def parse_tiff_header(data: bytes, base: int = 0) -> tuple[str, int] | None:
    """``(struct byte-order prefix, offset of IFD0)`` of a classic TIFF header at ``base``."""
    order = data[base : base + 4]
    if order == b"II*\x00":
        endian = "<"
    elif order == b"MM\x00*":
        endian = ">"
    else:
        return None
    if base + 8 > len(data):
        return None
    (first,) = struct.unpack_from(endian + "I", data, base + 4)
    return endian, first
