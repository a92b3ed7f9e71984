"""Capture dates, GPS and camera fields from an XMP packet, without an XML parser.

Only a handful of properties matter here, so a bounded regular-expression
scan that resolves namespace prefixes is enough, and it is immune to the
entity tricks an XML parser would have to be guarded against. Both XMP
serialisations are read: ``prefix:Name="value"`` attributes and
``<prefix:Name>value</prefix:Name>`` elements (or the first ``rdf:li`` of an
array in such an element).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ._dates import DateWithOffset, parse_iso_datetime
from ._gps import GpsPosition
from ._values import integer, positive, text

__all__ = ["XmpFields", "read_xmp"]

_EXIF = "http://ns.adobe.com/exif/1.0/"
_XAP = "http://ns.adobe.com/xap/1.0/"
_PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
_AUX = "http://ns.adobe.com/exif/1.0/aux/"
_EXIF_EX = "http://cipa.jp/exif/1.0/"
_TIFF = "http://ns.adobe.com/tiff/1.0/"

# Best first: what the camera recorded, then what the first writer recorded.
_DATE_PROPERTIES = (
    (_EXIF, "DateTimeOriginal"),
    (_XAP, "CreateDate"),
    (_PHOTOSHOP, "DateCreated"),
)
_XMLNS = re.compile(rb"""xmlns:([A-Za-z_][\w.\-]*)\s*=\s*["']([^"']*)["']""")
# A packet may be padded with whitespace; the properties sit near the start.
_MAX_PACKET = 256 * 1024
_COORDINATE = re.compile(
    r"\s*(\d{1,3}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?(?:,(\d{1,2}(?:\.\d+)?))?\s*([NSEWnsew])?\s*"
)
_RATIONAL = re.compile(r"\s*(-?\d+(?:\.\d+)?)(?:/(-?\d+))?\s*")


@dataclass(frozen=True, slots=True)
class XmpFields:
    """What photostream uses from an XMP packet."""

    dates: list[DateWithOffset] = field(default_factory=list)
    gps: GpsPosition = field(default_factory=GpsPosition)
    make: str | None = None
    model: str | None = None
    lens_model: str | None = None
    iso: int | None = None
    exposure_time_s: float | None = None
    f_number: float | None = None
    focal_length_mm: float | None = None
    focal_length_35mm: int | None = None
    orientation: int | None = None


class _Packet:
    __slots__ = ("data", "prefixes")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.prefixes: dict[str, list[bytes]] = {}
        for match in _XMLNS.finditer(data):
            uri = match.group(2).decode("utf-8", "replace")
            self.prefixes.setdefault(uri, []).append(match.group(1))

    def values(self, uri: str, name: str) -> list[str]:
        found: list[bytes] = []
        for prefix in self.prefixes.get(uri, ()):
            qname = re.escape(prefix + b":" + name.encode())
            attribute = rb"(?<![\w:])" + qname + rb"""\s*=\s*(?:"([^"<]*)"|'([^'<]*)')"""
            element = rb"<" + qname + rb"(?:\s[^>]*)?>([^<]*)</"
            array = (
                rb"<" + qname + rb"(?:\s[^>]*)?>\s*<[\w.\-]+:(?:Seq|Bag|Alt)\b[^>]*>\s*"
                rb"<[\w.\-]+:li\b[^>]*>([^<]*)<"
            )
            for match in re.finditer(attribute, self.data):
                found.append(match.group(1) if match.group(1) is not None else match.group(2))
            found.extend(m.group(1).strip() for m in re.finditer(element, self.data))
            found.extend(m.group(1).strip() for m in re.finditer(array, self.data))
        return [html.unescape(value.decode("utf-8", "replace")) for value in found if value]

    def first(self, uri: str, name: str) -> str | None:
        values = self.values(uri, name)
        return values[0] if values else None


def _rational(value: str | None) -> float | None:
    if value is None:
        return None
    match = _RATIONAL.fullmatch(value)
    if match is None:
        return None
    numerator = float(match.group(1))
    denominator = int(match.group(2)) if match.group(2) else 1
    return numerator / denominator if denominator else None


def _coordinate(value: str | None, negative: str, limit: float) -> float | None:
    if value is None:
        return None
    match = _COORDINATE.fullmatch(value)
    if match is None:
        return None
    degrees = float(match.group(1))
    minutes = float(match.group(2) or 0)
    seconds = float(match.group(3) or 0)
    if minutes >= 60 or seconds >= 60:
        return None
    total = degrees + minutes / 60 + seconds / 3600
    if total > limit:
        return None
    hemisphere = (match.group(4) or "").upper()
    return -total if hemisphere == negative else total


def _gps(packet: _Packet) -> GpsPosition:
    latitude = _coordinate(packet.first(_EXIF, "GPSLatitude"), "S", 90.0)
    longitude = _coordinate(packet.first(_EXIF, "GPSLongitude"), "W", 180.0)
    if latitude is None or longitude is None:
        return GpsPosition()
    altitude = _rational(packet.first(_EXIF, "GPSAltitude"))
    if altitude is not None:
        if packet.first(_EXIF, "GPSAltitudeRef") == "1":
            altitude = -altitude
        if not -12_000.0 <= altitude <= 100_000.0:
            altitude = None
    return GpsPosition(latitude, longitude, altitude)


def _dates(packet: _Packet) -> list[DateWithOffset]:
    dates: list[DateWithOffset] = []
    for uri, name in _DATE_PROPERTIES:
        for raw in packet.values(uri, name):
            parsed = parse_iso_datetime(raw)
            if parsed is not None:
                dates.append(parsed)
    return dates


def read_xmp(data: bytes) -> XmpFields:
    """The fields of an XMP packet; absent or malformed properties are ``None``."""
    packet = _Packet(data[:_MAX_PACKET])
    if not packet.prefixes:
        return XmpFields()
    iso = packet.first(_EXIF, "ISOSpeedRatings") or packet.first(
        _EXIF_EX, "PhotographicSensitivity"
    )
    return XmpFields(
        dates=_dates(packet),
        gps=_gps(packet),
        make=text(packet.first(_TIFF, "Make")),
        model=text(packet.first(_TIFF, "Model")),
        lens_model=text(packet.first(_EXIF_EX, "LensModel") or packet.first(_AUX, "Lens")),
        iso=integer(_rational(iso), 1, 10_000_000),
        exposure_time_s=positive(_rational(packet.first(_EXIF, "ExposureTime")), 86_400.0),
        f_number=positive(_rational(packet.first(_EXIF, "FNumber")), 1_000.0),
        focal_length_mm=positive(_rational(packet.first(_EXIF, "FocalLength")), 100_000.0),
        focal_length_35mm=integer(
            _rational(packet.first(_EXIF, "FocalLengthIn35mmFilm")), 1, 100_000
        ),
        orientation=integer(_rational(packet.first(_TIFF, "Orientation")), 1, 8),
    )
