"""Synthetic photo libraries that look like real ones, for curation tests and benchmarks.

A user lives in one city and shoots a few moments on most days; every few
months they travel for several days to cities far away and shoot more; now
and then a burst of near-duplicates, a re-upload of the same bytes, a photo
whose metadata is re-extracted with a corrected date, a deletion. Everything
is deterministic for a given seed.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from processors.curation import CurationInput, OnThisDayTick
from schemas import MediaType, MetadataExtracted, PhotoDeleted, TimeSource, TzSource, VisionScored

HOME = ("Lisbon", "PT", 38.72, -9.14, 0)
AWAY = (
    ("Porto", "PT", 41.15, -8.61, 0),
    ("Madrid", "ES", 40.42, -3.70, 60),
    ("Tokyo", "JP", 35.68, 139.69, 540),
    ("Kyoto", "JP", 35.01, 135.77, 540),
    ("New York", "US", 40.71, -74.01, -300),
    ("Paris", "FR", 48.86, 2.35, 60),
)


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(map(str, parts))))


@dataclass(frozen=True, slots=True)
class Shot:
    pid: str
    when: datetime
    offset: int
    place: tuple[str, str, float, float] | None
    sha: str
    phash: int
    quality: float
    nsfw: float


def metadata(
    user: str, shot: Shot, *, version: str = "metadata-1", shift: timedelta = timedelta(0)
) -> MetadataExtracted:
    when = shot.when + shift
    local = (when + timedelta(minutes=shot.offset)).replace(tzinfo=None)
    city, cc, lat, lon = shot.place if shot.place else (None, None, None, None)
    return MetadataExtracted(
        event_id=_uuid("meta", user, shot.pid, version),
        source_event_id=_uuid("upload", user, shot.pid),
        user_id=user,
        photo_id=shot.pid,
        bucket="photos",
        key=f"users/{user}/{shot.pid}.jpg",
        sha256=shot.sha,
        filename=f"{shot.pid}.jpg",
        media_type=MediaType.PHOTO,
        capture_time_utc=when,
        capture_local=local.isoformat(),
        utc_offset_minutes=shot.offset,
        time_source=TimeSource.EXIF_ORIGINAL,
        tz_source=TzSource.EXIF_OFFSET,
        gps_latitude=lat,
        gps_longitude=lon,
        place_city=city,
        place_country_code=cc,
        width=4032,
        height=3024,
        oriented_width=4032,
        oriented_height=3024,
        extractor_version=version,
    )


def vision(user: str, shot: Shot) -> VisionScored:
    return VisionScored(
        event_id=_uuid("vision", user, shot.pid),
        source_event_id=_uuid("request", user, shot.pid),
        user_id=user,
        photo_id=shot.pid,
        model_version="vision-1",
        scores=(),
        phash=format(shot.phash, "016x"),
        quality=shot.quality,
        nsfw_probability=shot.nsfw,
    )


def deletion(user: str, pid: str, when: datetime) -> PhotoDeleted:
    return PhotoDeleted(
        event_id=_uuid("delete", user, pid), user_id=user, photo_id=pid, deleted_at=when
    )


def library(user: str, photos: int, seed: int = 0, start: date = date(2021, 1, 1)) -> list[Shot]:
    """About ``photos`` shots of one user, in capture order."""
    rng = random.Random(seed)
    shots: list[Shot] = []
    day = datetime.combine(start, datetime.min.time(), UTC)
    next_trip = day + timedelta(days=rng.randint(30, 120))

    def shoot(when: datetime, where: tuple[str, str, float, float, int], n: int) -> None:
        city, cc, lat, lon, offset = where
        base = rng.getrandbits(64)
        for i in range(n):
            pid = f"{user}-{len(shots):06d}"
            geo = None
            if rng.random() < 0.85:
                geo = (city, cc, lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.05, 0.05))
            burst = rng.random() < 0.04 and i + 3 < n
            sha = uuid.uuid5(uuid.NAMESPACE_URL, pid).hex * 2
            if shots and rng.random() < 0.01:
                sha = shots[-1].sha  # the same bytes uploaded twice
            shot = Shot(pid, when, offset, geo, sha, rng.getrandbits(64), rng.random(), 0.0)
            if rng.random() < 0.01:
                shot = Shot(pid, when, offset, geo, sha, shot.phash, shot.quality, 0.95)
            shots.append(shot)
            if burst:
                for frame in range(rng.randint(2, 5)):
                    pid = f"{user}-{len(shots):06d}"
                    flips = sum(1 << rng.randrange(64) for _ in range(rng.randint(0, 4)))
                    shots.append(
                        Shot(
                            pid,
                            when + timedelta(seconds=frame + 1),
                            offset,
                            geo,
                            uuid.uuid5(uuid.NAMESPACE_URL, pid).hex * 2,
                            base ^ flips,
                            rng.random(),
                            0.0,
                        )
                    )
            when += timedelta(minutes=rng.expovariate(1 / 12))

    while len(shots) < photos:
        if day >= next_trip:
            where = rng.choice(AWAY)
            for _ in range(rng.randint(3, 9)):
                for _ in range(rng.randint(1, 3)):
                    hour = rng.uniform(8, 21)
                    shoot(day + timedelta(hours=hour - where[4] / 60), where, rng.randint(3, 15))
                day += timedelta(days=1)
            next_trip = day + timedelta(days=rng.randint(45, 150))
            continue
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 2)):
                hour = rng.uniform(7, 22)
                shoot(day + timedelta(hours=hour), HOME, rng.randint(1, 8))
        day += timedelta(days=1)
    return shots[:photos]


def inputs_for(user: str, photos: int, seed: int = 0) -> list[CurationInput]:
    """Metadata and scores for a library, plus corrections, deletions and a few ticks."""
    rng = random.Random(seed + 1)
    shots = library(user, photos, seed)
    out: list[CurationInput] = []
    for shot in shots:
        out.append(metadata(user, shot))
        out.append(vision(user, shot))
        if rng.random() < 0.01:
            out.append(metadata(user, shot, version="metadata-2", shift=timedelta(days=1)))
        if rng.random() < 0.02:
            out.append(deletion(user, shot.pid, shot.when + timedelta(days=30)))
    last = shots[-1].when.date()
    out.extend(OnThisDayTick(user, last + timedelta(days=d)) for d in range(3))
    return out
