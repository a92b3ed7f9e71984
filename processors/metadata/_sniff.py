"""Recognising a file's format from its first bytes, never from its name."""

from __future__ import annotations

__all__ = ["MAGIC_BYTES", "sniff_mime"]

#: Enough bytes to tell every format below apart.
MAGIC_BYTES = 16

# Like exiftool: only the plain 'heic' brand is called HEIC, the other HEVC and
# generic brands HEIF.
_HEIC_BRANDS = frozenset({b"heic"})
_HEIF_BRANDS = frozenset({b"mif1", b"heix", b"heim", b"heis", b"hevx", b"mif2"})
_HEIF_SEQUENCE_BRANDS = frozenset({b"msf1", b"hevc"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_QUICKTIME_FIRST_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


def _iso_bmff(head: bytes) -> str | None:
    brand = head[8:12]
    if brand in _HEIC_BRANDS:
        return "image/heic"
    if brand in _AVIF_BRANDS:
        return "image/avif"
    if brand in _HEIF_BRANDS:
        return "image/heif"
    if brand in _HEIF_SEQUENCE_BRANDS:
        return "image/heif-sequence"
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
    if head[4:8] in _QUICKTIME_FIRST_ATOMS:
        # Older QuickTime movies have no ftyp and start with any of these.
        return "video/quicktime"
    return None
