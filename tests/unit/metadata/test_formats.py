"""Every container format: size, orientation and the metadata blocks, from headers only."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image

from processors.errors import NeedMoreBytes, UnreadablePhoto
from processors.metadata import extract_metadata
from processors.provenance import TimeSource, TzSource
from streams import media_samples as media

_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2021-08-09T10:11:12+05:30"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def _exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "FUJIFILM"
    exif[0x0110] = "X-T5"
    exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9003] = "2024:01:31 23:59:59"
    exif.get_ifd(0x8769)[0x9011] = "-03:00"
    return exif


def _whole(data: bytes, filename: str = "file") -> Any:
    return extract_metadata(data, object_size=len(data), filename=filename)


def _grow(data: bytes, first: int) -> Any:
    """Extract the way ingest does: a short head, longer on request."""
    head = data[:first]
    for _ in range(10):
        try:
            return extract_metadata(head, object_size=len(data), filename="x")
        except NeedMoreBytes as more:
            assert len(head) < more.needed_bytes <= len(data)
            head = data[: more.needed_bytes]
    raise AssertionError("never converged")


def _assert_fuji(meta: Any, mime: str, stored: tuple[int, int]) -> None:
    assert meta.mime_type == mime
    assert (meta.width, meta.height) == stored
    assert meta.orientation == 6
    assert (meta.oriented_width, meta.oriented_height) == stored[::-1]
    assert (meta.make, meta.model) == ("FUJIFILM", "X-T5")
    assert meta.capture_local == datetime(2024, 1, 31, 23, 59, 59)
    assert meta.capture_time_utc == datetime(2024, 2, 1, 2, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("after_idat", [False, True])
def test_png_exif_before_or_after_the_image_data(after_idat: bool) -> None:
    data = media.png(exif=_exif(), exif_after_idat=after_idat)
    _assert_fuji(_whole(data), "image/png", (64, 48))
    assert _grow(data, 30) == _whole(data)


@pytest.mark.parametrize("compressed", [False, True])
def test_png_xmp_in_itxt(compressed: bool) -> None:
    meta = _whole(media.png(xmp=_XMP, compress_xmp=compressed))
    assert meta.capture_local == datetime(2021, 8, 9, 10, 11, 12)
    assert (meta.utc_offset_minutes, meta.time_source) == (330, TimeSource.XMP)


def test_png_cut_in_its_image_data_is_truncated() -> None:
    data = media.png(size=(400, 300), exif=_exif())
    cut = data[: len(data) - 20]
    with pytest.raises(UnreadablePhoto) as caught:
        _whole(cut)
    assert caught.value.reason == "truncated"


def test_webp_with_exif_and_xmp() -> None:
    data = media.webp(exif=_exif(), xmp=_XMP)
    _assert_fuji(_whole(data), "image/webp", (64, 48))
    assert _grow(data, 20) == _whole(data)


def test_tiff_main_image() -> None:
    meta = _whole(media.tiff(size=(70, 40), exif=_exif(3)))
    assert (meta.mime_type, meta.width, meta.height, meta.orientation) == ("image/tiff", 70, 40, 3)
    assert (meta.make, meta.model) == ("FUJIFILM", "X-T5")


def test_dng_size_is_the_raw_image_not_the_preview_in_ifd0() -> None:
    meta = _whole(media.dng(preview=(256, 171), full=(6000, 4000)))
    assert meta.mime_type == "image/x-adobe-dng"
    assert (meta.width, meta.height) == (6000, 4000)


def test_gif_screen_size() -> None:
    meta = _whole(media.gif(size=(33, 21)))
    assert (meta.mime_type, meta.width, meta.height, meta.orientation) == ("image/gif", 33, 21, 1)


def test_mpo_reads_the_first_frame() -> None:
    _assert_fuji(_whole(media.mpo(exif=_exif())), "image/jpeg", (64, 48))


def test_heic_keeps_the_cameras_orientation_and_shows_the_clean_aperture() -> None:
    pytest.importorskip("pillow_heif")
    data = media.heic(size=(64, 48), exif=_exif(), xmp=_XMP)
    meta = _whole(data)
    # HEVC codes 64x64 (stored); the clean aperture shows 64x48, turned by orientation 6.
    assert (meta.mime_type, meta.width, meta.height, meta.orientation) == ("image/heic", 64, 64, 6)
    assert (meta.oriented_width, meta.oriented_height) == (48, 64)
    assert (meta.make, meta.model) == ("FUJIFILM", "X-T5")
    assert meta.capture_time_utc == datetime(2024, 2, 1, 2, 59, 59, tzinfo=UTC)
    assert _grow(data, 40) == meta


def _box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _heif_with_transforms(*transforms: bytes) -> bytes:
    """A HEIF header: one 4000x3000 image item with the given transform properties."""
    full = b"\x00\x00\x00\x00"
    ispe = _box(b"ispe", full, struct.pack(">II", 4000, 3000))
    ipco = _box(b"ipco", ispe, *transforms)
    count = 1 + len(transforms)
    ipma = _box(b"ipma", full, struct.pack(">IHB", 1, 1, count), bytes(range(1, count + 1)))
    meta = _box(
        b"meta",
        full,
        _box(b"hdlr", full, b"\x00\x00\x00\x00pict" + bytes(13)),
        _box(b"pitm", full, struct.pack(">H", 1)),
        _box(
            b"iinf",
            full,
            struct.pack(">H", 1),
            _box(b"infe", b"\x02\x00\x00\x00", b"\x00\x01\x00\x00hvc1\x00"),
        ),
        _box(b"iprp", ipco, ipma),
    )
    return _box(b"ftyp", b"heic", bytes(4), b"mif1heic") + meta


@pytest.mark.parametrize(
    ("transforms", "orientation"),
    [
        ((), 1),
        ((_box(b"irot", b"\x03"),), 6),  # 270 degrees anticlockwise
        ((_box(b"irot", b"\x01"),), 8),
        ((_box(b"irot", b"\x02"),), 3),
        ((_box(b"imir", b"\x00"),), 2),
        ((_box(b"irot", b"\x01"), _box(b"imir", b"\x00")), 7),
    ],
)
def test_heif_without_exif_takes_its_orientation_from_the_transforms(
    transforms: tuple[bytes, ...], orientation: int
) -> None:
    meta = _whole(_heif_with_transforms(*transforms))
    assert (meta.width, meta.height, meta.orientation) == (4000, 3000, orientation)


def test_mp4_creation_time_duration_rotation_and_location() -> None:
    data = media.movie(
        created=datetime(2024, 5, 1, 12, 0, 0),
        duration_s=12.5,
        size=(1920, 1080),
        rotation=90,
        location="+38.7075-009.1364+012.000/",
    )
    meta = _whole(data, "VID_20990101_000000.mp4")
    assert (meta.media_type, meta.mime_type) == ("video", "video/mp4")
    assert meta.capture_local is None
    assert meta.capture_time_utc == datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert (meta.time_source, meta.tz_source) == (TimeSource.QUICKTIME, TzSource.UNKNOWN)
    assert meta.video_duration_s == pytest.approx(12.5)
    assert (meta.width, meta.height, meta.orientation) == (1920, 1080, 6)
    assert (meta.oriented_width, meta.oriented_height) == (1080, 1920)
    assert (meta.gps_latitude, meta.gps_longitude, meta.gps_altitude) == (38.7075, -9.1364, 12.0)


def test_quicktime_apple_keys_give_local_time_offset_place_and_camera() -> None:
    data = media.movie(
        brand=b"qt  ",
        created=datetime(2024, 5, 1, 12, 0, 0),
        apple_keys={
            "com.apple.quicktime.creationdate": "2024-05-01T21:00:00+0900",
            "com.apple.quicktime.location.ISO6709": "+35.6595+139.7005+038.000/",
            "com.apple.quicktime.make": "Apple",
            "com.apple.quicktime.model": "iPhone 15 Pro",
        },
        moov_at_end=True,
    )
    meta = _whole(data)
    assert meta.mime_type == "video/quicktime"
    assert meta.capture_local == datetime(2024, 5, 1, 21, 0, 0)
    assert (meta.utc_offset_minutes, meta.tz_source) == (540, TzSource.DATE_STRING)
    assert meta.capture_time_utc == datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert (meta.make, meta.model) == ("Apple", "iPhone 15 Pro")
    assert (meta.gps_latitude, meta.gps_longitude) == (35.6595, 139.7005)


def test_movie_whose_moov_follows_the_media_data_asks_for_it() -> None:
    data = media.movie(created=datetime(2024, 5, 1), moov_at_end=True, mdat_bytes=200_000)
    with pytest.raises(NeedMoreBytes) as caught:
        extract_metadata(data[:1000], object_size=len(data), filename="x.mov")
    assert caught.value.needed_bytes == len(data)
    assert _grow(data, 1000) == _whole(data)


def test_movie_without_a_creation_time_falls_back_to_the_file_name() -> None:
    meta = _whole(media.movie(created=None), "VID_20230102_030405.mp4")
    assert meta.capture_local == datetime(2023, 1, 2, 3, 4, 5)
    assert meta.time_source is TimeSource.FILENAME


@pytest.mark.parametrize(
    ("mime", "data"),
    [
        ("png", media.png()[:60]),
        ("webp", media.webp()[:40]),
        ("heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x01\x00meta"),
        ("mp4", media.movie()[:200]),
    ],
)
def test_whole_objects_cut_short_are_unreadable(mime: str, data: bytes) -> None:
    with pytest.raises(UnreadablePhoto) as caught:
        _whole(data)
    assert caught.value.reason in {"truncated", "corrupt"}, mime
