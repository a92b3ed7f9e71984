"""Photo and video metadata from the head of an object: capture time, camera, GPS, geometry.

JPEG (and MPO), PNG, WebP, GIF, TIFF, DNG, HEIC/HEIF/AVIF, MP4 and QuickTime;
EXIF, maker notes, XMP, IPTC and movie headers. Headers only, never pixels.
:func:`extract_metadata` tells the caller when it needs a longer head
(:class:`~processors.errors.NeedMoreBytes`) and when the object is not a
readable photo (:class:`~processors.errors.UnreadablePhoto`).
"""

from ._extract import DEFAULT_MAX_PIXELS, INITIAL_HEAD_BYTES, extract_metadata
from ._resolve import ResolvedTime, parse_client_timezone, resolve_capture_time
from ._result import PhotoMetadata, oriented_size

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "INITIAL_HEAD_BYTES",
    "PhotoMetadata",
    "ResolvedTime",
    "extract_metadata",
    "oriented_size",
    "parse_client_timezone",
    "resolve_capture_time",
]
