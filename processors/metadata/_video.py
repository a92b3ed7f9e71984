"""MP4 and QuickTime movies: creation time, duration, size, rotation and location from ``moov``.

``mvhd`` has the creation time (seconds since 1904, UTC by the spec) and the
duration; the video track's ``tkhd`` has the size and the display matrix;
``udta/©xyz`` (Android, older iPhones) and the ``meta`` keys of newer iPhones
carry an ISO 6709 location, and Apple's ``creationdate`` key a local time
with its offset.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..errors import Reason, UnreadablePhoto
from ._bmff import Box, children, full_box, locate_top_level, read_uint
from ._container import Container, VideoInfo
from ._source import ByteSource
from ._values import text

__all__ = ["read_video"]

_EPOCH_1904 = datetime(1904, 1, 1)
_FIRST_PLAUSIBLE = datetime(1970, 1, 2)
_LAST_PLAUSIBLE = datetime(2200, 1, 1)
# ISO 6709 as degrees, degrees and minutes, or degrees, minutes and seconds
# (told apart by the digits before the point), each with an optional altitude.
_ALTITUDE = r"([+\-]\d+(?:\.\d*)?)?"
_ISO6709_DEGREES = re.compile(r"\s*([+\-]\d{1,2}(?:\.\d*)?)([+\-]\d{1,3}(?:\.\d*)?)" + _ALTITUDE)
_ISO6709_MINUTES = re.compile(
    r"\s*([+\-])(\d{2})(\d{2}(?:\.\d*)?)([+\-])(\d{3})(\d{2}(?:\.\d*)?)" + _ALTITUDE
)
_ISO6709_SECONDS = re.compile(
    r"\s*([+\-])(\d{2})(\d{2})(\d{2}(?:\.\d*)?)([+\-])(\d{3})(\d{2})(\d{2}(?:\.\d*)?)" + _ALTITUDE
)
# Matrix (a, b, c, d) in 16.16 fixed point -> clockwise rotation in degrees.
_ROTATIONS = {(1, 0, 0, 1): 0, (0, 1, -1, 0): 90, (-1, 0, 0, -1): 180, (0, -1, 1, 0): 270}
_ORIENTATION_OF_ROTATION = {0: 1, 90: 6, 180: 3, 270: 8}
_APPLE_KEYS = {
    b"com.apple.quicktime.location.ISO6709": "location",
    b"com.apple.quicktime.creationdate": "created",
    b"com.apple.quicktime.make": "make",
    b"com.apple.quicktime.model": "model",
}


def _seconds_1904(seconds: int) -> datetime | None:
    if seconds == 0:
        return None
    moment = _EPOCH_1904 + timedelta(seconds=min(seconds, 10**11))
    return moment if _FIRST_PLAUSIBLE <= moment < _LAST_PLAUSIBLE else None


def _mvhd(data: bytes, box: Box) -> tuple[datetime | None, float | None]:
    version, _, pos = full_box(data, box)
    if version == 1:
        created, scale, duration = (
            read_uint(data, pos, 8),
            read_uint(data, pos + 16, 4),
            read_uint(data, pos + 20, 8),
        )
    else:
        created, scale, duration = (
            read_uint(data, pos, 4),
            read_uint(data, pos + 8, 4),
            read_uint(data, pos + 12, 4),
        )
    seconds = duration / scale if scale and duration not in (0, 0xFFFFFFFF) else None
    return _seconds_1904(created), seconds


def _signed(value: int) -> int:
    return value - (1 << 32) if value & 0x80000000 else value


def _tkhd(data: bytes, box: Box) -> tuple[int, int, int] | None:
    version, _, pos = full_box(data, box)
    pos += 32 if version == 1 else 20  # times, track id, reserved, duration
    pos += 8 + 8  # reserved, layer, alternate group, volume, reserved
    matrix = [_signed(read_uint(data, pos + 4 * i, 4)) for i in (0, 1, 3, 4)]
    width, height = read_uint(data, pos + 36, 4) >> 16, read_uint(data, pos + 40, 4) >> 16
    if pos + 44 > box.end or width == 0 or height == 0:
        return None
    unit = [round(value / 65536) for value in matrix]
    return width, height, _ROTATIONS.get((unit[0], unit[1], unit[2], unit[3]), 0)


def _handler(data: bytes, trak: Box) -> bytes:
    for mdia in children(data, trak.start, trak.end):
        if mdia.kind == b"mdia":
            for child in children(data, mdia.start, mdia.end):
                if child.kind == b"hdlr":
                    _, _, pos = full_box(data, child)
                    return data[pos + 4 : pos + 8]
    return b""


def _sexagesimal(sign: str, *parts: str) -> float:
    degrees = sum(float(part) / 60.0**n for n, part in enumerate(parts))
    return -degrees if sign == "-" else degrees


def _iso6709(value: str) -> tuple[float, float, str | None] | None:
    if match := _ISO6709_DEGREES.match(value):
        return float(match.group(1)), float(match.group(2)), match.group(3)
    if match := _ISO6709_MINUTES.match(value):
        sign_lat, deg_lat, min_lat, sign_lon, deg_lon, min_lon, altitude = match.groups()
        latitude = _sexagesimal(sign_lat, deg_lat, min_lat)
        return latitude, _sexagesimal(sign_lon, deg_lon, min_lon), altitude
    if match := _ISO6709_SECONDS.match(value):
        groups = match.groups()
        latitude = _sexagesimal(groups[0], *groups[1:4])
        return latitude, _sexagesimal(groups[4], *groups[5:8]), groups[8]
    return None


def _location(value: str | None) -> tuple[float, float, float | None] | None:
    try:
        found = _iso6709(value or "")
        if found is None:
            return None
        latitude, longitude = found[0], found[1]
        altitude = float(found[2]) if found[2] else None
    except ValueError:
        return None
    if abs(latitude) > 90 or abs(longitude) > 180:
        return None
    if altitude is not None and not -12_000.0 <= altitude <= 100_000.0:
        altitude = None
    return latitude, longitude, altitude


def _udta_text(data: bytes, box: Box) -> str | None:
    # QuickTime text atoms: a 16-bit length and a 16-bit language, then the text.
    size = read_uint(data, box.start, 2)
    return text(data[box.start + 4 : min(box.end, box.start + 4 + size)])


def _apple_keys(data: bytes, meta: Box) -> dict[str, str]:
    start = meta.start
    # QuickTime's meta is a plain box; MP4's is a FullBox with 4 more bytes.
    if data[start + 4 : start + 8] != b"hdlr" and data[start + 8 : start + 12] == b"hdlr":
        start += 4
    names: list[bytes] = []
    found: dict[str, str] = {}
    for child in children(data, start, meta.end):
        if child.kind == b"keys":
            _, _, pos = full_box(data, child)
            for key in children(data, pos + 4, child.end):
                names.append(data[key.start : key.end])
        elif child.kind == b"ilst":
            for item in children(data, child.start, child.end):
                index = int.from_bytes(item.kind, "big") - 1
                name = _APPLE_KEYS.get(names[index]) if 0 <= index < len(names) else None
                for value in children(data, item.start, item.end) if name else ():
                    if value.kind == b"data" and name is not None:
                        found.setdefault(name, text(data[value.start + 8 : value.end]) or "")
    return found


def read_video(source: ByteSource, mime_type: str) -> Container:
    data, offset, moov = locate_top_level(source, b"moov", mime_type)
    created = duration = None
    size: tuple[int, int, int] | None = None
    udta: dict[str, str | None] = {}
    keys: dict[str, str] = {}
    for box in children(data, moov.start, moov.end):
        if box.kind == b"mvhd":
            created, duration = _mvhd(data, box)
        elif box.kind == b"trak" and size is None:
            tkhd = next((b for b in children(data, box.start, box.end) if b.kind == b"tkhd"), None)
            found = _tkhd(data, tkhd) if tkhd is not None else None
            if found is not None and _handler(data, box) in (b"vide", b""):
                size = found
        elif box.kind == b"udta":
            for item in children(data, box.start, box.end):
                if item.kind in (b"\xa9xyz", b"\xa9mak", b"\xa9mod"):
                    udta.setdefault(item.kind.decode("latin-1"), _udta_text(data, item))
        elif box.kind == b"meta":
            keys = _apple_keys(data, box)
    if size is None:
        raise UnreadablePhoto(Reason.CORRUPT, f"{mime_type}: no video track with a size")
    width, height, rotation = size
    place = _location(keys.get("location") or udta.get("\xa9xyz"))
    video = VideoInfo(
        duration_s=duration,
        created_utc=created,
        created_local=keys.get("created"),
        rotation=rotation,
        latitude=place[0] if place else None,
        longitude=place[1] if place else None,
        altitude=place[2] if place else None,
        make=keys.get("make") or udta.get("\xa9mak"),
        model=keys.get("model") or udta.get("\xa9mod"),
    )
    return Container(
        mime_type=mime_type,
        width=width,
        height=height,
        bytes_needed=offset + moov.end,  # where the movie header ends in the object
        orientation=_ORIENTATION_OF_ROTATION[rotation],
        video=video,
    )
