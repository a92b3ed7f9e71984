"""ISO base media file format boxes (HEIF, AVIF, MP4, QuickTime): a bounded walker.

Each box is ``size`` (32 bits, or 1 then 64 bits, or 0 for "to the end"),
a four-character type and its payload. The walker yields boxes inside a byte
range and never more than a fixed number of them, so a file of a million
empty boxes costs a moment, not a minute.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import NeedMoreBytes, Reason, UnreadablePhoto
from ._container import LOOKAHEAD_BYTES

__all__ = ["Box", "children", "find_top_level", "full_box", "read_uint"]

_MAX_BOXES = 4096


@dataclass(frozen=True, slots=True)
class Box:
    kind: bytes
    start: int  # of the payload
    end: int  # of the box


def children(data: bytes, start: int, end: int) -> Iterator[Box]:
    """Boxes inside ``data[start:end]``; stops at the first malformed header."""
    end = min(end, len(data))
    pos = start
    for _ in range(_MAX_BOXES):
        if pos + 8 > end:
            return
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                return
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield Box(kind, pos + header, pos + size)
        pos += size


def find_top_level(
    head: bytes, object_size: int, wanted: bytes, what: str
) -> tuple[Box, list[bytes]]:
    """The first top-level ``wanted`` box, whole; the kinds of the boxes before it.

    Asks for more bytes when the box (or the header of the next box) lies past
    the head; large boxes before it (``mdat``) are stepped over unread.
    """
    complete = len(head) >= object_size
    pos, seen = 0, list[bytes]()
    for _ in range(_MAX_BOXES):
        if pos + 8 > len(head):
            break
        size, kind = struct.unpack_from(">I4s", head, pos)
        header = 8
        if size == 1:
            if pos + 16 > len(head):
                break
            (size,) = struct.unpack_from(">Q", head, pos + 8)
            header = 16
        elif size == 0:
            size = object_size - pos
        if size < header:
            raise UnreadablePhoto(Reason.CORRUPT, f"{what}: box {kind!r} has size {size}")
        if kind == wanted:
            if pos + size > len(head):
                if complete or pos + size > object_size:
                    raise UnreadablePhoto(Reason.TRUNCATED, f"{what}: the {kind!r} box is cut")
                raise NeedMoreBytes(min(object_size, pos + size + LOOKAHEAD_BYTES))
            return Box(kind, pos + header, pos + size), seen
        seen.append(kind)
        pos += size
        if pos >= object_size:
            break
    else:
        raise UnreadablePhoto(Reason.CORRUPT, f"{what}: too many top-level boxes")
    if pos < object_size and not complete:
        raise NeedMoreBytes(min(object_size, pos + 16 + LOOKAHEAD_BYTES))
    raise UnreadablePhoto(Reason.CORRUPT, f"{what}: no {wanted.decode('latin-1')!r} box")


def full_box(data: bytes, box: Box) -> tuple[int, int, int]:
    """``(version, flags, payload start)`` of a FullBox."""
    if box.start + 4 > box.end:
        return 0, 0, box.end
    word = int.from_bytes(data[box.start : box.start + 4], "big")
    return word >> 24, word & 0xFFFFFF, box.start + 4


def read_uint(data: bytes, pos: int, size: int) -> int:
    """A big-endian unsigned integer of ``size`` bytes (0..8); 0 past the data."""
    if size == 0 or pos + size > len(data):
        return 0
    return int.from_bytes(data[pos : pos + size], "big")
