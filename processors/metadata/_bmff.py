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
from ._source import ByteSource

__all__ = ["Box", "children", "find_top_level", "full_box", "locate_top_level", "read_uint"]

_MAX_BOXES = 4096
#: A box found past the head is usually the movie header after the media
#: data, running to the end of the file; up to this far, one read takes it all.
_TAIL_IN_ONE_READ = 8 * 1024 * 1024


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


def _header(source: ByteSource, pos: int) -> tuple[int, bytes, int] | None:
    """``(size, kind, header length)`` of the box at ``pos``; ``None`` if not read yet."""
    first = source.read(pos, pos + 8)
    if first is None:
        return None
    size, kind = struct.unpack(">I4s", first)
    if size == 1:
        large = source.read(pos + 8, pos + 16)
        if large is None:
            return None
        return struct.unpack(">Q", large)[0], kind, 16
    return (source.size - pos if size == 0 else size), kind, 8


def _more(source: ByteSource, start: int, end: int) -> NeedMoreBytes:
    if start <= len(source.head):
        return NeedMoreBytes(min(source.size, end + LOOKAHEAD_BYTES))
    return NeedMoreBytes(min(source.size, end), start=start)


def locate_top_level(source: ByteSource, wanted: bytes, what: str) -> tuple[bytes, int, Box]:
    """The first whole top-level ``wanted`` box: the buffer holding it, the object
    offset of that buffer, and the box (positions in the buffer).

    Boxes before it (``mdat``) are stepped over by their headers alone; when
    the box lies past the head, the range it is in is asked for on its own
    (a movie whose ``moov`` follows gigabytes of media costs one more read,
    not the media).
    """
    size = source.size
    complete = len(source.head) >= size
    pos = 0
    for _ in range(_MAX_BOXES):
        if pos + 8 > size:
            break
        header = _header(source, pos)
        if header is None:
            if complete:
                break
            guess = size if size - pos <= _TAIL_IN_ONE_READ else pos + LOOKAHEAD_BYTES
            raise _more(source, pos, guess)
        box_size, kind, header_length = header
        if box_size < header_length:
            raise UnreadablePhoto(Reason.CORRUPT, f"{what}: box {kind!r} has size {box_size}")
        if kind == wanted:
            if pos + box_size > size:
                raise UnreadablePhoto(Reason.TRUNCATED, f"{what}: the {kind!r} box is cut")
            found = source.holding(pos, pos + box_size)
            if found is None:
                raise _more(source, pos, pos + box_size)
            data, offset = found
            return data, offset, Box(kind, pos + header_length - offset, pos + box_size - offset)
        pos += box_size
    else:
        raise UnreadablePhoto(Reason.CORRUPT, f"{what}: too many top-level boxes")
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
