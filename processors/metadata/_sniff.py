"""Recognising a file's format from its first bytes, never from its name."""

from __future__ import annotations

__all__ = ["MAGIC_BYTES", "PILLOW_FORMATS", "UNSUPPORTED", "sniff_mime"]

#: Enough bytes to tell every format below apart.
MAGIC_BYTES = 16

#: Formats read through Pillow (JPEG has its own reader), by MIME type.
PILLOW_FORMATS = {
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/tiff": "TIFF",
}

#: Recognised, but not read yet.
UNSUPPORTED = frozenset({"image/heic", "image/heif", "image/avif", "video/mp4", "video/quicktime"})

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


def _iso_bmff(head: bytes) -> str | None:
    brand = head[8:12]
    if brand in _HEIC_BRANDS:
        return "image/heic"
    if brand in _AVIF_BRANDS:
        return "image/avif"
    if brand in _HEIF_BRANDS:
        return "image/heif"
    if brand == b"qt  ":
        return "video/quicktime"
    return "video/mp4"


def sniff_mime(head: bytes) -> str | None:
    """The MIME type the signature says, or ``None`` for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head[4:8] == b"ftyp":
        return _iso_bmff(head)
    return None
