"""Heads that are too short, objects that are not photos, and hostile headers."""

from __future__ import annotations

import io
import struct
from typing import Any

import pytest
from PIL import Image

from processors.errors import NeedMoreBytes, UnreadablePhoto
from processors.metadata import DEFAULT_MAX_PIXELS, extract_metadata


def _segments(data: bytes) -> dict[int, tuple[int, int]]:
    """First offset and end of each marker segment before the scan, by marker byte."""
    found: dict[int, tuple[int, int]] = {}
    pos = 2
    while data[pos + 1] != 0xDA:
        marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        found.setdefault(marker, (pos, pos + 2 + length))
        pos += 2 + length
    return found


def _big_exif_jpeg(jpeg: Any) -> bytes:
    # A 40 KB maker note makes APP1 long enough to cut in the middle.
    data: bytes = jpeg(
        date_time_original="2024:01:31 23:59:59",
        offset_time_original="+09:00",
        exif_raw={0x927C: bytes(range(256)) * 160},
    )
    return data


def test_head_cut_inside_app1_asks_for_enough_bytes(jpeg: Any) -> None:
    data = _big_exif_jpeg(jpeg)
    start, end = _segments(data)[0xE1]
    cut = (start + end) // 2
    with pytest.raises(NeedMoreBytes) as caught:
        extract_metadata(data[:cut], object_size=len(data), filename="x.jpg")
    needed = caught.value.needed_bytes
    assert end <= needed <= len(data)

    meta = extract_metadata(data[:needed], object_size=len(data), filename="x.jpg")
    assert meta.utc_offset_minutes == 540
    assert meta == extract_metadata(data, object_size=len(data), filename="x.jpg")


def test_head_cut_between_app1_and_frame_header_asks_for_more(jpeg: Any) -> None:
    data = _big_exif_jpeg(jpeg)
    _, sof_end = _segments(data)[0xC0]
    with pytest.raises(NeedMoreBytes) as caught:
        extract_metadata(data[: sof_end - 1], object_size=len(data), filename="x.jpg")
    assert caught.value.needed_bytes >= sof_end
    meta = extract_metadata(data[:sof_end], object_size=len(data), filename="x.jpg")
    assert (meta.width, meta.height, meta.bytes_needed) == (96, 64, sof_end)


def test_need_more_bytes_survives_pickling() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(NeedMoreBytes(12345)))
    assert isinstance(error, NeedMoreBytes)
    assert error.needed_bytes == 12345


@pytest.mark.parametrize("where", ["inside APP1", "before SOF", "inside SOF"])
def test_whole_object_that_ends_before_its_frame_header_is_truncated(jpeg: Any, where: str) -> None:
    data = _big_exif_jpeg(jpeg)
    segments = _segments(data)
    cut = {
        "inside APP1": sum(segments[0xE1]) // 2,
        "before SOF": segments[0xC0][0],
        "inside SOF": segments[0xC0][1] - 2,
    }[where]
    with pytest.raises(UnreadablePhoto) as caught:
        extract_metadata(data[:cut], object_size=cut, filename="x.jpg")
    assert caught.value.reason == "truncated"


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.999])
def test_whole_object_cut_in_its_image_data_is_truncated(jpeg: Any, fraction: float) -> None:
    data = jpeg(size=(320, 240), date_time_original="2024:01:31 23:59:59")
    cut = data[: int(len(data) * fraction)]
    with pytest.raises(UnreadablePhoto) as caught:
        extract_metadata(cut, object_size=len(cut), filename="x.jpg")
    assert caught.value.reason == "truncated"


def test_data_after_the_end_marker_is_fine(jpeg: Any) -> None:
    # Motion photos append a video after the JPEG's EOI.
    data = jpeg() + b"\x00\x00\x00\x18ftypmp42" + bytes(5000)
    meta = extract_metadata(data, object_size=len(data), filename="x.jpg")
    assert (meta.width, meta.height) == (96, 64)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (b"hello, this is a text file and not a photo\n", "not_an_image"),
        (b"<html><body>404 Not Found</body></html>", "not_an_image"),
        (b"\xff\xd8", "not_an_image"),
        (b"\xff\xd8\xff", "truncated"),
        (b"\xff\xd8\xff\xe1\x00\x01", "corrupt"),
        (b"\xff\xd8\xff\xd9" + bytes(20), "corrupt"),
        # A file type box and nothing after it: no meta (HEIC) or moov (MP4) box.
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "corrupt"),
        (b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2mp41", "corrupt"),
        (b"\x89PNG\r\n\x1a\n" + bytes(30), "corrupt"),
    ],
)
def test_unreadable_whole_objects(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadablePhoto) as caught:
        extract_metadata(data, object_size=len(data), filename="photo.jpg")
    assert caught.value.reason == reason
    assert str(caught.value)


def test_a_short_head_of_a_non_image_is_rejected_without_more_bytes() -> None:
    head = b"Shopping list:\n- pasteis de nata\n"
    with pytest.raises(UnreadablePhoto) as caught:
        extract_metadata(head, object_size=10_000_000, filename="notes.jpg")
    assert caught.value.reason == "not_an_image"


def test_an_empty_head_of_a_non_empty_object_asks_for_a_head() -> None:
    with pytest.raises(NeedMoreBytes) as caught:
        extract_metadata(b"", object_size=1_000_000, filename="x.jpg")
    assert 16 <= caught.value.needed_bytes <= 1_000_000


def _with_frame_size(data: bytes, width: int, height: int) -> bytes:
    sof = _segments(data)[0xC0][0]
    return data[: sof + 5] + struct.pack(">HH", height, width) + data[sof + 9 :]


def test_decompression_bomb_is_refused_from_the_header(jpeg: Any) -> None:
    data = _with_frame_size(jpeg(), 60_000, 60_000)
    with pytest.raises(UnreadablePhoto) as caught:
        extract_metadata(data, object_size=len(data), filename="bomb.jpg")
    assert caught.value.reason == "decompression_bomb"
    # Only the header is needed to know: a short head of a huge object is enough.
    with pytest.raises(UnreadablePhoto):
        extract_metadata(data[:1000], object_size=50_000_000, filename="bomb.jpg")


def test_pixel_limit_is_a_parameter(jpeg: Any) -> None:
    data = jpeg(size=(96, 64))
    with pytest.raises(UnreadablePhoto) as caught:
        extract_metadata(data, object_size=len(data), filename="x.jpg", max_pixels=96 * 64 - 1)
    assert caught.value.reason == "decompression_bomb"
    meta = extract_metadata(data, object_size=len(data), filename="x.jpg", max_pixels=96 * 64)
    assert meta.width == 96
    assert DEFAULT_MAX_PIXELS >= 100_000_000


def test_zero_sized_frame_is_corrupt(jpeg: Any) -> None:
    data = _with_frame_size(jpeg(), 0, 64)
    with pytest.raises(UnreadablePhoto) as caught:
        extract_metadata(data, object_size=len(data), filename="x.jpg")
    assert caught.value.reason == "corrupt"


def test_corrupt_exif_costs_the_fields_not_the_photo(jpeg: Any) -> None:
    data = bytearray(jpeg(make="Canon", date_time_original="2024:01:31 23:59:59"))
    start = data.find(b"Exif\x00\x00") + 6
    data[start : start + 8] = b"XX\x00*\xff\xff\xff\xff"  # bad byte order, IFD0 out of range
    meta = extract_metadata(bytes(data), object_size=len(data), filename="x.jpg")
    assert (meta.make, meta.capture_local, meta.width) == (None, None, 96)


def _png(**save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 30), "blue").save(out, "PNG", **save)
    return out.getvalue()


def test_png_header_is_read_without_decoding(jpeg: Any) -> None:
    exif = Image.Exif()
    exif[0x0110] = "Pixel 8"
    exif[0x0112] = 6
    exif.get_ifd(0x8769)[0x9003] = "2024:01:31 23:59:59"
    data = _png(exif=exif)
    meta = extract_metadata(data, object_size=len(data), filename="Screenshot.png")
    assert meta.mime_type == "image/png"
    assert (meta.width, meta.height, meta.oriented_width, meta.oriented_height) == (50, 30, 30, 50)
    assert meta.model == "Pixel 8"
    assert meta.capture_local is not None and meta.capture_local.year == 2024


def test_non_jpeg_with_a_short_head_asks_for_the_whole_object() -> None:
    data = _png()
    with pytest.raises(NeedMoreBytes) as caught:
        extract_metadata(data[:20], object_size=len(data), filename="x.png")
    assert caught.value.needed_bytes == len(data)
