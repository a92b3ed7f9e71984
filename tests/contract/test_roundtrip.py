"""Any valid record survives encoding: property tests over generated records."""

from __future__ import annotations

import enum
import io
import json
import types
import typing
from datetime import UTC, datetime, timedelta
from typing import Any

import fastavro
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import (
    EVENT_TYPES,
    AlbumChange,
    AlbumUpdated,
    Codec,
    ImageEmbedding,
    LocalSchemaRegistry,
    MetadataExtracted,
    ModelScore,
    Record,
    TimelineItemRemoved,
    TimelineItemUpserted,
    current_schema,
    to_json,
    topic_of,
    validate,
)

_text = st.text(min_size=1, max_size=40).filter(str.strip)
_hex = st.text("0123456789abcdef", min_size=1, max_size=32)
_instants = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
_finite = st.floats(allow_nan=False, allow_infinity=False)
_non_negative = st.floats(min_value=0, max_value=1e9, allow_nan=False)
_int32 = st.integers(-(2**31), 2**31 - 1)
_dims = st.integers(0, 100_000)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


_COMMON: dict[str, st.SearchStrategy[Any]] = {
    "event_id": st.uuids().map(str),
    "source_event_id": st.uuids().map(str),
    "user_id": _text,
    "photo_id": _text,
    "album_id": _text,
    "bucket": _text,
    "key": _text,
    "size": st.integers(0, 2**63 - 1),
    "content_type": st.text(max_size=40),
    "sha256": st.text("0123456789abcdef", min_size=64, max_size=64),
    "filename": st.text(max_size=60),
    "client_timezone": _opt(
        st.sampled_from(["Europe/Paris", "America/Argentina/Buenos_Aires", "UTC", "+05:30"])
    ),
    "mime_type": _opt(st.text(max_size=30)),
    "gps_latitude": _opt(st.floats(-90, 90)),
    "gps_longitude": _opt(st.floats(-180, 180)),
    "gps_altitude": _opt(_finite),
    "place_country_code": _opt(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)),
    "iso": _opt(st.integers(0, 2**31 - 1)),
    "exposure_time_s": _opt(_non_negative),
    "f_number": _opt(_non_negative),
    "focal_length_mm": _opt(_non_negative),
    "focal_length_35mm": _opt(_non_negative),
    "video_duration_s": _opt(_non_negative),
    "orientation": st.integers(1, 8),
    "width": _dims,
    "height": _dims,
    "oriented_width": _dims,
    "oriented_height": _dims,
    "model_version": _text,
    "extractor_version": _text,
    "sort_key": _text,
    "phash": _opt(_hex),
    "dhash": _opt(_hex),
    "face_count": _opt(st.integers(0, 1000)),
    "nsfw_probability": _opt(st.floats(0, 1)),
    "quality": _opt(_finite),
    "utc_offset_minutes": _opt(st.integers(-18 * 60, 18 * 60)),
}

_embeddings = st.builds(
    ImageEmbedding,
    model=_text,
    version=_text,
    scale=st.floats(min_value=1e-9, max_value=1e3),
    vector=st.binary(min_size=1, max_size=1280),
)
_COMMON["embedding"] = _opt(_embeddings)

_scores = st.builds(
    ModelScore,
    model=_text,
    version=_text,
    error=_opt(st.text(max_size=40)),
    values=st.dictionaries(st.text(max_size=20), _finite, max_size=5),
    labels=st.lists(st.text(max_size=20), max_size=5).map(tuple),
)


def _local(instant: datetime, offset: int | None) -> str:
    wall = instant + timedelta(minutes=offset or 0)
    return wall.replace(tzinfo=None).isoformat(timespec="microseconds")


def _metadata_capture() -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        if draw(st.booleans()):
            return {"capture_time_utc": None, "capture_local": None}
        instant = draw(_instants)
        offset = draw(_COMMON["utc_offset_minutes"])
        return {
            "capture_time_utc": instant,
            "capture_local": _local(instant, offset),
            "utc_offset_minutes": offset,
        }

    return build()


@st.composite
def _timeline_upsert_fields(draw: st.DrawFn) -> dict[str, Any]:
    instant = draw(_instants)
    offset = draw(_COMMON["utc_offset_minutes"])
    local = _local(instant, offset)
    fields = {
        "capture_time_utc": instant,
        "capture_local": local,
        "utc_offset_minutes": offset,
        "local_day": local[:10],
        "month_bucket": local[:7],
    }
    moved = draw(_opt(_instants))
    day = moved.date().isoformat() if moved else None
    fields |= {"previous_local_day": day, "previous_month_bucket": day and day[:7]}
    return fields


@st.composite
def _timeline_remove_fields(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"local_day": None, "month_bucket": None}
    day = draw(_instants).date().isoformat()
    return {"local_day": day, "month_bucket": day[:7]}


@st.composite
def _album_fields(draw: st.DrawFn) -> dict[str, Any]:
    change = draw(st.sampled_from(AlbumChange))
    return {
        "change": change,
        "photo_id": draw(_text) if change.name.startswith("PHOTO_") else draw(_opt(_text)),
        "title": draw(_text) if change is AlbumChange.RETITLED else draw(_opt(_text)),
        "cover_photo_id": draw(_text) if change is AlbumChange.COVER_CHANGED else draw(_opt(_text)),
    }


_FIXED: dict[type[Record], st.SearchStrategy[dict[str, Any]]] = {
    MetadataExtracted: _metadata_capture(),
    TimelineItemUpserted: _timeline_upsert_fields(),
    TimelineItemRemoved: _timeline_remove_fields(),
    AlbumUpdated: _album_fields(),
}


def _by_type(hint: Any) -> st.SearchStrategy[Any]:
    if isinstance(hint, types.UnionType):
        (inner,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        return _opt(_by_type(inner))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(hint)
    strategies: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=30),
        bool: st.booleans(),
        datetime: _instants,
    }
    return strategies[hint]


def records(cls: type[Record]) -> st.SearchStrategy[Record]:
    """Valid records of ``cls``: field strategies by name, else by type."""
    hints = typing.get_type_hints(cls)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, hint in hints.items():
        if name == "schema_name":
            continue
        if name in _COMMON:
            fields[name] = _COMMON[name]
        elif name == "scores":
            fields[name] = st.lists(_scores, max_size=3).map(tuple)
        else:
            fields[name] = _by_type(hint)
    fixed = _FIXED.get(cls, st.just({}))
    return st.tuples(st.fixed_dictionaries(fields), fixed).map(
        lambda parts: cls(**{**parts[0], **parts[1]})
    )


ANY_RECORD = st.one_of([records(cls) for cls in EVENT_TYPES])
_CODEC = Codec(LocalSchemaRegistry())


@settings(max_examples=300, deadline=None, database=None)
@given(ANY_RECORD)
def test_generated_records_are_valid(record: Record) -> None:
    validate(record)


@settings(max_examples=300, deadline=None, database=None)
@given(ANY_RECORD)
def test_codec_round_trip(record: Record) -> None:
    framed = _CODEC.encode(topic_of(type(record)), record)
    assert _CODEC.decode(framed) == record


@settings(max_examples=200, deadline=None, database=None)
@given(ANY_RECORD)
def test_plain_fastavro_with_the_shipped_schema_round_trips_the_avro_dict(record: Record) -> None:
    # What a consumer holding only the .avsc file sees.
    schema = fastavro.parse_schema(json.loads(current_schema(type(record)).text))
    out = io.BytesIO()
    fastavro.schemaless_writer(out, schema, record.to_avro_dict())
    out.seek(0)
    datum: Any = fastavro.schemaless_reader(out, schema, None)
    assert type(record).from_avro_dict(datum) == record


@settings(max_examples=100, deadline=None, database=None)
@given(ANY_RECORD)
def test_json_view_has_every_field_as_plain_json(record: Record) -> None:
    data = orjson.loads(to_json(record))
    assert list(data) == list(record.to_avro_dict())
    for name, value in record.to_avro_dict().items():
        if isinstance(value, datetime):
            assert datetime.fromisoformat(data[name]) == value
        elif isinstance(value, str):
            assert data[name] == value


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_strategies_reach_every_optional_value(cls: type[Record]) -> None:
    # The properties above are only as good as the records they see: every
    # optional field must be drawn both empty and set.
    seen: dict[str, set[bool]] = {}

    @settings(max_examples=150, deadline=None, database=None)
    @given(records(cls))
    def collect(record: Record) -> None:
        for name, value in record.to_avro_dict().items():
            seen.setdefault(name, set()).add(value is None)

    collect()
    hints = typing.get_type_hints(cls)
    for name, kinds in seen.items():
        optional = isinstance(hints[name], types.UnionType)
        assert kinds == ({True, False} if optional else {False}), name
