"""WebP and GIF headers: canvas size, and WebP's EXIF and XMP chunks.

WebP is a RIFF file of chunks; the extended format (VP8X) says the canvas
size and keeps EXIF and XMP in chunks of their own, usually after the image
data, which is stepped over by its length (a chunk past the head is asked
for on its own, so a large image costs one more read, not its pixels). GIF
needs only its screen descriptor.
"""

from __future__ import annotations

import struct

from ..errors import NeedMoreBytes, Reason, UnreadablePhoto
from ._container import LOOKAHEAD_BYTES, Container
from ._exif import read_exif_payload
from ._source import ByteSource

__all__ = ["read_gif", "read_webp"]

_MAX_CHUNKS = 10_000


def _frame_size(kind: bytes, body: bytes) -> tuple[int, int]:
    if kind == b"VP8X" and len(body) >= 10:
        width = int.from_bytes(body[4:7], "little") + 1
        height = int.from_bytes(body[7:10], "little") + 1
        return width, height
    if kind == b"VP8 " and len(body) >= 10 and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", body, 6)
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return 0, 0


def _need(source: ByteSource, start: int, end: int) -> NeedMoreBytes:
    end = min(source.size, end + LOOKAHEAD_BYTES)
    # A chunk far past the head (EXIF after a large bitstream) is read on its own;
    # near ones (frames of an animation) by a longer head, which the caller doubles.
    if start > 2 * len(source.head):
        return NeedMoreBytes(end, start=start)
    return NeedMoreBytes(end)


def read_webp(source: ByteSource) -> Container:
    head, size = source.head, source.size
    riff_end = 8 + int.from_bytes(head[4:8], "little")
    if riff_end > size:
        raise UnreadablePhoto(Reason.TRUNCATED, "the WebP is shorter than its RIFF header says")
    pos = 12
    missing: tuple[int, int] | None = None
    width = height = 0
    exif = xmp = None
    for _ in range(_MAX_CHUNKS):
        if pos + 8 > riff_end:
            break
        header = source.read(pos, pos + 8)
        if header is None:
            missing = (pos, pos + 8)
            break
        kind, length = struct.unpack("<4sI", header)
        start, end = pos + 8, pos + 8 + length
        pos = end + (length & 1)
        if kind in (b"ANMF", b"ALPH") or (kind in (b"VP8 ", b"VP8L") and width):
            continue
        # Only the first bytes of a bitstream chunk hold its size.
        stop = min(end, start + 16) if kind in (b"VP8 ", b"VP8L") else end
        if stop > riff_end:
            raise UnreadablePhoto(Reason.TRUNCATED, "the WebP ends inside a chunk")
        body = source.read(start, stop)
        if body is None:
            missing = (start, stop)
            break
        if kind in (b"VP8X", b"VP8 ", b"VP8L") and not width:
            width, height = _frame_size(kind, body)
        elif kind == b"EXIF" and exif is None:
            exif = body
        elif kind == b"XMP " and xmp is None:
            xmp = body
    else:
        raise UnreadablePhoto(Reason.CORRUPT, "the WebP has too many chunks")
    if missing is not None:
        raise _need(source, *missing)
    if width == 0 or height == 0:
        raise UnreadablePhoto(Reason.CORRUPT, "the WebP has no readable frame header")
    return Container(
        mime_type="image/webp",
        width=width,
        height=height,
        exif=read_exif_payload(exif) if exif else None,
        xmp=xmp,
        bytes_needed=min(pos, size),
    )


def read_gif(head: bytes, object_size: int) -> Container:
    if len(head) < 10:
        if len(head) < object_size:
            raise NeedMoreBytes(min(object_size, 10 + LOOKAHEAD_BYTES))
        raise UnreadablePhoto(Reason.TRUNCATED, "the GIF ends inside its header")
    width, height = struct.unpack_from("<HH", head, 6)
    if width == 0 or height == 0:
        raise UnreadablePhoto(Reason.CORRUPT, f"the GIF screen is {width}x{height}")
    return Container(mime_type="image/gif", width=width, height=height, bytes_needed=10)
