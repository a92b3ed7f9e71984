"""From the head of an object to :class:`PhotoMetadata`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta, timezone

from ..errors import NeedMoreBytes, Reason, UnreadablePhoto
from ._capture import choose_capture_time
from ._exif import ExifFields, read_exif_payload
from ._jpeg import ends_properly, scan_jpeg
from ._pillow import read_pillow_header
from ._result import PhotoMetadata, oriented_size
from ._sniff import MAGIC_BYTES, PILLOW_FORMATS, UNSUPPORTED, sniff_mime
from ._xmp import xmp_dates

__all__ = ["DEFAULT_MAX_PIXELS", "INITIAL_HEAD_BYTES", "extract_metadata"]

#: Images with more pixels are refused as decompression bombs, from the header alone.
DEFAULT_MAX_PIXELS = 200_000_000

#: A head this long holds the whole header of most camera and phone JPEGs.
INITIAL_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class _Header:
    mime_type: str
    width: int
    height: int
    exif: ExifFields | None
    xmp: bytes | None
    bytes_needed: int


def _jpeg(head: bytes, object_size: int, max_pixels: int) -> _Header:
    header = scan_jpeg(head, object_size=object_size)
    # Checked before anything else is parsed: the frame header is all it takes.
    _check_pixels(header.width, header.height, max_pixels)
    if len(head) >= object_size and not ends_properly(head, header.header_end):
        raise UnreadablePhoto(Reason.TRUNCATED, "the JPEG image data ends before its end marker")
    exif = read_exif_payload(header.exif) if header.exif else None
    return _Header("image/jpeg", header.width, header.height, exif, header.xmp, header.header_end)


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise UnreadablePhoto(
            Reason.DECOMPRESSION_BOMB,
            f"{width}x{height} is {width * height} pixels, over the limit of {max_pixels}",
        )


def _read_header(head: bytes, object_size: int, max_pixels: int) -> _Header:
    mime = sniff_mime(head)
    if mime == "image/jpeg":
        return _jpeg(head, object_size, max_pixels)
    if mime in PILLOW_FORMATS:
        found = read_pillow_header(
            head, object_size=object_size, pillow_format=PILLOW_FORMATS[mime]
        )
        _check_pixels(found.width, found.height, max_pixels)
        return _Header(mime, found.width, found.height, found.exif, found.xmp, len(head))
    if mime in UNSUPPORTED:
        raise UnreadablePhoto(Reason.UNSUPPORTED_FORMAT, f"{mime} is not supported yet")
    raise UnreadablePhoto(Reason.NOT_AN_IMAGE, "the object does not start like any image format")


def extract_metadata(
    head: bytes, *, object_size: int, filename: str, max_pixels: int = DEFAULT_MAX_PIXELS
) -> PhotoMetadata:
    """Metadata from the first bytes of an object, without decoding pixels.

    ``head`` is the first ``len(head)`` bytes of an object of ``object_size``
    bytes. Raises :class:`~processors.errors.NeedMoreBytes` when ``head`` is
    too short (call again with at least ``needed_bytes`` bytes; never raised
    once ``head`` is the whole object) and
    :class:`~processors.errors.UnreadablePhoto` when the object is not a photo
    this function can read.
    """
    size = max(object_size, len(head))
    if size == 0:
        raise UnreadablePhoto(Reason.EMPTY_FILE, "the object is empty (0 bytes)")
    if len(head) < min(size, MAGIC_BYTES):
        raise NeedMoreBytes(min(size, INITIAL_HEAD_BYTES))
    header = _read_header(head, size, max_pixels)
    exif = header.exif or ExifFields()
    xmp = xmp_dates(header.xmp) if header.xmp else []
    capture = choose_capture_time(header.exif, xmp, filename)
    utc = None
    if capture.local is not None and capture.offset_minutes is not None:
        zone = timezone(timedelta(minutes=capture.offset_minutes))
        utc = capture.local.replace(tzinfo=zone).astimezone(UTC)
    orientation = exif.orientation or 1
    gps = exif.gps
    oriented_width, oriented_height = oriented_size(header.width, header.height, orientation)
    return PhotoMetadata(
        media_type="photo",
        mime_type=header.mime_type,
        capture_local=capture.local,
        utc_offset_minutes=capture.offset_minutes,
        capture_time_utc=utc,
        time_source=capture.time_source,
        tz_source=capture.tz_source,
        gps_latitude=gps.latitude,
        gps_longitude=gps.longitude,
        gps_altitude=gps.altitude,
        make=exif.make,
        model=exif.model,
        lens_model=exif.lens_model,
        iso=exif.iso,
        exposure_time_s=exif.exposure_time_s,
        f_number=exif.f_number,
        focal_length_mm=exif.focal_length_mm,
        focal_length_35mm=exif.focal_length_35mm,
        orientation=orientation,
        width=header.width,
        height=header.height,
        oriented_width=oriented_width,
        oriented_height=oriented_height,
        bytes_needed=header.bytes_needed,
    )
