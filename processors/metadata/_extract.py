"""From the head of an object to :class:`PhotoMetadata`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta, timezone

from ..errors import NeedMoreBytes, Reason, UnreadablePhoto
from ._capture import choose_capture_time
from ._container import LOOKAHEAD_BYTES, Container
from ._equivalent import equivalent_focal_length
from ._exif import ExifFields, read_exif_payload, read_tiff_exif
from ._fields import merge_fields
from ._heif import read_heif
from ._iptc import iim_from_photoshop, iptc_date
from ._jpeg import ends_properly, scan_jpeg
from ._png import read_png
from ._result import PhotoMetadata, oriented_size
from ._sniff import MAGIC_BYTES, sniff_mime
from ._source import ByteSource
from ._tiff import TiffBudget
from ._video import read_video
from ._webp import read_gif, read_webp
from ._xmp import XmpFields, read_xmp

__all__ = ["DEFAULT_MAX_PIXELS", "INITIAL_HEAD_BYTES", "extract_metadata"]

#: Images with more pixels are refused as decompression bombs, from the header alone.
DEFAULT_MAX_PIXELS = 200_000_000

#: A head this long holds the whole header of most camera and phone JPEGs.
INITIAL_HEAD_BYTES = 64 * 1024

_HEIF_TYPES = frozenset({"image/heic", "image/heif", "image/heif-sequence", "image/avif"})
_VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})


def _jpeg(head: bytes, object_size: int, max_pixels: int) -> Container:
    header = scan_jpeg(head, object_size=object_size)
    # Checked before anything else is parsed: the frame header is all it takes.
    _check_pixels(header.width, header.height, max_pixels)
    if len(head) >= object_size and not ends_properly(head, header.header_end):
        raise UnreadablePhoto(Reason.TRUNCATED, "the JPEG image data ends before its end marker")
    return Container(
        mime_type="image/jpeg",
        width=header.width,
        height=header.height,
        bytes_needed=header.header_end,
        exif=read_exif_payload(header.exif) if header.exif else None,
        xmp=header.xmp,
        iptc=iim_from_photoshop(header.photoshop) if header.photoshop else None,
    )


def _tiff(head: bytes, object_size: int) -> Container:
    budget = TiffBudget()
    exif = read_tiff_exif(head, 0, budget)
    if len(head) < budget.beyond <= object_size:
        raise NeedMoreBytes(min(object_size, budget.beyond + LOOKAHEAD_BYTES))
    if exif is None or not exif.width or not exif.height:
        if len(head) < object_size:
            raise NeedMoreBytes(object_size)
        raise UnreadablePhoto(Reason.CORRUPT, "the TIFF has no readable first image")
    return Container(
        mime_type="image/x-adobe-dng" if exif.is_dng else "image/tiff",
        width=exif.width,
        height=exif.height,
        bytes_needed=len(head),
        exif=exif,
        xmp=exif.xmp,
        iptc=exif.iptc,
    )


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise UnreadablePhoto(
            Reason.DECOMPRESSION_BOMB,
            f"{width}x{height} is {width * height} pixels, over the limit of {max_pixels}",
        )


def _read_container(source: ByteSource, max_pixels: int) -> Container:
    head, object_size = source.head, source.size
    mime = sniff_mime(head)
    if mime == "image/jpeg":
        return _jpeg(head, object_size, max_pixels)
    if mime == "image/png":
        found = read_png(source)
    elif mime == "image/webp":
        found = read_webp(source)
    elif mime == "image/gif":
        found = read_gif(head, object_size)
    elif mime == "image/tiff":
        found = _tiff(head, object_size)
    elif mime in _HEIF_TYPES:
        found = read_heif(head, object_size, mime)
    elif mime in _VIDEO_TYPES:
        return read_video(source, mime)
    else:
        raise UnreadablePhoto(
            Reason.NOT_AN_IMAGE, "the object does not start like any image format"
        )
    _check_pixels(found.width, found.height, max_pixels)
    return found


def extract_metadata(
    head: bytes,
    *,
    object_size: int,
    filename: str,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    pieces: Sequence[tuple[int, bytes]] = (),
) -> PhotoMetadata:
    """Metadata from the first bytes of an object, without decoding pixels.

    ``head`` is the first ``len(head)`` bytes of an object of ``object_size``
    bytes; ``pieces`` are ``(offset, bytes)`` ranges read from further on.
    Raises :class:`~processors.errors.NeedMoreBytes` when bytes are missing
    (read bytes ``start`` to ``needed_bytes``, as a longer head or, when
    ``start`` is past the head, as a piece, and call again; never raised
    once ``head`` is the whole object) and
    :class:`~processors.errors.UnreadablePhoto` when the object is not a photo
    or video this function can read.
    """
    size = max(object_size, len(head))
    if size == 0:
        raise UnreadablePhoto(Reason.EMPTY_FILE, "the object is empty (0 bytes)")
    if len(head) < min(size, MAGIC_BYTES):
        raise NeedMoreBytes(min(size, INITIAL_HEAD_BYTES))
    found = _read_container(ByteSource(head, size, pieces), max_pixels)
    exif = found.exif or ExifFields()
    xmp = read_xmp(found.xmp) if found.xmp else XmpFields()
    iptc = iptc_date(found.iptc) if found.iptc else None
    capture = choose_capture_time(found.exif, xmp.dates, iptc, filename, found.video)
    utc = capture.utc
    if capture.local is not None and capture.offset_minutes is not None:
        zone = timezone(timedelta(minutes=capture.offset_minutes))
        utc = capture.local.replace(tzinfo=zone).astimezone(UTC)
    fields = merge_fields(exif, xmp, found.video)
    focal_length_35mm = fields.focal_length_35mm or equivalent_focal_length(
        fields.focal_length_mm, exif.focal_plane, fields.make, found.width, found.height
    )
    orientation = found.orientation if found.video else (exif.orientation or found.orientation)
    orientation = orientation or xmp.orientation or 1
    shown = found.display_size or (found.width, found.height)
    oriented_width, oriented_height = oriented_size(*shown, orientation)
    return PhotoMetadata(
        media_type="video" if found.video else "photo",
        mime_type=found.mime_type,
        capture_local=capture.local,
        utc_offset_minutes=capture.offset_minutes,
        capture_time_utc=utc,
        time_source=capture.time_source,
        tz_source=capture.tz_source,
        gps_latitude=fields.gps.latitude,
        gps_longitude=fields.gps.longitude,
        gps_altitude=fields.gps.altitude,
        make=fields.make,
        model=fields.model,
        lens_model=fields.lens_model,
        iso=fields.iso,
        exposure_time_s=fields.exposure_time_s,
        f_number=fields.f_number,
        focal_length_mm=fields.focal_length_mm,
        focal_length_35mm=focal_length_35mm,
        orientation=orientation,
        width=found.width,
        height=found.height,
        oriented_width=oriented_width,
        oriented_height=oriented_height,
        bytes_needed=found.bytes_needed,
        video_duration_s=found.video.duration_s if found.video else None,
        gps_null_island=fields.gps.latitude == 0.0 and fields.gps.longitude == 0.0,
    )
