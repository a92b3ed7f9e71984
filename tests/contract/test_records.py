"""Dataclasses and schemas agree field for field; conversions to and from Avro dicts."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest

from schemas import (
    EVENT_TYPES,
    AlbumChange,
    AlbumKind,
    ImageEmbedding,
    InvalidEvent,
    MediaType,
    MetadataExtracted,
    ModelScore,
    PhotoUploaded,
    Record,
    TimeSource,
    TzSource,
    current_schema,
    event_type,
)
from schemas._expand import expand

ENUMS = {e.__name__: e for e in (MediaType, TimeSource, TzSource, AlbumKind, AlbumChange)}


def _record_schemas() -> list[tuple[type[Record], dict[str, Any]]]:
    """Every record schema (events and nested records) with its class."""
    pairs: list[tuple[type[Record], dict[str, Any]]] = []
    for cls in EVENT_TYPES:
        schema = expand(current_schema(cls).schema)
        pairs.append((cls, schema))
        if cls.__name__ == "VisionScored":
            scores = next(f for f in schema["fields"] if f["name"] == "scores")
            pairs.append((ModelScore, scores["type"]["items"]))
            embedding = next(f for f in schema["fields"] if f["name"] == "embedding")
            pairs.append((ImageEmbedding, embedding["type"][1]))
    return pairs


PAIRS = _record_schemas()


def _is_optional(hint: Any) -> bool:
    origin = typing.get_origin(hint)
    is_union = isinstance(hint, types.UnionType) or origin is typing.Union
    return is_union and type(None) in typing.get_args(hint)


@pytest.mark.parametrize(("cls", "schema"), PAIRS, ids=lambda p: getattr(p, "__name__", ""))
def test_fields_agree_in_name_order_and_optionality(
    cls: type[Record], schema: dict[str, Any]
) -> None:
    assert cls.schema_name == schema["name"]
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    assert [f.name for f in fields] == [f["name"] for f in schema["fields"]]
    hints = typing.get_type_hints(cls)
    for field, avro in zip(fields, schema["fields"], strict=True):
        avro_optional = isinstance(avro["type"], list) and "null" in avro["type"]
        assert _is_optional(hints[field.name]) == avro_optional, field.name
        if avro_optional:
            assert field.default is None, field.name


@pytest.mark.parametrize(("cls", "schema"), PAIRS, ids=lambda p: getattr(p, "__name__", ""))
def test_defaults_agree(cls: type[Record], schema: dict[str, Any]) -> None:
    for field, avro in zip(dataclasses.fields(cls), schema["fields"], strict=True):  # type: ignore[arg-type]
        if "default" not in avro:
            assert field.default is dataclasses.MISSING, field.name
            assert field.default_factory is dataclasses.MISSING, field.name
        else:
            default = field.default
            avro_default = avro["default"]
            # Avro arrays default to JSON lists; the records hold tuples.
            assert (list(default) if isinstance(default, tuple) else default) == avro_default


@pytest.mark.parametrize(("cls", "schema"), PAIRS, ids=lambda p: getattr(p, "__name__", ""))
def test_python_types_fit_avro_types(cls: type[Record], schema: dict[str, Any]) -> None:
    hints = typing.get_type_hints(cls)
    for avro in schema["fields"]:
        hint = hints[avro["name"]]
        type_ = avro["type"][1] if isinstance(avro["type"], list) else avro["type"]
        if _is_optional(hint):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        if isinstance(type_, dict) and type_.get("type") == "enum":
            enum_cls = ENUMS[type_["name"].rpartition(".")[2]]
            assert hint is enum_cls
            assert [m.value for m in enum_cls] == type_["symbols"]
        elif isinstance(type_, dict) and type_.get("logicalType") == "timestamp-micros":
            assert hint is datetime
        elif isinstance(type_, dict) and type_.get("logicalType") == "uuid":
            assert hint is str
        elif isinstance(type_, dict) and type_.get("type") == "record":
            assert issubclass(hint, Record) and hint.schema_name == type_["name"], avro["name"]
        else:
            key = type_ if isinstance(type_, str) else type_["type"]
            expected = {
                "string": str,
                "int": int,
                "long": int,
                "double": float,
                "boolean": bool,
                "bytes": bytes,
                "array": tuple,
                "map": Mapping,
            }[key]
            assert (typing.get_origin(hint) or hint) is expected, avro["name"]


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_records_are_frozen_slotted_and_keyword_only(
    cls: type[Record], samples: dict[type[Record], Record]
) -> None:
    record = samples[cls]
    assert not hasattr(record, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.user_id = "someone-else"  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        cls("positional")  # type: ignore[call-arg]


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_event_type_finds_the_class_by_schema_name(cls: type[Record]) -> None:
    assert event_type(cls.schema_name) is cls


def test_event_type_rejects_other_names() -> None:
    with pytest.raises(KeyError):
        event_type(ModelScore.schema_name)


def test_enum_python_values_are_the_avro_symbols() -> None:
    for enum_cls in ENUMS.values():
        assert issubclass(enum_cls, enum.StrEnum)
        assert next(iter(enum_cls)).value == "UNKNOWN"


def test_avro_dict_holds_symbols_and_plain_containers(
    samples: dict[type[Record], Record],
) -> None:
    data = samples[MetadataExtracted].to_avro_dict()
    assert type(data["media_type"]) is str and data["media_type"] == "PHOTO"
    scored = next(r for r in samples.values() if r.schema_name.endswith("VisionScored"))
    scores = scored.to_avro_dict()["scores"]
    assert isinstance(scores, list) and isinstance(scores[0], dict)
    assert scores[0]["values"] == {"score": 0.82, "sharpness": 0.61}


def test_unknown_enum_symbol_from_a_dict_becomes_unknown(
    samples: dict[type[Record], Record],
) -> None:
    data = samples[MetadataExtracted].to_avro_dict()
    data["time_source"] = "SATELLITE_CLOCK"
    record = MetadataExtracted.from_avro_dict(data)
    assert record.time_source is TimeSource.UNKNOWN
    assert record.media_type is MediaType.PHOTO


def test_missing_required_field_names_it(samples: dict[type[Record], Record]) -> None:
    data = samples[PhotoUploaded].to_avro_dict()
    del data["sha256"]
    with pytest.raises(InvalidEvent) as caught:
        PhotoUploaded.from_avro_dict(data)
    assert caught.value.field == "sha256"


def test_missing_optional_field_takes_default_and_extra_keys_are_ignored(
    samples: dict[type[Record], Record],
) -> None:
    data = samples[PhotoUploaded].to_avro_dict()
    del data["client_timezone"]
    data["added_by_a_newer_writer"] = 1
    record = PhotoUploaded.from_avro_dict(data)
    assert record.client_timezone is None
    assert record.sha256 == data["sha256"]


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_dict_round_trip(cls: type[Record], samples: dict[type[Record], Record]) -> None:
    assert cls.from_avro_dict(samples[cls].to_avro_dict()) == samples[cls]
