"""The end-to-end data set: real-sized JPEGs (2-5 MB) with realistic EXIF, and their upload events.

Encoding a 12 MP JPEG takes about a second, so only a handful of distinct
pictures are encoded; each object in S3 is one of those pictures with its
own EXIF segment (camera, capture time and offset, GPS in one of several
cities, orientation) spliced in front of the picture's scan, which is a
whole, valid JPEG. Upload events point many photo ids at these objects;
each user's photos use distinct objects, so curation never sees a user
upload the same bytes twice unless a workload asks for it.
"""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from PIL import Image

from schemas import PhotoUploaded, derive_event_id
from streams.samples import Shot, photo_jpeg

__all__ = ["BUCKET", "PhotoObject", "make_objects", "put_objects", "upload_events"]

BUCKET = "photos"

# (stored size, JPEG quality, grain): each lands between 2 and 5 MB.
_PICTURES = (
    ((4032, 3024), 82, 18),
    ((4000, 3000), 85, 14),
    ((3264, 2448), 90, 16),
    ((4608, 3456), 72, 12),
    ((3840, 2160), 88, 18),
    ((4000, 2250), 84, 22),
)
_CAMERAS: tuple[dict[str, Any], ...] = (
    {"make": "Apple", "model": "iPhone 15 Pro", "lens_model": "iPhone 15 Pro back camera"},
    {"make": "samsung", "model": "SM-S918B"},
    {"make": "Canon", "model": "Canon EOS R5", "lens_model": "RF24-105mm F4 L IS USM"},
    {"make": "FUJIFILM", "model": "X-T5", "lens_model": "XF16-55mmF2.8 R LM WR"},
    {"make": "Google", "model": "Pixel 8"},
    {"make": "SONY", "model": "ILCE-7M4", "lens_model": "FE 24-105mm F4 G OSS"},
)
# (latitude, longitude, UTC offset the camera may record)
_PLACES = (
    (38.7075, -9.1364, "+00:00"),  # Lisbon
    (35.6595, 139.7005, "+09:00"),  # Tokyo
    (40.7580, -73.9855, "-05:00"),  # New York
    (-22.9519, -43.2105, "-03:00"),  # Rio de Janeiro
    (48.8584, 2.2945, "+01:00"),  # Paris
    (-33.8568, 151.2153, "+11:00"),  # Sydney
    (28.6139, 77.2090, "+05:30"),  # Delhi
)


@dataclass(frozen=True, slots=True)
class PhotoObject:
    key: str
    data: bytes
    sha256: str
    filename: str


def _picture(size: tuple[int, int], quality: int, grain: int, seed: int) -> bytes:
    width, height = size
    rng = random.Random(seed)
    sky = Image.linear_gradient("L").resize(size)
    glow = Image.radial_gradient("L").resize(size)
    tint = Image.effect_noise(size, rng.randrange(10, 30))
    base = Image.merge("RGB", (glow, tint, sky))
    noise = Image.effect_noise((width // 3, height // 3), 40 + grain)
    noise = noise.resize(size, Image.Resampling.BILINEAR)
    picture = Image.blend(base, Image.merge("RGB", (noise, noise, noise)), grain / 100)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _segments_end(jpeg: bytes) -> int:
    """Offset just past the APPn/COM segments that follow SOI."""
    pos = 2
    while pos + 4 <= len(jpeg) and jpeg[pos] == 0xFF:
        marker = jpeg[pos + 1]
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            break
        pos += 2 + int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
    return pos


def _with_exif(picture: bytes, rng: random.Random, index: int) -> bytes:
    lat, lon, offset = rng.choice(_PLACES)
    when = datetime(2019, 1, 1) + timedelta(seconds=rng.randrange(6 * 365 * 86400))
    camera = rng.choice(_CAMERAS)
    shot = Shot(
        size=(64, 48),
        seed=index,
        orientation=rng.choice((1, 1, 1, 6, 8, 3)),
        date_time_original=when.strftime("%Y:%m:%d %H:%M:%S"),
        subsec_original=f"{rng.randrange(1000):03d}",
        offset_time_original=offset if rng.random() < 0.7 else None,
        iso=rng.choice((50, 100, 200, 800, 3200)),
        exposure_time=(1, rng.choice((60, 125, 250, 1000))),
        f_number=rng.choice((1.8, 2.8, 4.0, 8.0)),
        focal_length_mm=rng.choice((6.8, 24.0, 35.0, 50.0)),
        gps=(lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.05, 0.05), 20.0)
        if rng.random() < 0.85
        else None,
        **camera,
    )
    head = photo_jpeg(shot)
    # The small JPEG's JFIF + EXIF segments, then the big picture's tables and scan.
    return head[: _segments_end(head)] + picture[_segments_end(picture) :]


def make_objects(count: int, seed: int = 10) -> list[PhotoObject]:
    """``count`` distinct objects over a handful of encoded pictures."""
    pictures = [_picture(size, q, grain, n) for n, (size, q, grain) in enumerate(_PICTURES)]
    rng = random.Random(seed)
    objects = []
    for index in range(count):
        data = _with_exif(pictures[index % len(pictures)], rng, index)
        filename = f"IMG_{1000 + index}.JPG"
        objects.append(
            PhotoObject(
                key=f"bench/{index:05d}/{filename}",
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
                filename=filename,
            )
        )
    return objects


def put_objects(endpoint_url: str, objects: list[PhotoObject]) -> None:
    s3 = boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1")
    for item in objects:
        s3.put_object(Bucket=BUCKET, Key=item.key, Body=item.data, ContentType="image/jpeg")


def upload_events(
    objects: list[PhotoObject], *, count: int, users: int, run: str, start: int = 0
) -> Iterator[PhotoUploaded]:
    """Upload events ``start .. start + count``: user ``i % users``, distinct objects per user."""
    uploaded_at = datetime.now(UTC)
    for index in range(start, start + count):
        user = index % users
        nth = index // users  # this user's nth photo
        item = objects[(user * 7 + nth) % len(objects)]
        photo_id = f"{run}-{index}"
        yield PhotoUploaded(
            event_id=derive_event_id(photo_id, "upload"),
            user_id=f"user-{user}",
            photo_id=photo_id,
            bucket=BUCKET,
            key=item.key,
            size=len(item.data),
            content_type="image/jpeg",
            sha256=item.sha256,
            filename=item.filename,
            uploaded_at=uploaded_at,
            client_timezone="Europe/Lisbon",
        )
