"""PNG metadata by walking chunk headers: IHDR, eXIf, XMP in iTXt, ImageMagick's raw EXIF.

Image data chunks are stepped over by their length, never read or inflated,
so an eXIf chunk after IDAT (which makes Pillow decode the whole image) costs
nothing but the walk; when the image data runs past the head, the chunks
after it are found in the object's tail instead. Compressed text is inflated
with a hard output cap.
"""

from __future__ import annotations

import struct
import zlib

from ..errors import NeedMoreBytes, Reason, UnreadablePhoto
from ._container import LOOKAHEAD_BYTES, Container
from ._exif import read_exif_payload
from ._iptc import iim_from_photoshop
from ._source import ByteSource

__all__ = ["read_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_XMP_KEYWORD = b"XML:com.adobe.xmp"
_RAW_EXIF_KEYWORDS = (b"Raw profile type exif", b"Raw profile type APP1")
_RAW_IPTC_KEYWORDS = (b"Raw profile type iptc", b"Raw profile type 8bim")
_MAX_TEXT = 1 << 20
# Real files have tens of chunks (or thousands of IDATs); a bound keeps a
# file made of empty chunks from costing more than a moment.
_MAX_CHUNKS = 100_000
#: Read from the end when the chunks after the image data lie past the head:
#: a camera's EXIF block (at most 64 KiB in JPEG) and an XMP packet fit.
_TAIL_BYTES = 256 * 1024
_TRAILING = (b"eXIf", b"iTXt", b"tEXt", b"zTXt")
_MAX_CANDIDATES = 64


def _inflate(data: bytes) -> bytes | None:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, _MAX_TEXT)
    except zlib.error:
        return None
    return out


def _itxt_xmp(data: bytes) -> bytes | None:
    keyword, sep, rest = data.partition(b"\x00")
    if keyword != _XMP_KEYWORD or not sep or len(rest) < 2:
        return None
    compressed, body = rest[0], rest[2:]
    # Skip the language tag and the translated keyword.
    _, _, body = body.partition(b"\x00")
    _, _, body = body.partition(b"\x00")
    return _inflate(body) if compressed else body


def _raw_profile(data: bytes, compressed: bool) -> tuple[bytes, bytes] | None:
    """ImageMagick's "Raw profile type ...": a newline, name, length, then hex digits.

    Returns the keyword and the decoded payload.
    """
    keyword, _, rest = data.partition(b"\x00")
    if keyword not in _RAW_EXIF_KEYWORDS and keyword not in _RAW_IPTC_KEYWORDS:
        return None
    if compressed:
        inflated = _inflate(rest[1:])
        if inflated is None:
            return None
        rest = inflated
    lines = rest.strip().split(b"\n", 2)
    if len(lines) < 3:
        return None
    try:
        payload = bytes.fromhex(lines[2].decode("ascii", "replace").replace("\n", ""))
    except ValueError:
        return None
    return keyword, payload


def _iptc(payload: bytes) -> bytes | None:
    # exiftool and ImageMagick store Photoshop resources here; some writers bare IIM.
    return iim_from_photoshop(payload) if payload.startswith(b"8BIM") else payload


def _chain_reaches_iend(tail: bytes, pos: int) -> bool:
    for _ in range(_MAX_CHUNKS):
        if pos + 12 > len(tail):
            return False
        length, kind = struct.unpack_from(">I4s", tail, pos)
        end = pos + 8 + length
        if end + 4 > len(tail):
            return False
        (crc,) = struct.unpack_from(">I", tail, end)
        if zlib.crc32(tail[pos + 4 : end]) != crc:
            return False
        if kind == b"IEND":
            return True
        pos = end + 4
    return False


def _resume_after_pixels(source: ByteSource) -> int | None:
    """Where the chunks after the image data start, found in the object's tail.

    Image data comes in many chunks whose headers are spread over the whole
    file; rather than read them all, read the tail and find the first
    metadata chunk from which a run of CRC-checked chunks reaches IEND.
    ``None`` when the tail has no such run.
    """
    tail_start = max(len(source.head), source.size - _TAIL_BYTES)
    tail = source.read(tail_start, source.size)
    if tail is None:
        raise NeedMoreBytes(source.size, start=tail_start)
    candidates = sorted(
        found - 4
        for kind in (*_TRAILING, b"IEND")
        for found in _occurrences(tail, kind)
        if found >= 4
    )
    for candidate in candidates:
        if _chain_reaches_iend(tail, candidate):
            return tail_start + candidate
    return None


def _occurrences(data: bytes, needle: bytes) -> list[int]:
    found: list[int] = []
    at = data.find(needle)
    while at >= 0 and len(found) < _MAX_CANDIDATES:
        found.append(at)
        at = data.find(needle, at + 1)
    return found


def read_png(source: ByteSource) -> Container:
    head, size = source.head, source.size
    complete = len(head) >= size
    pos, wanted = len(_SIGNATURE), 0
    width = height = 0
    exif = xmp = iptc = None
    ended = after_pixels = resumed = False
    for _ in range(_MAX_CHUNKS):
        wanted = pos + 8
        header = source.read(pos, wanted)
        if header is None:
            if after_pixels and not resumed and pos > len(head) and not complete:
                resumed = True
                resume = _resume_after_pixels(source)
                if resume is not None:
                    pos = resume
                    continue
            break
        length, kind = struct.unpack(">I4s", header)
        start, end = pos + 8, pos + 8 + length
        pos = end + 4
        if kind == b"IEND":
            ended = True
            break
        if kind in (b"IDAT", b"fdAT"):
            after_pixels = True
            continue
        body = source.read(start, end)
        if body is None:
            wanted = end
            break
        if kind == b"IHDR" and length >= 8:
            width, height = struct.unpack_from(">II", body)
        elif kind == b"eXIf" and exif is None:
            exif = body
        elif kind == b"iTXt" and xmp is None:
            xmp = _itxt_xmp(body)
        elif kind in (b"tEXt", b"zTXt"):
            profile = _raw_profile(body, kind == b"zTXt")
            if profile is not None and profile[0] in _RAW_IPTC_KEYWORDS:
                iptc = iptc or _iptc(profile[1])
            elif profile is not None and exif is None:
                start = profile[1].find(b"Exif\x00\x00")
                exif = profile[1][start:] if start >= 0 else profile[1]
    else:
        raise UnreadablePhoto(Reason.CORRUPT, "the PNG has too many chunks")
    if not ended:
        if not complete:
            raise NeedMoreBytes(min(size, wanted + LOOKAHEAD_BYTES))
        if width and height:
            raise UnreadablePhoto(Reason.TRUNCATED, "the PNG ends before its IEND chunk")
    if width == 0 or height == 0:
        raise UnreadablePhoto(Reason.CORRUPT, "the PNG has no valid IHDR chunk")
    return Container(
        mime_type="image/png",
        width=width,
        height=height,
        exif=read_exif_payload(exif) if exif else None,
        xmp=xmp,
        iptc=iptc,
        bytes_needed=min(pos, size),
    )
