"""Headers of the non-JPEG formats Pillow opens lazily (PNG, GIF, WebP, TIFF).

``Image.open`` reads only headers; pixels are decoded on ``load()``, which is
never called here. PNG's ``getexif()`` would call it when the eXIf chunk
follows the image data, so for everything but TIFF the EXIF block is taken
from ``info`` (filled while the headers are read) instead.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from ..errors import NeedMoreBytes, Reason, UnreadablePhoto
from ._exif import ExifFields, read_exif, read_exif_payload

__all__ = ["PillowHeader", "read_pillow_header"]

_XMP_KEYS = ("xmp", "XML:com.adobe.xmp")


@dataclass(frozen=True, slots=True)
class PillowHeader:
    width: int
    height: int
    exif: ExifFields | None
    xmp: bytes | None


def _xmp(info: Mapping[Any, Any]) -> bytes | None:
    for key in _XMP_KEYS:
        value = info.get(key)
        if isinstance(value, bytes):
            return value
        if isinstance(value, str):
            return value.encode("utf-8", "replace")
    return None


def read_pillow_header(head: bytes, *, object_size: int, pillow_format: str) -> PillowHeader:
    complete = len(head) >= object_size
    try:
        with Image.open(io.BytesIO(head), formats=[pillow_format]) as image:
            width, height = image.size
            exif: ExifFields | None
            if pillow_format == "TIFF":
                exif = read_exif(image.getexif())
            else:
                raw = image.info.get("exif")
                exif = read_exif_payload(raw) if isinstance(raw, bytes) else None
            xmp = _xmp(image.info)
    except Image.DecompressionBombError as exc:
        raise UnreadablePhoto(Reason.DECOMPRESSION_BOMB, str(exc)) from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        struct.error,
    ) as exc:
        if not complete:
            # Where these formats keep their headers is not bounded the way
            # JPEG's are; the whole object is the one safe answer.
            raise NeedMoreBytes(object_size) from exc
        raise UnreadablePhoto(Reason.CORRUPT, f"unreadable {pillow_format} header: {exc}") from exc
    return PillowHeader(width, height, exif, xmp)
