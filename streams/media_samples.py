"""Small photos and videos in every format the metadata extractor reads, built in memory.

Used by the tests, the fuzz suite (as seeds) and the metadata benchmark's
corpus. Pillow writes JPEG, PNG, WebP, TIFF, GIF and MPO; pillow-heif (in the
vision extra) writes HEIC; movies, IPTC records and DNG-shaped
TIFFs are assembled here byte by byte, since nothing installable writes them.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from PIL import Image

__all__ = [
    "dng",
    "gif",
    "heic",
    "iim",
    "jpeg_with_photoshop_iptc",
    "movie",
    "mpo",
    "picture",
    "png",
    "tiff",
    "webp",
]

_EPOCH_1904 = datetime(1904, 1, 1)


def picture(size: tuple[int, int] = (64, 48), colour: str = "teal") -> Image.Image:
    """A plain image with a darker corner, so orientation mistakes would show."""
    image = Image.new("RGB", size, colour)
    image.paste((20, 20, 20), (0, 0, max(1, size[0] // 4), max(1, size[1] // 4)))
    return image


def _exif_bytes(exif: Image.Exif | bytes | None) -> bytes | None:
    if exif is None:
        return None
    return exif if isinstance(exif, bytes) else exif.tobytes()


# -- PNG ------------------------------------------------------------------------


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(
    *,
    size: tuple[int, int] = (64, 48),
    exif: Image.Exif | bytes | None = None,
    xmp: bytes | None = None,
    exif_after_idat: bool = False,
    compress_xmp: bool = False,
) -> bytes:
    """A PNG with an eXIf chunk before or after the image data and XMP in iTXt."""
    out = io.BytesIO()
    picture(size).save(out, "PNG")
    data = out.getvalue()
    iend = data.rindex(b"IEND") - 4
    idat = data.index(b"IDAT") - 4
    extra_before, extra_after = b"", b""
    raw = _exif_bytes(exif)
    if raw is not None:
        # The eXIf chunk holds the TIFF structure without the JPEG "Exif\0\0" prefix.
        chunk = _chunk(b"eXIf", raw.removeprefix(b"Exif\x00\x00"))
        if exif_after_idat:
            extra_after += chunk
        else:
            extra_before += chunk
    if xmp is not None:
        body = zlib.compress(xmp) if compress_xmp else xmp
        flag = b"\x01\x00" if compress_xmp else b"\x00\x00"
        extra_before += _chunk(b"iTXt", b"XML:com.adobe.xmp\x00" + flag + b"\x00\x00" + body)
    return data[:idat] + extra_before + data[idat:iend] + extra_after + data[iend:]


# -- Pillow-written formats -------------------------------------------------------


def webp(
    *, size: tuple[int, int] = (64, 48), exif: Image.Exif | None = None, xmp: bytes | None = None
) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": 80}
    if exif is not None:
        options["exif"] = exif
    if xmp is not None:
        options["xmp"] = xmp
    picture(size).save(out, "WEBP", **options)
    return out.getvalue()


def tiff(*, size: tuple[int, int] = (64, 48), exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    picture(size).save(out, "TIFF", **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def gif(*, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    picture(size).convert("P").save(out, "GIF")
    return out.getvalue()


def mpo(*, size: tuple[int, int] = (64, 48), exif: Image.Exif | None = None) -> bytes:
    """A two-frame MPO (stereo camera); the first frame carries the EXIF."""
    out = io.BytesIO()
    frames = [picture(size, "teal"), picture(size, "olive")]
    options: dict[str, Any] = {"save_all": True, "append_images": frames[1:]}
    if exif is not None:
        options["exif"] = exif
    frames[0].save(out, "MPO", **options)
    return out.getvalue()


def heic(
    *,
    size: tuple[int, int] = (64, 48),
    exif: Image.Exif | None = None,
    xmp: bytes | None = None,
    image: Image.Image | None = None,
    quality: int = 50,
) -> bytes:
    """A HEIC written by libheif through pillow-heif: ``image``, else a plain picture.

    An EXIF orientation other than 1 is written as the HEIF ``irot``/``imir``
    transform, as phones do: ``image`` holds the stored pixels, which readers
    show turned by that orientation.
    """
    import pillow_heif

    out = io.BytesIO()
    options: dict[str, Any] = {"quality": quality}
    if exif is not None:
        options["exif"] = exif.tobytes()
    if xmp is not None:
        options["xmp"] = xmp
    pillow_heif.from_pillow(image if image is not None else picture(size)).save(out, **options)
    return out.getvalue()


# -- IPTC -----------------------------------------------------------------------


def iim(datasets: Mapping[int, bytes]) -> bytes:
    """IPTC-IIM record 2 datasets (e.g. {55: b"20240131", 60: b"235959+0100"})."""
    out = b"\x1c\x02\x00\x00\x02\x00\x04"  # RecordVersion 4
    for number, value in datasets.items():
        out += b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(value)) + value
    return out


def jpeg_with_photoshop_iptc(jpeg: bytes, records: bytes) -> bytes:
    """``jpeg`` with an APP13 Photoshop segment holding ``records`` as resource 0x0404."""
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(records)) + records
    if len(records) % 2:
        resource += b"\x00"
    payload = b"Photoshop 3.0\x00" + resource
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


# -- DNG-shaped TIFF --------------------------------------------------------------


def _ifd(entries: Sequence[tuple[int, int, Sequence[int]]], next_ifd: int) -> bytes:
    """A little-endian IFD of BYTE/SHORT/LONG entries whose values fit in four bytes."""
    out = struct.pack("<H", len(entries))
    for tag, kind, values in sorted(entries):
        packed = struct.pack("<" + {1: "B", 3: "H", 4: "I"}[kind] * len(values), *values)
        out += struct.pack("<HHI", tag, kind, len(values)) + packed.ljust(4, b"\x00")
    return out + struct.pack("<I", next_ifd)


def dng(*, preview: tuple[int, int] = (256, 171), full: tuple[int, int] = (6000, 4000)) -> bytes:
    """The layout of a DNG: IFD0 a small preview (NewSubfileType 1), the raw image in a SubIFD."""
    ifd0_at, sub_at = 8, 8 + 2 + 6 * 12 + 4
    ifd0 = _ifd(
        [
            (0x00FE, 4, [1]),
            (0x0100, 4, [preview[0]]),
            (0x0101, 4, [preview[1]]),
            (0x014A, 4, [sub_at]),
            (0xC612, 1, [1, 4, 0, 0]),  # DNGVersion 1.4.0.0
            (0x0112, 3, [1]),
        ],
        0,
    )
    sub = _ifd([(0x00FE, 4, [0]), (0x0100, 4, [full[0]]), (0x0101, 4, [full[1]])], 0)
    return b"II*\x00" + struct.pack("<I", ifd0_at) + ifd0 + sub


# -- movies -----------------------------------------------------------------------


def _box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full(kind: bytes, version: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", version << 24), *parts)


_MATRICES = {
    0: (1, 0, 0, 1),
    90: (0, 1, -1, 0),
    180: (-1, 0, 0, -1),
    270: (0, -1, 1, 0),
}


def _track(size: tuple[int, int], rotation: int, duration: int) -> bytes:
    a, b, c, d = (value << 16 for value in _MATRICES[rotation])
    matrix = struct.pack(">9i", a, b, 0, c, d, 0, 0, 0, 1 << 30)
    tkhd = _full(
        b"tkhd",
        0,
        struct.pack(">IIIII", 0, 0, 1, 0, duration),
        bytes(8) + struct.pack(">hhhH", 0, 0, 0, 0),
        matrix,
        struct.pack(">II", size[0] << 16, size[1] << 16),
    )
    hdlr = _full(b"hdlr", 0, b"\x00\x00\x00\x00vide" + bytes(12) + b"VideoHandler\x00")
    mdhd = _full(b"mdhd", 0, struct.pack(">IIIIHH", 0, 0, 1000, duration, 0x55C4, 0))
    return _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr))


def _apple_meta(keys: Mapping[str, str]) -> bytes:
    names = b"".join(_box(b"mdta", name.encode()) for name in keys)
    items = b"".join(
        _box(struct.pack(">I", i + 1), _box(b"data", struct.pack(">II", 1, 0), value.encode()))
        for i, value in enumerate(keys.values())
    )
    hdlr = _full(b"hdlr", 0, b"\x00\x00\x00\x00mdta" + bytes(12) + b"\x00")
    keys_box = _full(b"keys", 0, struct.pack(">I", len(keys)), names)
    return _box(b"meta", hdlr, keys_box, _box(b"ilst", items))


def movie(
    *,
    brand: bytes = b"isom",
    created: datetime | None = None,
    duration_s: float = 3.0,
    size: tuple[int, int] = (1920, 1080),
    rotation: int = 0,
    location: str | None = None,
    apple_keys: Mapping[str, str] | None = None,
    moov_at_end: bool = False,
    mdat_bytes: int = 4096,
) -> bytes:
    """An MP4 (``brand`` isom) or QuickTime (``qt  ``) movie header with one video track.

    ``location`` is an ISO 6709 string written to ``udta/©xyz``; ``apple_keys``
    go to a ``meta`` keys list (``com.apple.quicktime.*``). The media data is
    zeros: readers of headers never look at it.
    """
    seconds = int((created - _EPOCH_1904).total_seconds()) if created else 0
    duration = round(duration_s * 1000)
    mvhd = _full(
        b"mvhd",
        0,
        struct.pack(">IIII", seconds, seconds, 1000, duration),
        struct.pack(">IH", 0x00010000, 0x0100) + bytes(10),
        struct.pack(">9i", 1 << 16, 0, 0, 0, 1 << 16, 0, 0, 0, 1 << 30),
        bytes(24) + struct.pack(">I", 2),
    )
    parts = [mvhd, _track(size, rotation, duration)]
    if location is not None:
        text = location.encode()
        parts.append(_box(b"udta", _box(b"\xa9xyz", struct.pack(">HH", len(text), 0x15C7), text)))
    if apple_keys:
        parts.append(_apple_meta(apple_keys))
    moov = _box(b"moov", *parts)
    ftyp = _box(b"ftyp", brand, struct.pack(">I", 0x200), brand, b"mp41")
    mdat = _box(b"mdat", bytes(mdat_bytes))
    return ftyp + (mdat + moov if moov_at_end else moov + mdat)
