"""What photostream should say about a file, derived from ``exiftool -j -n -G1 -a``.

exiftool supplies the raw values; photostream's documented precedence
(capture-time chain, offset chain, EXIF before XMP before QuickTime) is
applied to them here, so agreement measures whether both read the same
values out of the same bytes. A field neither side has is not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = ["FIELDS", "Expected", "expected_fields"]

FIELDS = (
    "mime_type",
    "width",
    "height",
    "orientation",
    "capture_local",
    "utc_offset_minutes",
    "gps_latitude",
    "gps_longitude",
    "gps_altitude",
    "make",
    "model",
    "lens_model",
    "iso",
    "exposure_time_s",
    "f_number",
    "focal_length_mm",
    "focal_length_35mm",
    "video_duration_s",
)

_DATE = re.compile(
    r"\s*(\d{4})[:\-](\d\d)[:\-](\d\d)[ T]+(\d\d):(\d\d)(?::(\d\d))?(\.\d+)?\s*"
    r"(Z|(?:GMT|UTC)?[+\-]\d\d:?\d\d)?"
)
_OFFSET = re.compile(r"\s*(?:GMT|UTC)?([+\-])(\d\d):?(\d\d)\s*$")
_HEIF_ROTATION = {0: 1, 90: 8, 180: 3, 270: 6}  # irot: anticlockwise
_VIDEO_ROTATION = {0: 1, 90: 6, 180: 3, 270: 8}  # display matrix: clockwise
_TRANSPOSED = {5, 6, 7, 8}


@dataclass(frozen=True)
class Expected:
    values: dict[str, Any]
    from_filename_only: bool  # no embedded time: photostream may use the file name


def _first(ref: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = ref.get(key)
        if value in (None, "") and key.startswith("ExifIFD:"):
            # Some writers put Exif tags in IFD0; photostream reads them there too.
            value = ref.get("IFD0:" + key.removeprefix("ExifIFD:"))
        if value not in (None, ""):
            return value
    return None


def _within(value: float | None, low: float, high: float) -> float | None:
    # photostream drops impossible values (an ISO of 4294967295, a zero exposure).
    return value if value is not None and low < value <= high else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).split("\x00", 1)[0].strip()
    return text or None


def _offset(text: Any) -> int | None:
    if not isinstance(text, str):
        return None
    if text.strip() == "Z":
        return 0
    match = _OFFSET.match(text)
    if match is None:
        return None
    minutes = int(match.group(2)) * 60 + int(match.group(3))
    if minutes > 14 * 60:
        return None
    return -minutes if match.group(1) == "-" else minutes


def _date(value: Any) -> tuple[datetime, int | None] | None:
    match = _DATE.match(str(value)) if value is not None else None
    if match is None:
        return None
    try:
        moment = datetime(*(int(match.group(i)) for i in range(1, 6)), int(match.group(6) or 0))  # type: ignore[misc]
    except ValueError:
        return None
    if not 1826 <= moment.year <= 2200:
        return None
    if match.group(7):
        moment = moment.replace(microsecond=int(match.group(7)[1:7].ljust(6, "0")))
    return moment, _offset(match.group(8)) if match.group(8) else None


def _with_subsec(found: tuple[datetime, int | None], subsec: Any) -> datetime:
    moment = found[0]
    digits = str(subsec).strip() if subsec is not None else ""
    if digits.isdigit() and not moment.microsecond:
        moment = moment.replace(microsecond=int(digits[:6].ljust(6, "0")))
    return moment


def _same_wall(local: datetime, strings: list[tuple[datetime, int | None]]) -> int | None:
    for moment, offset in strings:
        if offset is not None and moment.replace(microsecond=0) == local.replace(microsecond=0):
            return offset
    return None


def _gps_clock_offset(local: datetime, ref: dict[str, Any]) -> int | None:
    day, clock = ref.get("GPS:GPSDateStamp"), ref.get("GPS:GPSTimeStamp")
    if day is None or clock is None:
        return None
    found = _date(f"{day} {str(clock).split('.')[0]}")
    if found is None:
        return None
    difference = local.replace(microsecond=0) - found[0]
    quarters = round(difference / timedelta(minutes=15))
    if abs(difference - quarters * timedelta(minutes=15)) > timedelta(minutes=3):
        return None
    return quarters * 15 if abs(quarters * 15) <= 14 * 60 else None


def _capture(ref: dict[str, Any]) -> tuple[datetime | None, int | None]:
    xmp = [
        d
        for d in (
            _date(ref.get("XMP-exif:DateTimeOriginal")),
            _date(ref.get("XMP-xmp:CreateDate")),
            _date(ref.get("XMP-photoshop:DateCreated")),
        )
        if d is not None
    ]
    iptc = None
    for day_key, time_key in (
        ("IPTC:DateCreated", "IPTC:TimeCreated"),
        ("IPTC:DigitalCreationDate", "IPTC:DigitalCreationTime"),
    ):
        day = ref.get(day_key)
        if day is not None and iptc is None:
            iptc = _date(f"{day} {ref.get(time_key) or '00:00:00'}")
    strings = xmp + ([iptc] if iptc else [])
    modified = _date(ref.get("IFD0:ModifyDate"))
    candidates = [
        (
            _date(_first(ref, "ExifIFD:DateTimeOriginal")),
            _first(ref, "ExifIFD:SubSecTimeOriginal"),
            ("ExifIFD:OffsetTimeOriginal", "ExifIFD:OffsetTime"),
        ),
        (
            _date(_first(ref, "ExifIFD:CreateDate")),
            _first(ref, "ExifIFD:SubSecTimeDigitized"),
            ("ExifIFD:OffsetTimeDigitized", "ExifIFD:OffsetTime", "ExifIFD:OffsetTimeOriginal"),
        ),
    ]
    for found, subsec, offset_keys in candidates:
        if found is None:
            continue
        local = _with_subsec(found, subsec)
        if (
            modified is not None
            and local.replace(microsecond=0) == modified[0]
            and any(s[0] < modified[0] for s in strings)
        ):
            continue
        for key in offset_keys:
            offset = _offset(_first(ref, key))
            if offset is not None:
                return local, offset
        return local, _string_or_clock(local, strings, ref)
    for found in (xmp[0] if xmp else None, iptc):
        if found is not None:
            return found[0], _string_or_clock(found[0], strings, ref)
    apple = _date(ref.get("Keys:CreationDate"))
    if apple is not None:
        return apple
    created = _date(ref.get("QuickTime:CreateDate"))
    if created is not None and created[0] > datetime(1970, 1, 2):
        return created[0], None  # UTC; photostream keeps no local time for it
    return None, None


def _string_or_clock(
    local: datetime, strings: list[tuple[datetime, int | None]], ref: dict[str, Any]
) -> int | None:
    offset = _same_wall(local, strings)
    return offset if offset is not None else _gps_clock_offset(local, ref)


def _size(ref: dict[str, Any]) -> tuple[int | None, int | None]:
    size = ref.get("Composite:ImageSize")
    if isinstance(size, str) and " " in size:
        width, height = size.split()[:2]
        return int(float(width)), int(float(height))
    return None, None


def _orientation(ref: dict[str, Any], video: bool) -> int:
    for key in ("IFD0:Orientation", "XMP-tiff:Orientation"):
        value = ref.get(key)
        if isinstance(value, int) and 1 <= value <= 8:
            return value
    if video:
        return _VIDEO_ROTATION.get(int(ref.get("Composite:Rotation") or 0), 1)
    rotation = ref.get("QuickTime:Rotation")
    return _HEIF_ROTATION.get(int(rotation), 1) if isinstance(rotation, int | float) else 1


def _number(value: Any) -> float | None:
    if isinstance(value, str):
        parts = value.split()
        value = parts[-1] if parts else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _iso(ref: dict[str, Any]) -> int | None:
    iso = _number(_first(ref, "ExifIFD:ISO"))
    if iso in (None, 0.0, 65535.0):
        iso = _number(_first(ref, "ExifIFD:ISOSpeed")) or iso
    maker_notes = ("Canon:CameraISO", "Nikon:ISO", "Panasonic:ISO", "Sony:SonyISO",
                   "Olympus:ISOValue")  # fmt: skip
    for key in (*maker_notes, "XMP-exif:ISO"):
        if iso not in (None, 0.0):
            break
        iso = _number(ref.get(key))
    iso = _within(iso, 0, 10_000_000)
    # Sony and Olympus store a stop value; exiftool reports e.g. 124.86 for ISO 125.
    return round(iso) if iso else None


def _gps(ref: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    latitude, longitude = ref.get("Composite:GPSLatitude"), ref.get("Composite:GPSLongitude")
    if latitude is None:
        latitude, longitude = ref.get("XMP-exif:GPSLatitude"), ref.get("XMP-exif:GPSLongitude")
    latitude, longitude = _number(latitude), _number(longitude)
    if latitude is None or longitude is None:
        return None, None, None
    altitude = ref.get("Composite:GPSAltitude")
    if altitude is None and ref.get("XMP-exif:GPSAltitude") is not None:
        altitude = float(ref["XMP-exif:GPSAltitude"])
        if ref.get("XMP-exif:GPSAltitudeRef") == 1:
            altitude = -altitude
    return latitude, longitude, _number(altitude)


def expected_fields(ref: dict[str, Any]) -> Expected:
    """The fields photostream should report, per exiftool's reading of the file."""
    mime = ref.get("File:MIMEType")
    video = isinstance(mime, str) and mime.startswith("video/")
    width, height = _size(ref)
    local, offset = _capture(ref)
    latitude, longitude, altitude = _gps(ref)
    values: dict[str, Any] = {
        "mime_type": mime,
        "width": width,
        "height": height,
        "orientation": _orientation(ref, video),
        "capture_local": local,
        "utc_offset_minutes": offset,
        "gps_latitude": latitude,
        "gps_longitude": longitude,
        "gps_altitude": altitude,
        "make": _text(_first(ref, "IFD0:Make", "XMP-tiff:Make", "Keys:Make", "UserData:Make")),
        "model": _text(_first(ref, "IFD0:Model", "XMP-tiff:Model", "Keys:Model", "UserData:Model")),
        "lens_model": _text(
            _first(
                ref,
                "ExifIFD:LensModel",
                "XMP-exifEX:LensModel",
                "XMP-aux:Lens",
                "Canon:LensModel",
                "Panasonic:LensType",
                "Olympus:LensModel",
            )
        ),
        "iso": _iso(ref),
        # EXIF first, then APEX, then XMP (exiftool's composites prefer maker notes).
        "exposure_time_s": _within(
            _number(
                _first(
                    ref,
                    "ExifIFD:ExposureTime",
                    "ExifIFD:ShutterSpeedValue",
                    "XMP-exif:ExposureTime",
                )
            ),
            0,
            86_400,
        ),
        "f_number": _within(
            _number(_first(ref, "ExifIFD:FNumber", "ExifIFD:ApertureValue", "XMP-exif:FNumber")),
            0,
            1_000,
        ),
        "focal_length_mm": _number(_first(ref, "ExifIFD:FocalLength", "XMP-exif:FocalLength")),
        "focal_length_35mm": _number(
            _first(ref, "ExifIFD:FocalLengthIn35mmFormat", "XMP-exif:FocalLengthIn35mmFormat")
        ),
        "video_duration_s": _number(ref.get("QuickTime:Duration")) if video else None,
    }
    if values["focal_length_35mm"] is None and ref.get("Composite:ScaleFactor35efl") is not None:
        # From the sensor size (focal-plane resolution, maker-note sensor diagonal).
        values["focal_length_35mm"] = _number(ref.get("Composite:FocalLength35efl"))
        if values["focal_length_35mm"] is not None:
            values["focal_length_35mm"] = round(values["focal_length_35mm"])
    if values["focal_length_35mm"] is not None:
        values["focal_length_35mm"] = int(values["focal_length_35mm"]) or None
    return Expected(values, local is None)


def transposed(orientation: int) -> bool:
    return orientation in _TRANSPOSED
