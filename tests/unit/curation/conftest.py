"""Builders of curation inputs, as fixtures (test modules import nothing from here)."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from processors.curation import (
    AlbumView,
    CurationInput,
    CurationSettings,
    OnThisDayTick,
    UserState,
    apply,
    materialise,
)
from schemas import (
    AlbumKind,
    MediaType,
    MetadataExtracted,
    PhotoDeleted,
    Record,
    TimeSource,
    TzSource,
    VisionScored,
    validate,
)

USER = "alice"
Place = tuple[str, str, float, float]


def _id(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(map(str, parts))))


def _instant(when: str | datetime) -> datetime:
    if isinstance(when, datetime):
        return when
    return datetime.fromisoformat(when).replace(tzinfo=UTC)


class Maker:
    """Inputs as the upstream stages would produce them (``when`` is UTC), and what they lead to."""

    LISBON: Place = ("Lisbon", "PT", 38.72, -9.14)
    SINTRA: Place = ("Sintra", "PT", 38.80, -9.38)
    PORTO: Place = ("Porto", "PT", 41.15, -8.61)
    MADRID: Place = ("Madrid", "ES", 40.42, -3.70)
    TOKYO: Place = ("Tokyo", "JP", 35.68, 139.69)

    #: Where the album scenes start.
    MAY = datetime(2024, 5, 1, tzinfo=UTC)
    #: The days after ``MAY`` spent at home; trips in the scenes are days 9-15.
    HOME_DAYS = tuple(d for d in range(0, 29, 2) if not 8 <= d <= 16)

    def meta(
        self,
        pid: str,
        when: str | datetime,
        *,
        place: Place | None = None,
        offset: int | None = 0,
        version: str = "metadata-1",
        sha: str | None = None,
        size: tuple[int, int] = (4000, 3000),
        user: str = USER,
    ) -> MetadataExtracted:
        instant = _instant(when)
        local = (instant + timedelta(minutes=offset or 0)).replace(tzinfo=None)
        city, cc, lat, lon = place if place else (None, None, None, None)
        return MetadataExtracted(
            event_id=_id("meta", user, pid, version, instant),
            source_event_id=_id("upload", user, pid),
            user_id=user,
            photo_id=pid,
            bucket="photos",
            key=f"users/{user}/{pid}",
            sha256=sha or uuid.uuid5(uuid.NAMESPACE_URL, pid).hex * 2,
            filename=f"{pid}.jpg",
            media_type=MediaType.PHOTO,
            capture_time_utc=instant,
            capture_local=local.isoformat(),
            utc_offset_minutes=offset,
            time_source=TimeSource.EXIF_ORIGINAL,
            tz_source=TzSource.EXIF_OFFSET if offset is not None else TzSource.UNKNOWN,
            gps_latitude=lat,
            gps_longitude=lon,
            place_city=city,
            place_country_code=cc,
            make="Canon",
            model="EOS R5",
            width=size[0],
            height=size[1],
            oriented_width=size[0],
            oriented_height=size[1],
            extractor_version=version,
        )

    def score(
        self,
        pid: str,
        quality: float | None,
        *,
        phash: int | None = None,
        nsfw: float = 0.0,
        version: str = "vision-1",
        user: str = USER,
    ) -> VisionScored:
        return VisionScored(
            event_id=_id("vision", user, pid, version, quality, phash, nsfw),
            source_event_id=_id("request", user, pid),
            user_id=user,
            photo_id=pid,
            model_version=version,
            scores=(),
            phash=None if phash is None else format(phash, "016x"),
            quality=quality,
            nsfw_probability=nsfw,
        )

    def delete(self, pid: str, user: str = USER) -> PhotoDeleted:
        return PhotoDeleted(
            event_id=_id("delete", user, pid),
            user_id=user,
            photo_id=pid,
            deleted_at=datetime(2030, 1, 1, tzinfo=UTC),
        )

    def tick(self, day: date | str, user: str = USER) -> OnThisDayTick:
        return OnThisDayTick(user, day if isinstance(day, date) else date.fromisoformat(day))

    def at_home(self, days: Iterable[int] = HOME_DAYS) -> list[MetadataExtracted]:
        """Everyday life in Lisbon: one photo on each of ``days`` (days after ``MAY``)."""
        return [
            self.meta(f"home{d}", self.MAY + timedelta(days=d, hours=18), place=self.LISBON)
            for d in days
        ]

    def shots(
        self, prefix: str, start: datetime, count: int, step: timedelta, **kw: Any
    ) -> list[MetadataExtracted]:
        """``count`` photos ``step`` apart from ``start``, named ``prefix0``, ``prefix1``, ..."""
        return [self.meta(f"{prefix}{i}", start + i * step, **kw) for i in range(count)]

    def albums(
        self, inputs: Iterable[CurationInput], kind: AlbumKind, **settings: Any
    ) -> list[AlbumView]:
        """The albums of ``kind`` that ``inputs`` end in, by title."""
        view = materialise(inputs, CurationSettings(**settings))
        albums = (a for a in view.albums.values() if a.kind is kind)
        return sorted(albums, key=lambda a: a.title or "")

    def run(
        self,
        inputs: Iterable[CurationInput],
        settings: CurationSettings | None = None,
        state: UserState | None = None,
    ) -> tuple[UserState, list[Record]]:
        """Apply ``inputs`` in order; every output is checked against its schema."""
        settings = settings or CurationSettings()
        state = state or UserState.new(USER, settings)
        outputs: list[Record] = []
        for event in inputs:
            state, out = apply(state, event, settings)
            for record in out:
                validate(record)
            outputs += out
        return state, outputs


@pytest.fixture(scope="session")
def make() -> Maker:
    return Maker()


@pytest.fixture(scope="session")
def synthetic() -> ModuleType:
    """The synthetic library generator (``synthetic.py`` beside this file)."""
    path = Path(__file__).with_name("synthetic.py")
    spec = importlib.util.spec_from_file_location("curation_synthetic", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
