"""Fallback sources: IPTC and XMP dates, XMP GPS and lens, GPS clock, maker notes, APEX."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL.TiffImagePlugin import IFDRational

from processors.provenance import TimeSource, TzSource
from streams import media_samples as media


def _xmp(attrs: str = "", elements: str = "") -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" '
        'xmlns:exifEX="http://cipa.jp/exif/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" '
        f'xmlns:xmp="http://ns.adobe.com/xap/1.0/" {attrs}>{elements}'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def _with_iptc(jpeg_bytes: bytes, **datasets: bytes) -> bytes:
    numbers = {"date": 55, "time": 60, "digital_date": 62, "digital_time": 63}
    records = media.iim({numbers[name]: value for name, value in datasets.items()})
    return media.jpeg_with_photoshop_iptc(jpeg_bytes, records)


# -- IPTC -----------------------------------------------------------------------


def test_iptc_date_and_time_with_offset(jpeg: Any, extract: Any) -> None:
    meta = extract(_with_iptc(jpeg(), date=b"20190704", time=b"183005-0400"))
    assert meta.capture_local == datetime(2019, 7, 4, 18, 30, 5)
    assert (meta.utc_offset_minutes, meta.time_source, meta.tz_source) == (
        -240,
        TimeSource.IPTC,
        TzSource.DATE_STRING,
    )


def test_iptc_digital_creation_date_when_date_created_is_missing(jpeg: Any, extract: Any) -> None:
    meta = extract(_with_iptc(jpeg(), digital_date=b"20190704", digital_time=b"090000"))
    assert (meta.capture_local, meta.utc_offset_minutes) == (datetime(2019, 7, 4, 9), None)


@pytest.mark.parametrize("date", [b"20191345", b"00000000", b"2019-07-04", b""])
def test_invalid_iptc_dates_are_ignored(jpeg: Any, extract: Any, date: bytes) -> None:
    meta = extract(_with_iptc(jpeg(), date=date, time=b"120000"), filename="x.jpg")
    assert (meta.capture_local, meta.time_source) == (None, TimeSource.UNKNOWN)


def test_xmp_beats_iptc_and_iptc_lends_its_offset_to_the_same_wall_time(
    jpeg: Any, extract: Any
) -> None:
    data = _with_iptc(
        jpeg(xmp=_xmp('xmp:CreateDate="2019-07-04T18:30:05"')),
        date=b"20190704",
        time=b"183005+0200",
    )
    meta = extract(data)
    assert meta.time_source is TimeSource.XMP
    assert (meta.utc_offset_minutes, meta.tz_source) == (120, TzSource.DATE_STRING)


# -- an editor's save time is not a capture time ----------------------------------------


def test_editor_save_time_in_create_date_yields_to_an_older_xmp_date(
    jpeg: Any, extract: Any
) -> None:
    saved = "2024:06:01 09:00:00"
    data = jpeg(
        date_time_digitized=saved,
        ifd0_raw={0x0132: saved, 0x0131: "Photo Editor 2.0"},
        xmp=_xmp(
            elements="<photoshop:DateCreated>1998-05-17T14:00:00</photoshop:DateCreated>"
        ).replace(
            b"<rdf:Description",
            b'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"',
        ),
    )
    meta = extract(data)
    assert (meta.capture_local, meta.time_source) == (datetime(1998, 5, 17, 14), TimeSource.XMP)


def test_editor_save_time_yields_to_an_older_iptc_date(jpeg: Any, extract: Any) -> None:
    saved = "2024:06:01 09:00:00"
    data = _with_iptc(jpeg(date_time_digitized=saved, ifd0_raw={0x0132: saved}), date=b"19980517")
    assert extract(data).time_source is TimeSource.IPTC


def test_a_create_date_that_is_not_the_save_time_still_wins(jpeg: Any, extract: Any) -> None:
    data = _with_iptc(
        jpeg(date_time_digitized="2024:05:31 10:00:00", ifd0_raw={0x0132: "2024:06:01 09:00:00"}),
        date=b"19980517",
    )
    meta = extract(data)
    assert (meta.capture_local, meta.time_source) == (
        datetime(2024, 5, 31, 10),
        TimeSource.EXIF_DIGITIZED,
    )


def test_save_time_without_older_dates_is_kept(jpeg: Any, extract: Any) -> None:
    saved = "2024:06:01 09:00:00"
    meta = extract(jpeg(date_time_original=saved, ifd0_raw={0x0132: saved}))
    assert meta.time_source is TimeSource.EXIF_ORIGINAL


# -- GPS clock ----------------------------------------------------------------------


def _gps_clock(date: str, h: int, m: int, s: int) -> dict[int, Any]:
    return {29: date, 7: (IFDRational(h, 1), IFDRational(m, 1), IFDRational(s, 1))}


@pytest.mark.parametrize(
    ("local", "clock", "offset"),
    [
        ("2024:07:20 19:12:03", ("2024:07:20", 18, 12, 1), 60),
        ("2024:01:01 01:30:00", ("2023:12:31", 20, 0, 0), 330),
        ("2024:02:12 17:45:00", ("2024:02:12", 20, 46, 30), -180),
    ],
)
def test_offset_from_the_gps_clock(
    jpeg: Any, extract: Any, local: str, clock: tuple[str, int, int, int], offset: int
) -> None:
    meta = extract(
        jpeg(date_time_original=local, gps=(38.7, -9.1, None), gps_raw=_gps_clock(*clock))
    )
    assert (meta.utc_offset_minutes, meta.tz_source) == (offset, TzSource.GPS_TIME)


def test_a_gps_clock_far_from_a_quarter_hour_is_not_trusted(jpeg: Any, extract: Any) -> None:
    data = jpeg(
        date_time_original="2024:07:20 19:12:03",
        gps=(38.7, -9.1, None),
        gps_raw=_gps_clock("2024:07:20", 18, 4, 0),  # 68 minutes: a stale fix
    )
    assert extract(data).tz_source is TzSource.UNKNOWN


def test_an_offset_tag_beats_the_gps_clock(jpeg: Any, extract: Any) -> None:
    data = jpeg(
        date_time_original="2024:07:20 19:12:03",
        offset_time_original="+01:00",
        gps=(38.7, -9.1, None),
        gps_raw=_gps_clock("2024:07:20", 10, 12, 3),
    )
    assert (extract(data).utc_offset_minutes, extract(data).tz_source) == (
        60,
        TzSource.EXIF_OFFSET,
    )


# -- XMP camera and GPS --------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        ("38,42.45N", "9,8.184W", (38.7075, -9.1364)),
        ("33,51,24.48S", "151,12,55.08E", (-33.8568, 151.2153)),
        ("35.6595N", "139.7005E", (35.6595, 139.7005)),
    ],
)
def test_xmp_gps_when_exif_has_none(
    jpeg: Any, extract: Any, lat: str, lon: str, expected: tuple[float, float]
) -> None:
    packet = _xmp(
        f'exif:GPSLatitude="{lat}" exif:GPSLongitude="{lon}" '
        'exif:GPSAltitude="1234/10" exif:GPSAltitudeRef="1"'
    )
    meta = extract(jpeg(xmp=packet))
    assert meta.gps_latitude == pytest.approx(expected[0], abs=1e-6)
    assert meta.gps_longitude == pytest.approx(expected[1], abs=1e-6)
    assert meta.gps_altitude == pytest.approx(-123.4)


def test_exif_gps_beats_xmp_gps(jpeg: Any, extract: Any) -> None:
    packet = _xmp('exif:GPSLatitude="10,0N" exif:GPSLongitude="10,0E"')
    meta = extract(jpeg(gps=(38.7, -9.1, None), xmp=packet))
    assert meta.gps_latitude == pytest.approx(38.7)


def test_xmp_gps_out_of_range_is_absent(jpeg: Any, extract: Any) -> None:
    meta = extract(jpeg(xmp=_xmp('exif:GPSLatitude="95,0N" exif:GPSLongitude="10,0E"')))
    assert (meta.gps_latitude, meta.gps_longitude) == (None, None)


def test_null_island_is_flagged(jpeg: Any, extract: Any) -> None:
    assert extract(jpeg(gps=(0.0, 0.0, None))).gps_null_island is True
    assert extract(jpeg(gps=(0.0, 0.5, None))).gps_null_island is False


@pytest.mark.parametrize(
    ("attrs", "lens"),
    [
        ('aux:Lens="XF16-55mmF2.8 R LM WR"', "XF16-55mmF2.8 R LM WR"),
        ('exifEX:LensModel="RF24-105mm F4 L IS USM"', "RF24-105mm F4 L IS USM"),
        ('exifEX:LensModel="A &amp; B 50mm"', "A & B 50mm"),
    ],
)
def test_lens_from_xmp(jpeg: Any, extract: Any, attrs: str, lens: str) -> None:
    assert extract(jpeg(xmp=_xmp(attrs))).lens_model == lens


def test_camera_fields_from_xmp_when_exif_has_none(jpeg: Any, extract: Any) -> None:
    packet = _xmp(
        'tiff:Make="Leica" tiff:Model="Q3" exif:ExposureTime="1/250" exif:FNumber="28/10" '
        'exif:FocalLength="28/1" exif:FocalLengthIn35mmFilm="28"',
        "<exif:ISOSpeedRatings><rdf:Seq><rdf:li>400</rdf:li></rdf:Seq></exif:ISOSpeedRatings>",
    )
    meta = extract(jpeg(xmp=packet))
    assert (meta.make, meta.model, meta.iso, meta.focal_length_35mm) == ("Leica", "Q3", 400, 28)
    assert meta.exposure_time_s == pytest.approx(1 / 250)
    assert meta.f_number == pytest.approx(2.8)
    assert meta.focal_length_mm == pytest.approx(28.0)


# -- exposure fallbacks ----------------------------------------------------------------


def test_apex_values_when_exposure_time_and_f_number_are_missing(jpeg: Any, extract: Any) -> None:
    meta = extract(jpeg(exif_raw={0x9201: IFDRational(6, 1), 0x9202: IFDRational(3, 1)}))
    assert meta.exposure_time_s == pytest.approx(1 / 64)
    assert meta.f_number == pytest.approx(2**1.5)


def test_iso_speed_when_the_short_overflows(jpeg: Any, extract: Any) -> None:
    meta = extract(jpeg(exif_raw={0x8827: 65535, 0x8833: 102400}))
    assert meta.iso == 102400


def _ifd_inline(entries: list[tuple[int, int, int, bytes]], endian: str = "<") -> bytes:
    out = struct.pack(endian + "H", len(entries))
    for tag, kind, count, value in entries:
        out += struct.pack(endian + "HHI", tag, kind, count) + value.ljust(4, b"\x00")
    return out + struct.pack(endian + "I", 0)


def test_nikon_maker_note_iso(jpeg: Any, extract: Any) -> None:
    note = (
        b"Nikon\x00\x02\x10\x00\x00"
        + b"MM\x00*\x00\x00\x00\x08"
        + _ifd_inline([(0x0002, 3, 2, struct.pack(">HH", 0, 1600))], ">")
    )
    meta = extract(jpeg(make="NIKON CORPORATION", exif_raw={0x927C: note}))
    assert meta.iso == 1600


def test_panasonic_maker_note_iso(jpeg: Any, extract: Any) -> None:
    # The note's IFD has the byte order of the EXIF block around it (Pillow writes MM).
    note = b"Panasonic\x00\x00\x00" + _ifd_inline([(0x0017, 3, 1, struct.pack(">H", 800))], ">")
    assert extract(jpeg(make="Panasonic", exif_raw={0x927C: note})).iso == 800


def test_exif_iso_beats_the_maker_note(jpeg: Any, extract: Any) -> None:
    note = b"Panasonic\x00\x00\x00" + _ifd_inline([(0x0017, 3, 1, struct.pack(">H", 800))], ">")
    assert extract(jpeg(make="Panasonic", iso=200, exif_raw={0x927C: note})).iso == 200


@pytest.mark.parametrize(
    "note",
    [b"", b"Nikon\x00\x02\x10\x00\x00XX", b"Panasonic\x00\x00\x00\xff\xff", bytes(3), b"\xff" * 64],
)
def test_broken_maker_notes_cost_nothing(jpeg: Any, extract: Any, note: bytes) -> None:
    for make in ("NIKON", "Panasonic", "Canon", "OLYMPUS IMAGING CORP."):
        meta = extract(
            jpeg(make=make, date_time_original="2024:01:01 10:00:00", exif_raw={0x927C: note})
        )
        assert (meta.iso, meta.capture_local) == (None, datetime(2024, 1, 1, 10))


def test_capture_time_utc_from_gps_clock(jpeg: Any, extract: Any) -> None:
    meta = extract(
        jpeg(
            date_time_original="2024:07:20 19:12:03",
            gps=(38.7, -9.1, None),
            gps_raw=_gps_clock("2024:07:20", 18, 12, 3),
        )
    )
    assert meta.capture_time_utc == datetime(2024, 7, 20, 18, 12, 3, tzinfo=UTC)
