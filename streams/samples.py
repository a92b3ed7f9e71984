"""Sample photos with real EXIF, generated with Pillow, that tell a small story.

Alice lives in Lisbon and photographs it over a year with several cameras,
some of which record a UTC offset and some of which do not; then she spends
a few days in Japan, her phone still set to Lisbon time, and shoots a burst
at Shibuya crossing. Bob, in New York, uploads from his phone, a trip to Rio
and Sydney, and an old scan with no metadata. A few broken uploads must end up
in the dead-letter topic.

Everything is generated (nothing is committed as a blob) and deterministic:
the same bytes on every call.
"""

from __future__ import annotations

import functools
import io
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PIL import ExifTags, Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational

__all__ = ["BROKEN_REASONS", "Sample", "Shot", "generate_samples", "photo_jpeg"]

_JPEG = "image/jpeg"

# The transpose that undoes each EXIF orientation: stored = upright.transpose(_STORE[o]).
_STORE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@dataclass(frozen=True, slots=True)
class Sample:
    filename: str
    data: bytes
    content_type: str
    expect_ok: bool
    user_id: str
    client_timezone: str | None
    description: str


@dataclass(frozen=True, slots=True)
class Shot:
    """What a camera recorded; ``None`` fields are left out of the EXIF."""

    size: tuple[int, int] = (640, 480)  # stored width, height
    seed: int = 0
    shift: int = 0  # moves the scene a little: near-duplicates of one seed
    make: str | None = None
    model: str | None = None
    orientation: int | None = None
    date_time_original: str | None = None
    subsec_original: str | None = None
    offset_time_original: str | None = None
    date_time_digitized: str | None = None
    offset_time_digitized: str | None = None
    offset_time: str | None = None
    lens_model: str | None = None
    iso: int | None = None
    exposure_time: tuple[int, int] | None = None
    f_number: float | None = None
    focal_length_mm: float | None = None
    focal_length_35mm: int | None = None
    gps: tuple[float, float, float | None] | None = None  # lat, lon, altitude (m)
    gps_raw: Mapping[int, Any] | None = None  # GPS IFD tags written as given
    ifd0_raw: Mapping[int, Any] | None = None  # IFD0 tags written as given
    exif_raw: Mapping[int, Any] | None = None  # Exif IFD tags written as given
    xmp: bytes | None = None


def _rational(value: float, denominator: int = 10_000) -> IFDRational:
    return IFDRational(round(value * denominator), denominator)


def _dms(degrees: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    whole = int(degrees)
    minutes = int((degrees - whole) * 60)
    seconds = (degrees - whole - minutes / 60) * 3600
    return IFDRational(whole, 1), IFDRational(minutes, 1), _rational(seconds, 1000)


def _exif(shot: Shot) -> Image.Exif:
    exif = Image.Exif()
    for tag, value in ((0x010F, shot.make), (0x0110, shot.model), (0x0112, shot.orientation)):
        if value is not None:
            exif[tag] = value
    for tag, value in (shot.ifd0_raw or {}).items():
        exif[tag] = value
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    fields: dict[int, Any] = {
        0x9003: shot.date_time_original,
        0x9291: shot.subsec_original,
        0x9011: shot.offset_time_original,
        0x9004: shot.date_time_digitized,
        0x9012: shot.offset_time_digitized,
        0x9010: shot.offset_time,
        0xA434: shot.lens_model,
        0x8827: shot.iso,
        0x829A: IFDRational(*shot.exposure_time) if shot.exposure_time else None,
        0x829D: _rational(shot.f_number, 100) if shot.f_number else None,
        0x920A: _rational(shot.focal_length_mm, 1000) if shot.focal_length_mm else None,
        0xA405: shot.focal_length_35mm,
    }
    sub.update({tag: value for tag, value in fields.items() if value is not None})
    sub.update(shot.exif_raw or {})
    if shot.gps is not None or shot.gps_raw is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        if shot.gps is not None:
            lat, lon, alt = shot.gps
            gps.update({0: b"\x02\x03\x00\x00", 1: "N" if lat >= 0 else "S", 2: _dms(abs(lat))})
            gps.update({3: "E" if lon >= 0 else "W", 4: _dms(abs(lon))})
            if alt is not None:
                gps.update({5: b"\x01" if alt < 0 else b"\x00", 6: _rational(abs(alt), 10)})
        gps.update(shot.gps_raw or {})
    return exif


def _scene(width: int, height: int, seed: int, shift: int) -> Image.Image:
    """A cheap but JPEG-realistic picture: gradients, shapes and grain."""
    rng = random.Random(seed)
    sky = Image.linear_gradient("L").resize((width, height))
    glow = Image.radial_gradient("L").resize((width, height))
    tint = Image.new("L", (width, height), rng.randrange(60, 200))
    picture = Image.merge("RGB", (glow, tint, sky))
    draw = ImageDraw.Draw(picture)
    horizon = height * rng.randrange(55, 75) // 100
    draw.rectangle((0, horizon, width, height), fill=(rng.randrange(40, 120), 90, 60))
    for _ in range(rng.randrange(4, 9)):
        x, w = rng.randrange(width) + shift, rng.randrange(width // 12, width // 5)
        top = horizon - rng.randrange(height // 8, height // 2)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x, top, x + w, horizon), fill=colour)
    r = rng.randrange(min(width, height) // 12, min(width, height) // 6)
    cx, cy = rng.randrange(r, width - r) + shift, rng.randrange(r, horizon)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 220, 120))
    grain_rng = random.Random(seed * 1_000_003 + shift)
    small = (max(1, width // 4), max(1, height // 4))
    grain = Image.frombytes("L", small, grain_rng.randbytes(small[0] * small[1]))
    grain = grain.resize((width, height), Image.Resampling.BILINEAR)
    return Image.blend(picture, Image.merge("RGB", (grain, grain, grain)), 0.12)


def photo_jpeg(shot: Shot, quality: int = 85) -> bytes:
    """A JPEG of ``shot.size`` stored pixels whose EXIF says what ``shot`` says.

    The scene is drawn upright and stored turned the way ``orientation``
    undoes, as a camera held sideways would store it.
    """
    width, height = shot.size
    turned = shot.orientation in {5, 6, 7, 8}
    upright = _scene(*((height, width) if turned else (width, height)), shot.seed, shot.shift)
    transpose = _STORE.get(shot.orientation or 1)
    stored = upright.transpose(transpose) if transpose is not None else upright
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": quality, "exif": _exif(shot)}
    if shot.xmp is not None:
        options["xmp"] = shot.xmp
    stored.save(out, "JPEG", **options)
    return out.getvalue()


_ALICE, _BOB = "alice", "bob"
_LISBON, _NEW_YORK = "Europe/Lisbon", "America/New_York"
_R5 = {"make": "Canon", "model": "Canon EOS R5", "lens_model": "RF24-105mm F4 L IS USM"}
_IPHONE = {
    "make": "Apple",
    "model": "iPhone 15 Pro",
    "lens_model": "iPhone 15 Pro back triple camera 6.765mm f/1.78",
    "iso": 125,
    "exposure_time": (1, 120),
    "f_number": 1.78,
    "focal_length_mm": 6.765,
    "focal_length_35mm": 24,
}
_XT5 = {"make": "FUJIFILM", "model": "X-T5", "lens_model": "XF16-55mmF2.8 R LM WR"}
_GX85 = {"make": "Panasonic", "model": "DMC-GX85\x00\x00\x00\x00\x00\x00junk"}
# Phones write tens of KiB of maker notes; this one pushes the frame header past
# the first 64 KiB, so the reader has to ask for more.
_BIG_MAKER_NOTE = b"Apple iOS\x00\x00\x01MM" + random.Random(4821).randbytes(60_000)
_PADDED_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2024-06-13T21:47:12.347+01:00"/>'
    b"</rdf:RDF></x:xmpmeta>" + b" " * 8_000
)
_LIGHTROOM_XMP = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    b'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
    b'xmp:CreatorTool="Adobe Photoshop Lightroom Classic 13.2" '
    b'xmp:CreateDate="2024-05-01T10:20:30.45+01:00" xmp:ModifyDate="2024-05-03T22:01:00+01:00">'
    b"<photoshop:DateCreated>2024-05-01T10:20:30.45+01:00</photoshop:DateCreated>"
    b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def _shot(seed: int, size: tuple[int, int], orientation: int, when: str | None, **kw: Any) -> Shot:
    return Shot(size, seed, orientation=orientation, date_time_original=when, **kw)


# (filename, user, description, shot); the client timezone follows the user.
# fmt: off
_STORY: tuple[tuple[str, str, str, Shot], ...] = (
    # Alice at home in Lisbon, over a year and across daylight-saving time.
    ("IMG_0412.JPG", _ALICE, "Christmas Eve at Praça do Comércio, Lisbon",
     _shot(1, (960, 640), 1, "2023:12:24 18:30:05", offset_time_original="+00:00", iso=800,
           exposure_time=(1, 60), f_number=4.0, focal_length_mm=50.0,
           gps=(38.7075, -9.1364, 12.0), **_R5)),
    ("IMG_4821.JPG", _ALICE, "Santo António night in Alfama; header longer than 64 KiB",
     _shot(2, (800, 600), 6, "2024:06:13 21:47:12", subsec_original="347",
           offset_time_original="+01:00", offset_time="+01:00", xmp=_PADDED_XMP,
           exif_raw={0x927C: _BIG_MAKER_NOTE}, gps=(38.7114, -9.1300, 45.0), **_IPHONE)),
    ("DSCF0101.JPG", _ALICE, "Sintra in January; the camera records no offset",
     _shot(3, (720, 480), 8, "2024:01:14 11:05:42", iso=200, exposure_time=(1, 500),
           f_number=5.6, focal_length_mm=23.0, focal_length_35mm=35,
           gps=(38.7876, -9.3906, 410.0), **_XT5)),
    ("DSCF0388.JPG", _ALICE, "Cascais in July (summer time); no offset recorded",
     _shot(4, (720, 480), 3, "2024:07:20 19:12:03", gps=(38.6979, -9.4215, 5.0), **_XT5)),
    ("P1000123.JPG", _ALICE, "Porto; NUL-padded model string, offset only in OffsetTime",
     _shot(5, (640, 480), 2, "2024:02:10 15:20:00", offset_time="+00:00",
           gps=(41.1406, -8.6110, 80.0), **_GX85)),
    ("IMG_20240131_235959.jpg", _ALICE, "Messaging-app copy: no EXIF date, the name has it",
     _shot(6, (640, 480), 4, None, make="samsung", model="SM-S918B")),
    ("IMG_5002.JPG", _ALICE, "Blank DateTimeOriginal; only the digitized time is valid",
     _shot(7, (640, 480), 1, "0000:00:00 00:00:00", date_time_digitized="2024:03:02 09:15:30",
           offset_time_digitized="+00:00", gps=(38.7223, -9.1393, None), **_IPHONE)),
    ("lisbon-tram-edit.jpg", _ALICE, "Edited export: broken EXIF date, XMP date kept",
     _shot(8, (768, 512), 1, "2024:13:45 10:20:30", make="Canon", model="Canon EOS R5",
           xmp=_LIGHTROOM_XMP)),
    # Alice in Japan; her phone still says Lisbon, the photos say +09:00.
    ("IMG_4902.JPG", _ALICE, "Japan day 1: Senso-ji, Tokyo, at dawn",
     _shot(9, (800, 600), 5, "2024:04:03 08:12:44", offset_time_original="+09:00",
           gps=(35.7148, 139.7967, 8.0), **_IPHONE)),
    ("IMG_4937.JPG", _ALICE, "Japan day 2: Fushimi Inari, Kyoto",
     _shot(10, (800, 600), 7, "2024:04:04 13:30:00", offset_time_original="+09:00",
           gps=(34.9671, 135.7727, 60.0), **_IPHONE)),
    *(
        (f"IMG_098{n + 1}.JPG", _ALICE, f"Japan day 3: Shibuya crossing burst, frame {n + 1}/4",
         _shot(11, (960, 640), 1, "2024:04:05 19:02:11", shift=3 * n,
               subsec_original=("10", "35", "60", "85")[n], offset_time_original="+09:00",
               iso=3200, exposure_time=(1, 250), f_number=4.0, focal_length_mm=35.0,
               gps=(35.6595, 139.7005, 38.0), **_R5))
        for n in range(4)
    ),
    ("IMG_4951.JPG", _ALICE, "Japan day 4: Dotonbori, Osaka, late at night",
     _shot(12, (800, 600), 6, "2024:04:06 22:05:10", offset_time_original="+09:00",
           gps=(34.6687, 135.5013, 3.0), **_IPHONE)),
    ("DSCF0777.JPG", _ALICE, "Japan day 5: Mount Fuji; no offset, and the Lisbon hint is wrong",
     _shot(13, (720, 480), 1, "2024:04:07 16:40:00", gps=(35.3606, 138.7274, 3776.0), **_XT5)),
    # Bob, in New York.
    ("IMG_7730.JPG", _BOB, "Fourth of July in Times Square; iPhone without offset",
     _shot(14, (800, 600), 6, "2024:07:04 21:15:00", gps=(40.7580, -73.9855, 10.0), **_IPHONE)),
    ("DSCF2040.JPG", _BOB, "Rio de Janeiro, Cristo Redentor (south and west)",
     _shot(15, (720, 480), 1, "2024:02:12 17:45:00", offset_time_original="-03:00",
           gps=(-22.9519, -43.2105, 700.0), **_XT5)),
    ("IMG_7801.JPG", _BOB, "Sydney Opera House in summer time (south and east)",
     _shot(16, (800, 600), 1, "2024:11:20 20:10:00", offset_time_original="+11:00",
           gps=(-33.8568, 151.2153, 4.0), **_IPHONE)),
    ("scan-grandma.jpg", _BOB, "An old print scanned without metadata, sent from a browser",
     Shot((640, 480), 17)),
)
# fmt: on
_TIMEZONES = {_ALICE: _LISBON, _BOB: _NEW_YORK}
_NO_HINT = frozenset({"scan-grandma.jpg"})  # a browser upload sends no timezone


def _truncated() -> bytes:
    whole = photo_jpeg(_STORY[0][3])
    return whole[: len(whole) // 2]


_BROKEN: tuple[tuple[str, str, str, Callable[[], bytes]], ...] = (
    ("IMG_0999.JPG", "Upload cut off halfway: a truncated JPEG", "truncated", _truncated),
    (
        "notes.jpg",
        "A text file named .jpg",
        "not_an_image",
        lambda: b"Shopping list:\n- pasteis de nata\n- sardines\n",
    ),
    ("empty.jpg", "A zero-byte upload", "empty_file", lambda: b""),
)


#: The dead-letter reason each broken sample must get, by file name.
BROKEN_REASONS: Mapping[str, str] = {name: reason for name, _, reason, _ in _BROKEN}


@functools.cache
def _generate() -> tuple[Sample, ...]:
    good = [
        Sample(
            name,
            photo_jpeg(shot),
            _JPEG,
            True,
            user,
            None if name in _NO_HINT else _TIMEZONES[user],
            text,
        )
        for name, user, text, shot in _STORY
    ]
    broken = [
        Sample(name, make(), _JPEG, False, _ALICE, _LISBON, f"{text} (dead-letter: {reason})")
        for name, text, reason, make in _BROKEN
    ]
    return tuple(good + broken)


def generate_samples() -> list[Sample]:
    """Every sample, good and broken; the same bytes on every call."""
    return list(_generate())
