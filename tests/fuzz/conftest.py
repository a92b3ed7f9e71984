"""Seeds for the metadata fuzz suite: one small real-shaped file per format and case."""

from __future__ import annotations

import contextlib
import functools
from datetime import datetime

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from streams import media_samples as media
from streams.samples import Shot, generate_samples, photo_jpeg


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "NIKON CORPORATION"
    exif[0x0110] = "NIKON Z 6"
    exif[0x0112] = 6
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2024:01:31 23:59:59"
    sub[0x9011] = "+01:00"
    sub[0x829A] = IFDRational(1, 250)
    sub[0x927C] = (
        b"Nikon\x00\x02\x10\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01\x00\x02\x00\x03\x00\x00\x00\x02\x00\x00\x03\x20\x00\x00\x00\x00"
    )
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (IFDRational(38), IFDRational(42), IFDRational(27)), 3: "W"})
    gps.update({4: (IFDRational(9), IFDRational(8), IFDRational(11)), 29: "2024:01:31"})
    gps[7] = (IFDRational(22), IFDRational(59), IFDRational(59))
    return exif


_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" xmp:CreateDate="2021-08-09T10:11:12+05:30" '
    b'exif:GPSLatitude="38,42.45N" exif:GPSLongitude="9,8.18W" aux:Lens="50mm">'
    b"<exif:ISOSpeedRatings><rdf:Seq><rdf:li>400</rdf:li></rdf:Seq></exif:ISOSpeedRatings>"
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


@functools.cache
def _seeds() -> tuple[bytes, ...]:
    samples = [s.data for s in generate_samples() if s.expect_ok][:6]
    jpeg = photo_jpeg(Shot(size=(48, 32), make="Canon", date_time_original="2024:01:01 10:00:00"))
    built = [
        media.jpeg_with_photoshop_iptc(
            photo_jpeg(Shot(size=(48, 32), xmp=_XMP, exif_raw={0x927C: bytes(40)})),
            media.iim({55: b"20240131", 60: b"235959+0100"}),
        ),
        media.png(exif=_exif(), xmp=_XMP),
        media.png(exif=_exif(), exif_after_idat=True, xmp=_XMP, compress_xmp=True),
        media.webp(exif=_exif(), xmp=_XMP),
        media.tiff(exif=_exif()),
        media.gif(),
        media.mpo(exif=_exif()),
        media.dng(),
        media.movie(created=datetime(2024, 5, 1), rotation=90, location="+38.7-009.1+012/"),
        media.movie(
            brand=b"qt  ",
            apple_keys={"com.apple.quicktime.creationdate": "2024-05-01T13:00:00+0100"},
            moov_at_end=True,
            mdat_bytes=64,
        ),
        jpeg,
    ]
    with contextlib.suppress(ImportError):  # pillow-heif is a dev dependency
        built.append(media.heic(exif=_exif(), xmp=_XMP))
    return tuple(samples + built)


@pytest.fixture(scope="session")
def fuzz_seeds() -> tuple[bytes, ...]:
    return _seeds()
