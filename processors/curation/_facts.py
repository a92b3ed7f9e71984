"""What curation keeps of one photo: the winning metadata and vision facts, compactly.

A photo's facts come from at most one ``MetadataExtracted`` and one
``VisionScored`` each: the *winner* by version, compared naturally (so
``metadata-10`` beats ``metadata-9``), then by event id. Winning by precedence
instead of by arrival is what makes the end state independent of order, and
what makes a replayed old event a no-op rather than a revert.

Memory per photo is kept small on purpose (a slotted object, event ids as 16
bytes, the sha256 as its first 64 bits, coordinates rounded to ~11 m,
repeated values shared); ``BENCHMARKS.md`` has the measured numbers.
"""

from __future__ import annotations

import functools
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from schemas import MetadataExtracted, TimeSource, TzSource, VisionScored

from ..errors import BadInput

__all__ = ["DAY_US", "EPOCH", "Photo", "day_of", "from_metadata", "from_vision", "version_key"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = EPOCH.replace(tzinfo=None)
_EPOCH_ORDINAL = EPOCH.date().toordinal()
_US = timedelta(microseconds=1)
DAY_US = 86_400_000_000
_DIGITS = re.compile(r"(\d+)")
_T = TypeVar("_T")

_SLOTS = (
    "pid",
    "mver",
    "meid",
    "t",
    "delta",
    "off",
    "ts",
    "tz",
    "make",
    "model",
    "ow",
    "oh",
    "lat",
    "lon",
    "city",
    "cc",
    "sha",
    "day",
    "vver",
    "veid",
    "q",
    "nsfw",
    "phash",
)


class Photo:
    """One photo's facts; never mutated once built (changes build a new one).

    ``t`` is the UTC capture instant in microseconds since the epoch and
    ``delta`` the local wall clock minus it; ``day`` is the local day's
    ordinal. A photo with no winning metadata (or one without a time) has
    ``t is None`` and is not on the timeline.
    """

    __slots__ = _SLOTS

    pid: str
    mver: str | None
    meid: bytes | None
    t: int | None
    delta: int
    off: int | None
    ts: TimeSource
    tz: TzSource
    make: str | None
    model: str | None
    ow: int
    oh: int
    lat: float | None
    lon: float | None
    city: str | None
    cc: str | None
    sha: int | None
    day: int
    vver: str | None
    veid: bytes | None
    q: float | None
    nsfw: float | None
    phash: int | None

    def __init__(self, pid: str) -> None:
        self.pid = pid
        self.mver = self.meid = self.t = self.off = None
        self.delta = self.ow = self.oh = self.day = 0
        self.ts, self.tz = TimeSource.UNKNOWN, TzSource.UNKNOWN
        self.make = self.model = self.city = self.cc = None
        self.lat = self.lon = None
        self.sha = None
        self.vver = self.veid = None
        self.q = self.nsfw = None
        self.phash = None

    def copy(self) -> Photo:
        new = Photo.__new__(Photo)
        for name in _SLOTS:
            setattr(new, name, getattr(self, name))
        return new

    @property
    def live(self) -> bool:
        """On the timeline: it has a capture time."""
        return self.t is not None

    @property
    def pixels(self) -> int:
        return self.ow * self.oh

    def to_list(self) -> list[Any]:
        """A JSON-able list, the inverse of :meth:`from_list`."""
        out: list[Any] = []
        for name in _SLOTS:
            value = getattr(self, name)
            if isinstance(value, bytes):
                value = value.hex()
            elif name in ("ts", "tz"):
                value = str(value)
            elif name in ("sha", "phash") and value is not None:
                value = format(value, "x")
            out.append(value)
        return out

    @classmethod
    def from_list(cls, data: list[Any]) -> Photo:
        new = cls.__new__(cls)
        for name, value in zip(_SLOTS, data, strict=True):
            if name in ("meid", "veid") and value is not None:
                value = bytes.fromhex(value)
            elif name == "ts":
                value = TimeSource(value)
            elif name == "tz":
                value = TzSource(value)
            elif name in ("sha", "phash") and value is not None:
                value = int(value, 16)
            elif name in _SHARED_FIELDS:
                value = share(value)
            setattr(new, name, value)
        return new


@functools.lru_cache(maxsize=256)
def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Orders versions naturally: digit runs compare as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(version))


def day_of(local_us: int) -> int:
    """Ordinal of the day that a local wall-clock time (µs since the epoch) falls on."""
    return _EPOCH_ORDINAL + local_us // DAY_US


def _event_bytes(event_id: str) -> bytes:
    try:
        return uuid.UUID(event_id).bytes
    except ValueError as exc:
        raise BadInput(f"event id {event_id!r} is not a UUID", reason="invalid_event") from exc


def _hex_int(value: str | None, what: str, digits: int | None = None) -> int | None:
    if value is None:
        return None
    try:
        return int(value[:digits] if digits else value, 16)
    except ValueError as exc:
        raise BadInput(f"{what} {value!r} is not hex", reason="invalid_event") from exc


_SHARED_FIELDS = frozenset(
    ("mver", "delta", "off", "make", "model", "ow", "oh", "city", "cc", "day", "vver")
)
_SHARED: dict[object, object] = {}
_SHARED_MAX = 65_536


def share(value: _T) -> _T:
    """One object per equal value for what repeats across photos (camera, city, dimensions).

    Bounded: past ``_SHARED_MAX`` distinct values new ones are simply not shared.
    """
    if value is None or isinstance(value, bool | float):
        return value
    found = _SHARED.get(value)
    if found is None:
        if len(_SHARED) < _SHARED_MAX:
            _SHARED[value] = value
        return value
    return cast(_T, found)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def from_metadata(old: Photo | None, event: MetadataExtracted) -> Photo | None:
    """``old`` with ``event``'s metadata if it wins over what ``old`` has, else None."""
    meid = _event_bytes(event.event_id)
    if (
        old is not None
        and old.mver is not None
        and old.meid is not None
        and (version_key(event.extractor_version), meid) <= (version_key(old.mver), old.meid)
    ):
        return None
    new = old.copy() if old is not None else Photo(event.photo_id)
    new.mver, new.meid = share(event.extractor_version), meid
    new.t, new.delta, new.day = None, 0, 0
    utc, local = event.capture_time_utc, event.capture_local
    if utc is not None and local is not None:
        try:
            local_us = (datetime.fromisoformat(local) - _EPOCH_NAIVE) // _US
        except (ValueError, TypeError) as exc:
            raise BadInput(f"capture_local {local!r} is malformed", reason="invalid_event") from exc
        new.t = (utc - EPOCH) // _US
        new.delta = share(local_us - new.t)
        new.day = share(day_of(local_us))
    new.off, new.ts, new.tz = share(event.utc_offset_minutes), event.time_source, event.tz_source
    new.make, new.model = share(event.make), share(event.model)
    new.ow, new.oh = share(event.oriented_width), share(event.oriented_height)
    if event.gps_latitude is None or event.gps_longitude is None:
        new.lat = new.lon = None
    else:
        new.lat, new.lon = _round(event.gps_latitude), _round(event.gps_longitude)
    new.city, new.cc = share(event.place_city), share(event.place_country_code)
    new.sha = _hex_int(event.sha256, "sha256", 16)
    return new


def from_vision(old: Photo | None, event: VisionScored) -> Photo | None:
    """``old`` with ``event``'s scores if it wins over what ``old`` has, else None."""
    veid = _event_bytes(event.event_id)
    if (
        old is not None
        and old.vver is not None
        and old.veid is not None
        and (version_key(event.model_version), veid) <= (version_key(old.vver), old.veid)
    ):
        return None
    phash = _hex_int(event.phash, "phash")
    new = old.copy() if old is not None else Photo(event.photo_id)
    new.vver, new.veid = share(event.model_version), veid
    new.q, new.nsfw, new.phash = event.quality, event.nsfw_probability, phash
    return new
