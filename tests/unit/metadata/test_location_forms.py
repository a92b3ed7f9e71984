"""Positions in less common forms: ISO 6709 with minutes and seconds, GPS as text."""

from __future__ import annotations

import io
import struct
from typing import Any

import pytest
from PIL import Image

from streams import media_samples as media


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("+35.6595+139.7005+012.3/", (35.6595, 139.7005, 12.3)),
        ("+3539.57+13942.03/", (35.6595, 139.700_5, None)),  # degrees and minutes
        ("+353934.2+1394201.8+10.5/", (35.6595, 139.7005, 10.5)),  # and seconds
        ("-3354.2-05811.4/", (-33.903_333, -58.19, None)),
        ("+48.8584+002.2945/", (48.8584, 2.2945, None)),
    ],
)
def test_iso_6709_forms_in_a_movie(
    extract: Any, location: str, expected: tuple[float, float, float | None]
) -> None:
    meta = extract(media.movie(location=location), "clip.mp4")
    assert meta.gps_latitude == pytest.approx(expected[0], abs=1e-6)
    assert meta.gps_longitude == pytest.approx(expected[1], abs=1e-6)
    assert meta.gps_altitude == (pytest.approx(expected[2]) if expected[2] is not None else None)


@pytest.mark.parametrize("location", ["+9912.0+01000.0/", "+35.1", "north", "+3539.57+1394.03/"])
def test_iso_6709_that_is_no_position(extract: Any, location: str) -> None:
    meta = extract(media.movie(location=location), "clip.mp4")
    assert (meta.gps_latitude, meta.gps_longitude) == (None, None)


def _jpeg_with_text_gps(gps: dict[int, str]) -> bytes:
    """A JPEG whose GPS IFD holds every tag as ASCII (Pillow would coerce the types)."""
    values = [text.encode() + b"\x00" for _, text in sorted(gps.items())]
    gps_at = 8 + 2 + 12 + 4
    data_at = gps_at + 2 + 12 * len(values) + 4
    ifd0 = struct.pack("<HHHII", 1, 0x8825, 4, 1, gps_at) + struct.pack("<I", 0)
    entries, data = b"", b""
    for (tag, _), value in zip(sorted(gps.items()), values, strict=True):
        inline = len(value) <= 4
        where = value.ljust(4, b"\x00") if inline else struct.pack("<I", data_at + len(data))
        entries += struct.pack("<HHI", tag, 2, len(value)) + where
        data += b"" if inline else value
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0
    tiff += struct.pack("<H", len(values)) + entries + struct.pack("<I", 0) + data
    app1 = b"Exif\x00\x00" + tiff
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "teal").save(out, "JPEG")
    body = out.getvalue()
    return body[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + body[2:]


def test_gps_written_as_text_reads_like_exiftool_reads_it(extract: Any) -> None:
    # As an HTC phone writes it; exiftool takes the first three numbers as d, m, s.
    raw = {1: "N", 2: "52,00000,50,00000,34,01180", 3: "W", 4: "11,00000,10,00000,58,28360"}
    meta = extract(_jpeg_with_text_gps(raw))
    assert meta.gps_latitude == pytest.approx(52 + 50 / 3600)
    assert meta.gps_longitude == pytest.approx(-(11 + 10 / 3600))


def test_gps_decimal_text_and_garbage_text(extract: Any) -> None:
    decimal = extract(_jpeg_with_text_gps({1: "S", 2: "33.8688", 3: "E", 4: "151.2093"}))
    assert (decimal.gps_latitude, decimal.gps_longitude) == (-33.8688, 151.2093)
    garbage = extract(_jpeg_with_text_gps({1: "N", 2: "unknown", 3: "E", 4: "151.2093"}))
    assert (garbage.gps_latitude, garbage.gps_longitude) == (None, None)
    beyond = extract(_jpeg_with_text_gps({1: "N", 2: "95", 3: "E", 4: "10"}))
    assert beyond.gps_latitude is None
