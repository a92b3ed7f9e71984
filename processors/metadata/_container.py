"""What a format reader finds in a file's header, before fields are chosen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ._exif import ExifFields

__all__ = ["LOOKAHEAD_BYTES", "Container", "VideoInfo"]

#: Asked for beyond a structure that runs past the head, so one more read
#: usually also covers the small structures that follow it.
LOOKAHEAD_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What a QuickTime/MP4 movie header says."""

    duration_s: float | None = None
    created_utc: datetime | None = None  # mvhd creation time, UTC by the spec
    created_local: str | None = None  # Apple's creationdate, with its offset
    rotation: int = 0  # clockwise degrees from the video track matrix
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None
    make: str | None = None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class Container:
    """The raw metadata blocks and stored size of one file."""

    mime_type: str
    width: int
    height: int
    bytes_needed: int
    exif: ExifFields | None = None
    xmp: bytes | None = None
    iptc: bytes | None = None  # IPTC-IIM records (Photoshop resource 0x0404 payload)
    orientation: int | None = None  # from the container itself (HEIF irot/imir)
    #: What a decoder shows before orientation, when it is not the stored size
    #: (HEIF's clean aperture crops the coded size, which HEVC pads to whole blocks).
    display_size: tuple[int, int] | None = None
    video: VideoInfo | None = None
