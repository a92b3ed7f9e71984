"""JPEG marker segments from the start of the file up to the frame header.

Reading the segment structure ourselves (instead of letting a decoder do it)
tells us exactly where the EXIF and XMP segments end and where the SOF
segment with the image dimensions is, so a caller holding only the head of
an object learns how many bytes to fetch, and nothing past the frame header
is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import NeedMoreBytes, Reason, UnreadablePhoto

__all__ = ["LOOKAHEAD_BYTES", "JpegHeader", "ends_properly", "is_jpeg", "scan_jpeg"]

#: Asked for beyond a segment that runs past the head, so one more read usually
#: also covers the small segments (DQT, SOF) that follow it.
LOOKAHEAD_BYTES = 16 * 1024

_SOI = b"\xff\xd8"
_SOF_MARKERS = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)
# Markers without a length field: TEM, RST0-7 and a repeated SOI.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})
_EOI, _SOS, _APP1, _APP13 = 0xD9, 0xDA, 0xE1, 0xED
_EXIF_PREFIX = b"Exif\x00\x00"
_XMP_PREFIX = b"http://ns.adobe.com/xap/1.0/\x00"
_PHOTOSHOP_PREFIX = b"Photoshop 3.0\x00"


@dataclass(frozen=True, slots=True)
class JpegHeader:
    """What the segments before the frame header hold."""

    width: int
    height: int
    exif: bytes | None
    xmp: bytes | None
    header_end: int
    photoshop: bytes | None = None


def is_jpeg(head: bytes) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _short(
    needed: int, *, object_size: int, complete: bool, what: str
) -> NeedMoreBytes | UnreadablePhoto:
    """The error for a head that ends before ``needed`` bytes."""
    if complete:
        return UnreadablePhoto(Reason.TRUNCATED, f"the JPEG ends inside its {what}")
    return NeedMoreBytes(min(object_size, needed + LOOKAHEAD_BYTES))


def scan_jpeg(head: bytes, *, object_size: int) -> JpegHeader:
    """Walk the segments up to SOF.

    Raises :class:`NeedMoreBytes` when a segment we need runs past ``head``
    and the object is longer, :class:`UnreadablePhoto` when the whole object
    is here and the structure is broken.
    """
    complete = len(head) >= object_size
    end = len(head)
    exif_parts: list[bytes] = []
    photoshop_parts: list[bytes] = []
    xmp: bytes | None = None
    pos = len(_SOI)
    while True:
        # libjpeg skips junk between segments (with a warning); so do we.
        pos = head.find(b"\xff", pos)
        if pos < 0:
            raise _short(end + 1, object_size=object_size, complete=complete, what="header")
        while pos < end and head[pos] == 0xFF:
            pos += 1
        if pos >= end:
            raise _short(pos + 1, object_size=object_size, complete=complete, what="header")
        marker = head[pos]
        pos += 1
        if marker == 0x00 or marker in _STANDALONE:
            continue
        if marker == _EOI:
            raise UnreadablePhoto(Reason.CORRUPT, "the JPEG ends before its frame header")
        if marker == _SOS:
            raise UnreadablePhoto(Reason.CORRUPT, "the JPEG has image data before a frame header")
        if pos + 2 > end:
            raise _short(pos + 2, object_size=object_size, complete=complete, what="header")
        length = int.from_bytes(head[pos : pos + 2], "big")
        if length < 2:
            raise UnreadablePhoto(
                Reason.CORRUPT, f"JPEG segment 0xFF{marker:02X} has length {length}"
            )
        start, stop = pos + 2, pos + length
        if stop > end:
            what = "EXIF segment" if marker == _APP1 else f"segment 0xFF{marker:02X}"
            raise _short(stop, object_size=object_size, complete=complete, what=what)
        if marker in _SOF_MARKERS:
            frame = _frame(head, start, stop, exif_parts, xmp)
            if photoshop_parts:
                return replace(frame, photoshop=b"".join(photoshop_parts))
            return frame
        if marker == _APP1:
            payload = head[start:stop]
            if payload.startswith(_EXIF_PREFIX):
                # Like Pillow: a second EXIF segment continues the first.
                exif_parts.append(payload if not exif_parts else payload[len(_EXIF_PREFIX) :])
            elif payload.startswith(_XMP_PREFIX) and xmp is None:
                xmp = payload[len(_XMP_PREFIX) :]
        elif marker == _APP13 and head.startswith(_PHOTOSHOP_PREFIX, start):
            # Photoshop splits long resource blocks over several APP13 segments.
            photoshop_parts.append(head[start + len(_PHOTOSHOP_PREFIX) : stop])
        pos = stop


def _frame(
    head: bytes, start: int, stop: int, exif_parts: list[bytes], xmp: bytes | None
) -> JpegHeader:
    if stop - start < 6:
        raise UnreadablePhoto(Reason.CORRUPT, "the JPEG frame header is too short")
    height = int.from_bytes(head[start + 1 : start + 3], "big")
    width = int.from_bytes(head[start + 3 : start + 5], "big")
    if width == 0 or height == 0:
        raise UnreadablePhoto(Reason.CORRUPT, f"the JPEG frame header says {width}x{height}")
    return JpegHeader(
        width=width,
        height=height,
        exif=b"".join(exif_parts) or None,
        xmp=xmp,
        header_end=stop,
    )


def ends_properly(data: bytes, header_end: int) -> bool:
    """Whether a whole JPEG has a scan after its header and an EOI after that scan.

    Entropy-coded data escapes every 0xFF, so an ``FF D9`` after the first SOS
    is the end of the image; a file cut anywhere in its scan data has none.
    Trailers after EOI (motion-photo videos, maker trailers) do not matter.
    """
    scan = data.find(b"\xff\xda", header_end)
    return scan >= 0 and data.find(b"\xff\xd9", scan + 2) >= 0
