"""Field by field, on photos built in memory with exactly the EXIF each case needs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from PIL.TiffImagePlugin import IFDRational

from processors.provenance import TimeSource, TzSource

_XMP_TEMPLATE = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
    'xmlns:xap="http://ns.adobe.com/xap/1.0/" xmlns:ps="http://ns.adobe.com/photoshop/1.0/" '
    "{attrs}>{elements}</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def _xmp(attrs: str = "", elements: str = "") -> bytes:
    return _XMP_TEMPLATE.format(attrs=attrs, elements=elements).encode()


# -- geometry -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("orientation", "oriented"),
    [(o, (96, 64)) for o in (1, 2, 3, 4)] + [(o, (64, 96)) for o in (5, 6, 7, 8)],
)
def test_oriented_dimensions_for_all_eight_orientations(
    jpeg: Any, extract: Any, orientation: int, oriented: tuple[int, int]
) -> None:
    meta = extract(jpeg(size=(96, 64), orientation=orientation))
    assert meta.orientation == orientation
    assert (meta.width, meta.height) == (96, 64)
    assert (meta.oriented_width, meta.oriented_height) == oriented


@pytest.mark.parametrize("raw", [0, 9, 65535, None])
def test_missing_or_invalid_orientation_means_upright(jpeg: Any, extract: Any, raw: Any) -> None:
    data = jpeg(ifd0_raw={} if raw is None else {0x0112: raw})
    meta = extract(data)
    assert meta.orientation == 1
    assert (meta.oriented_width, meta.oriented_height) == (96, 64)


# -- camera -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("DMC-GX85", "DMC-GX85"),
        ("DMC-GX85\x00\x00\x00\x00", "DMC-GX85"),
        ("DMC-GX85\x00\x00junk after the NUL", "DMC-GX85"),
        ("  Canon EOS R5  ", "Canon EOS R5"),
        ("\x00\x00\x00\x00", None),
        ("    ", None),
        (b"Caf\xc3\xa9 X100\x00garbage", "Café X100"),
    ],
)
def test_model_is_trimmed_at_the_first_nul(
    jpeg: Any, extract: Any, raw: str | bytes, expected: str | None
) -> None:
    meta = extract(jpeg(ifd0_raw={0x0110: raw}))
    assert meta.model == expected


def test_make_and_lens_are_trimmed_the_same_way(jpeg: Any, extract: Any) -> None:
    meta = extract(jpeg(make="NIKON CORPORATION\x00\x00\x00", lens_model="\x00\x00"))
    assert meta.make == "NIKON CORPORATION"
    assert meta.lens_model is None


def test_exposure_values_of_the_wrong_kind_are_dropped(jpeg: Any, extract: Any) -> None:
    data = jpeg(
        exif_raw={
            0x829A: IFDRational(1, 0),  # exposure time with a zero denominator
            0x829D: IFDRational(-28, 10),  # negative f-number
            0x8827: 0,  # ISO 0
            0x920A: "fifty",  # focal length as text
        }
    )
    meta = extract(data)
    assert (meta.exposure_time_s, meta.f_number, meta.iso, meta.focal_length_mm) == (None,) * 4


# -- GPS ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ((38.7075, -9.1364, 12.0), (38.7075, -9.1364, 12.0)),  # north, west
        ((-33.8568, 151.2153, 4.0), (-33.8568, 151.2153, 4.0)),  # south, east
        ((-22.9519, -43.2105, None), (-22.9519, -43.2105, None)),  # south, west
        ((31.5590, 35.4732, -430.0), (31.5590, 35.4732, -430.0)),  # below sea level
        ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)),
    ],
)
def test_gps_is_signed_decimal_degrees(
    jpeg: Any,
    extract: Any,
    position: tuple[float, float, float | None],
    expected: tuple[float, float, float | None],
) -> None:
    meta = extract(jpeg(gps=position))
    lat, lon, alt = expected
    assert meta.gps_latitude == pytest.approx(lat, abs=1e-6)
    assert meta.gps_longitude == pytest.approx(lon, abs=1e-6)
    assert meta.gps_altitude == (None if alt is None else pytest.approx(alt))


def _r(value: int, denominator: int = 1) -> IFDRational:
    return IFDRational(value, denominator)


@pytest.mark.parametrize(
    "gps_raw",
    [
        {1: "N", 2: (_r(4294967295), _r(0), _r(0)), 3: "E", 4: (_r(10), _r(0), _r(0))},
        {1: "N", 2: (_r(91), _r(0), _r(0)), 3: "E", 4: (_r(10), _r(0), _r(0))},
        {1: "N", 2: (_r(45), _r(0), _r(0)), 3: "W", 4: (_r(181), _r(0), _r(0))},
        {1: "N", 2: (_r(45), _r(1, 0), _r(0)), 3: "E", 4: (_r(10), _r(0), _r(0))},
        {1: "N", 2: (_r(45), _r(0), _r(0))},  # no longitude at all
        {3: "E", 4: (_r(10), _r(0), _r(0))},  # no latitude at all
    ],
    ids=["lat-0xffffffff", "lat-91", "lon-181", "zero-denominator", "no-lon", "no-lat"],
)
def test_impossible_positions_count_as_absent(
    jpeg: Any, extract: Any, gps_raw: dict[int, Any]
) -> None:
    meta = extract(jpeg(gps_raw=gps_raw))
    assert (meta.gps_latitude, meta.gps_longitude, meta.gps_altitude) == (None, None, None)


def test_impossible_altitude_is_dropped_but_position_kept(jpeg: Any, extract: Any) -> None:
    meta = extract(jpeg(gps=(38.7, -9.1, None), gps_raw={5: b"\x00", 6: _r(4294967295)}))
    assert meta.gps_latitude == pytest.approx(38.7)
    assert meta.gps_altitude is None


# -- capture time and offset ---------------------------------------------------


def test_original_time_with_subseconds_and_its_own_offset(jpeg: Any, extract: Any) -> None:
    meta = extract(
        jpeg(
            date_time_original="2024:01:31 23:59:59",
            subsec_original="07",
            offset_time_original="+09:00",
            offset_time="+01:00",
            date_time_digitized="2024:02:01 10:00:00",
        )
    )
    assert meta.capture_local == datetime(2024, 1, 31, 23, 59, 59, 70000)
    assert meta.utc_offset_minutes == 540
    assert meta.capture_time_utc == datetime(2024, 1, 31, 14, 59, 59, 70000, tzinfo=UTC)
    assert (meta.time_source, meta.tz_source) == (TimeSource.EXIF_ORIGINAL, TzSource.EXIF_OFFSET)


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ({"offset_time_original": "-03:30"}, -210),
        ({"offset_time": "+05:45"}, 345),
        ({"offset_time_original": "+25:00", "offset_time": "+02:00"}, 120),
        ({"offset_time_original": "   :  ", "offset_time": "-08:00"}, -480),
        ({"offset_time_original": "+02:00\x00"}, 120),
        ({"offset_time_original": "junk"}, None),
        ({}, None),
    ],
)
def test_offset_chain(
    jpeg: Any, extract: Any, offsets: dict[str, str], expected: int | None
) -> None:
    meta = extract(jpeg(date_time_original="2024:06:01 12:00:00", **offsets))
    assert meta.utc_offset_minutes == expected
    assert meta.tz_source is (TzSource.UNKNOWN if expected is None else TzSource.EXIF_OFFSET)
    assert (meta.capture_time_utc is None) == (expected is None)


@pytest.mark.parametrize(
    "bad",
    [
        "0000:00:00 00:00:00",
        "2024:13:45 10:00:00",
        "2024:02:30 10:00:00",
        "2024:01:31 25:61:00",
        "    :  :     :  :  ",
        "",
        "yesterday",
    ],
)
def test_invalid_original_falls_through_to_digitized(jpeg: Any, extract: Any, bad: str) -> None:
    meta = extract(
        jpeg(
            date_time_original=bad,
            date_time_digitized="2024:03:02 09:15:30",
            exif_raw={0x9292: "5"},  # SubSecTimeDigitized
        )
    )
    assert meta.capture_local == datetime(2024, 3, 2, 9, 15, 30, 500000)
    assert meta.time_source is TimeSource.EXIF_DIGITIZED


def test_invalid_exif_dates_fall_through_to_xmp(jpeg: Any, extract: Any) -> None:
    packet = _xmp(attrs='xap:CreateDate="2024-05-01T10:20:30+02:00"')
    meta = extract(jpeg(date_time_original="2024:13:45 10:20:30", xmp=packet))
    assert meta.capture_local == datetime(2024, 5, 1, 10, 20, 30)
    assert meta.utc_offset_minutes == 120
    assert (meta.time_source, meta.tz_source) == (TimeSource.XMP, TzSource.DATE_STRING)


def test_invalid_dates_everywhere_fall_through_to_the_file_name(jpeg: Any, extract: Any) -> None:
    packet = _xmp(attrs='xap:CreateDate="2024-99-01T10:20:30"')
    data = jpeg(date_time_original="0000:00:00 00:00:00", xmp=packet)
    meta = extract(data, filename="IMG_20240131_235959.jpg")
    assert meta.capture_local == datetime(2024, 1, 31, 23, 59, 59)
    assert meta.time_source is TimeSource.FILENAME
    meta = extract(data, filename="holiday.jpg")
    assert (meta.capture_local, meta.time_source) == (None, TimeSource.UNKNOWN)


def test_exif_beats_xmp_and_borrows_its_offset_for_the_same_wall_time(
    jpeg: Any, extract: Any
) -> None:
    packet = _xmp(elements="<ps:DateCreated>2024-05-01T10:20:30.5-04:00</ps:DateCreated>")
    meta = extract(jpeg(date_time_original="2024:05:01 10:20:30", xmp=packet))
    assert meta.time_source is TimeSource.EXIF_ORIGINAL
    assert (meta.utc_offset_minutes, meta.tz_source) == (-240, TzSource.DATE_STRING)


def test_xmp_offset_for_another_time_is_not_borrowed(jpeg: Any, extract: Any) -> None:
    packet = _xmp(attrs='xap:CreateDate="2024-05-03T22:00:00+01:00"')
    meta = extract(jpeg(date_time_original="2024:05:01 10:20:30", xmp=packet))
    assert (meta.utc_offset_minutes, meta.tz_source) == (None, TzSource.UNKNOWN)


def test_xmp_prefers_exif_namespace_over_create_date(jpeg: Any, extract: Any) -> None:
    packet = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description '
        b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:e="http://ns.adobe.com/exif/1.0/" '
        b'xmp:CreateDate="2024-05-03T08:00:00Z">'
        b"<e:DateTimeOriginal>2024-05-01T07:00:00Z</e:DateTimeOriginal>"
        b"</rdf:Description></x:xmpmeta>"
    )
    meta = extract(jpeg(xmp=packet))
    assert meta.capture_local == datetime(2024, 5, 1, 7, 0)
    assert meta.utc_offset_minutes == 0


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("IMG_20240131_235959.jpg", datetime(2024, 1, 31, 23, 59, 59)),
        ("uploads/2020/IMG_20240131_235959.jpg", datetime(2024, 1, 31, 23, 59, 59)),
        ("PXL_20240131_235959123.jpg", datetime(2024, 1, 31, 23, 59, 59, 123000)),
        ("PXL_20240131_235959123.MP.jpg", datetime(2024, 1, 31, 23, 59, 59, 123000)),
        ("IMG-20240131-WA0001.jpg", datetime(2024, 1, 31)),
        ("Screenshot_20240131-235959.jpg", datetime(2024, 1, 31, 23, 59, 59)),
        ("Screenshot_20240131-235959_Chrome.jpg", datetime(2024, 1, 31, 23, 59, 59)),
        ("Screenshot 2024-01-31 at 23.59.59.jpg", datetime(2024, 1, 31, 23, 59, 59)),
        ("VID_20240131_235959.jpg", datetime(2024, 1, 31, 23, 59, 59)),
        ("20240131_235959.jpg", datetime(2024, 1, 31, 23, 59, 59)),
        ("IMG_4821.JPG", None),
        ("IMG_20241331_235959.jpg", None),
        ("IMG_20240131_246060.jpg", None),
        ("DSC_12345678_123456.jpg", None),
        ("photo.jpg", None),
    ],
)
def test_file_name_patterns(
    jpeg: Any, extract: Any, filename: str, expected: datetime | None
) -> None:
    meta = extract(jpeg(), filename=filename)
    assert meta.capture_local == expected
    assert meta.time_source is (TimeSource.UNKNOWN if expected is None else TimeSource.FILENAME)
    assert (meta.utc_offset_minutes, meta.tz_source) == (None, TzSource.UNKNOWN)
