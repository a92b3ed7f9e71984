"""Python twins of the Avro enums; member values are the Avro symbols.

Every enum starts with ``UNKNOWN``, the Avro default symbol: a reader meeting
a symbol added by a newer writer gets ``UNKNOWN`` instead of an error, so the
enums can grow. New members are appended, never inserted or renamed.
"""

from __future__ import annotations

import enum

__all__ = ["AlbumChange", "AlbumKind", "MediaType", "TimeSource", "TzSource"]


class MediaType(enum.StrEnum):
    """Kind of media object."""

    UNKNOWN = "UNKNOWN"
    PHOTO = "PHOTO"
    VIDEO = "VIDEO"


class TimeSource(enum.StrEnum):
    """Where a capture time came from, best first."""

    UNKNOWN = "UNKNOWN"
    EXIF_ORIGINAL = "EXIF_ORIGINAL"
    EXIF_DIGITIZED = "EXIF_DIGITIZED"
    XMP = "XMP"
    IPTC = "IPTC"
    QUICKTIME = "QUICKTIME"
    FILENAME = "FILENAME"
    UPLOAD_TIME = "UPLOAD_TIME"


class TzSource(enum.StrEnum):
    """Where the UTC offset of a capture time came from."""

    UNKNOWN = "UNKNOWN"
    EXIF_OFFSET = "EXIF_OFFSET"
    DATE_STRING = "DATE_STRING"
    GPS = "GPS"
    GPS_TIME = "GPS_TIME"
    CLIENT_HINT = "CLIENT_HINT"


class AlbumKind(enum.StrEnum):
    """Which automatic album rule made an album."""

    UNKNOWN = "UNKNOWN"
    TRIP = "TRIP"
    EVENT = "EVENT"
    PLACE = "PLACE"
    ON_THIS_DAY = "ON_THIS_DAY"
    BEST_OF = "BEST_OF"
    DUPLICATE_STACK = "DUPLICATE_STACK"


class AlbumChange(enum.StrEnum):
    """What happened to an album."""

    UNKNOWN = "UNKNOWN"
    CREATED = "CREATED"
    PHOTO_ADDED = "PHOTO_ADDED"
    PHOTO_REMOVED = "PHOTO_REMOVED"
    RETITLED = "RETITLED"
    COVER_CHANGED = "COVER_CHANGED"
    DELETED = "DELETED"
