"""Confluent framing, schema resolution on read, and hostile bytes."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import json
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import (
    EVENT_TYPES,
    BadMagicByte,
    Codec,
    CorruptBody,
    FrameTooShort,
    InvalidEvent,
    LocalSchemaRegistry,
    MetadataExtracted,
    ModelScore,
    PhotoUploaded,
    Record,
    RegistryUnavailable,
    SchemaNotFound,
    TimelineItemRemoved,
    TimelineItemUpserted,
    TimeSource,
    UndecodableEvent,
    UnknownSchemaId,
    UnsupportedSchema,
    current_schema,
    topic_of,
    topic_record_subject,
)
from schemas.manifest import SCHEMA_IDS


class RecordingRegistry:
    """A registry that counts calls, or fails them like a registry that is down."""

    def __init__(self, *, down: bool = False) -> None:
        self.inner = LocalSchemaRegistry()
        self.down = down
        self.registered: list[str] = []
        self.lookups: list[int] = []

    def register(self, subject: str, schema: str) -> int:
        self.registered.append(subject)
        return self.inner.register(subject, schema)

    def schema_by_id(self, schema_id: int) -> str:
        self.lookups.append(schema_id)
        if self.down:
            raise RegistryUnavailable("connection refused")
        return self.inner.schema_by_id(schema_id)


def _frame(schema_id: int, body: bytes) -> bytes:
    return b"\x00" + schema_id.to_bytes(4, "big") + body


def _avro_body(schema: dict[str, Any], datum: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), datum)
    return out.getvalue()


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_frame_is_magic_byte_schema_id_and_plain_avro_body(
    cls: type[Record], samples: dict[type[Record], Record], registry: LocalSchemaRegistry
) -> None:
    record = samples[cls]
    topic = topic_of(cls)
    framed = Codec(registry).encode(topic, record)
    schema_id = registry.register(f"{topic}-value", current_schema(cls).text)
    expected_body = _avro_body(current_schema(cls).schema, record.to_avro_dict())
    assert framed == b"\x00" + schema_id.to_bytes(4, "big") + expected_body
    assert schema_id == SCHEMA_IDS[current_schema(cls).filename][0]


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_a_consumer_with_only_the_registry_reads_the_frame(
    cls: type[Record], samples: dict[type[Record], Record], registry: LocalSchemaRegistry
) -> None:
    framed = Codec(registry).encode(topic_of(cls), samples[cls])
    writer = json.loads(registry.schema_by_id(int.from_bytes(framed[1:5], "big")))
    datum: Any = fastavro.schemaless_reader(io.BytesIO(framed[5:]), writer, None)
    assert cls.from_avro_dict(datum) == samples[cls]


def test_two_processes_agree_on_ids(samples: dict[type[Record], Record]) -> None:
    writer_side, reader_side = Codec(LocalSchemaRegistry()), Codec(LocalSchemaRegistry())
    for record in samples.values():
        assert reader_side.decode(writer_side.encode(topic_of(type(record)), record)) == record


def test_subjects_are_topic_value_and_ids_are_cached(
    samples: dict[type[Record], Record],
) -> None:
    registry = RecordingRegistry()
    codec = Codec(registry)
    for _ in range(3):
        framed = codec.encode("photos.timeline", samples[TimelineItemUpserted])
        codec.encode("photos.timeline", samples[TimelineItemRemoved])
        codec.decode(framed)
    assert registry.registered == ["photos.timeline-value", "photos.timeline-value"]
    assert len(registry.lookups) == 1


def test_subject_strategy_is_pluggable(samples: dict[type[Record], Record]) -> None:
    registry = RecordingRegistry()
    Codec(registry, subject_strategy=topic_record_subject).encode(
        "dev.photos.uploaded", samples[PhotoUploaded]
    )
    assert registry.registered == ["dev.photos.uploaded-io.photostream.events.PhotoUploaded"]


def test_bytes_like_input_is_accepted(
    samples: dict[type[Record], Record], registry: LocalSchemaRegistry
) -> None:
    codec = Codec(registry)
    framed = codec.encode("photos.uploaded", samples[PhotoUploaded])
    assert codec.decode(bytearray(framed)) == samples[PhotoUploaded]
    assert codec.decode(memoryview(framed)) == samples[PhotoUploaded]


# -- encoding refuses what breaks the contract ---------------------------------


def test_encode_validates_and_names_the_field(
    samples: dict[type[Record], Record], registry: LocalSchemaRegistry
) -> None:
    bad = dataclasses.replace(samples[PhotoUploaded], size=-1)  # type: ignore[type-var]
    with pytest.raises(InvalidEvent) as caught:
        Codec(registry).encode("photos.uploaded", bad)
    assert caught.value.field == "size"


def test_encode_without_validation_still_names_a_field_avro_cannot_write(
    samples: dict[type[Record], Record], registry: LocalSchemaRegistry
) -> None:
    bad = dataclasses.replace(samples[PhotoUploaded], size="big")  # type: ignore[type-var]
    with pytest.raises(InvalidEvent) as caught:
        Codec(registry, validate_on_encode=False).encode("photos.uploaded", bad)
    assert caught.value.field == "size"


def test_encode_refuses_a_nested_record(registry: LocalSchemaRegistry) -> None:
    with pytest.raises(TypeError):
        Codec(registry).encode(
            "photos.vision.scored", ModelScore(model="m", version="1", values={})
        )


# -- schema evolution on read ---------------------------------------------------


def _newer_metadata_schema() -> dict[str, Any]:
    schema = copy.deepcopy(current_schema(MetadataExtracted).schema)
    for field in schema["fields"]:
        if field["name"] == "time_source":
            field["type"]["symbols"].append("SATELLITE_CLOCK")
    schema["fields"].append(
        {"name": "burst_id", "type": ["null", "string"], "default": None, "doc": "new"}
    )
    return schema


def test_newer_writer_decodes_into_current_record_with_unknown_symbol(
    samples: dict[type[Record], Record], registry: LocalSchemaRegistry
) -> None:
    newer = _newer_metadata_schema()
    schema_id = registry.register("photos.metadata-value", json.dumps(newer))
    datum = samples[MetadataExtracted].to_avro_dict()
    datum |= {"time_source": "SATELLITE_CLOCK", "burst_id": "b-1"}
    record = Codec(registry).decode(_frame(schema_id, _avro_body(newer, datum)))
    assert isinstance(record, MetadataExtracted)
    assert record.time_source is TimeSource.UNKNOWN
    assert (
        dataclasses.replace(record, time_source=TimeSource.EXIF_ORIGINAL)
        == (samples[MetadataExtracted])
    )


def test_older_writer_without_an_optional_field_decodes_with_its_default(
    samples: dict[type[Record], Record], registry: LocalSchemaRegistry
) -> None:
    older = current_schema(PhotoUploaded).schema
    older["fields"] = [f for f in older["fields"] if f["name"] != "client_timezone"]
    schema_id = registry.register("photos.uploaded-value", json.dumps(older))
    datum = samples[PhotoUploaded].to_avro_dict()
    del datum["client_timezone"]
    record = Codec(registry).decode(_frame(schema_id, _avro_body(older, datum)))
    assert record == dataclasses.replace(samples[PhotoUploaded], client_timezone=None)  # type: ignore[type-var]


def test_writer_that_does_not_resolve_is_unsupported(samples: dict[type[Record], Record]) -> None:
    broken = current_schema(PhotoUploaded).schema
    for field in broken["fields"]:
        if field["name"] == "size":
            field["type"] = "string"
    registry = LocalSchemaRegistry()
    schema_id = registry.register("elsewhere-value", json.dumps(broken))
    datum = samples[PhotoUploaded].to_avro_dict() | {"size": "big"}
    with pytest.raises(UnsupportedSchema, match="size"):
        Codec(registry).decode(_frame(schema_id, _avro_body(broken, datum)))


def test_writer_that_is_not_a_photostream_event_is_unsupported(
    registry: LocalSchemaRegistry,
) -> None:
    schema_id = registry.register("strings-value", '"string"')
    with pytest.raises(UnsupportedSchema):
        Codec(registry).decode(_frame(schema_id, b"\x02hi"))
    other = {"type": "record", "name": "com.example.Other", "fields": []}
    schema_id = registry.register("other-value", json.dumps(other))
    with pytest.raises(UnsupportedSchema):
        Codec(registry).decode(_frame(schema_id, b""))


# -- hostile bytes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", FrameTooShort),
        (b"\x00", FrameTooShort),
        (b"\x00\x00\x00\x01", FrameTooShort),
        (b"\x01\x00\x00\x00\x01rest", BadMagicByte),
        (b'{"json": true}', BadMagicByte),
        (_frame(2**31 - 1, b"\x00"), UnknownSchemaId),
        (_frame(0, b""), UnknownSchemaId),
        (_frame(1, b""), CorruptBody),
        (_frame(1, b"\xff" * 64), CorruptBody),
    ],
    ids=repr,
)
def test_hostile_bytes_raise_undecodable_event(
    data: bytes, error: type[UndecodableEvent], registry: LocalSchemaRegistry
) -> None:
    with pytest.raises(error) as caught:
        Codec(registry).decode(data)
    assert isinstance(caught.value, UndecodableEvent)
    assert caught.value.reason


def test_every_truncation_of_a_valid_frame_is_undecodable(
    registry: LocalSchemaRegistry, samples: dict[type[Record], Record]
) -> None:
    codec = Codec(registry)
    framed = codec.encode("photos.metadata", samples[MetadataExtracted])
    for cut in range(len(framed)):
        with pytest.raises(UndecodableEvent):
            codec.decode(framed[:cut])


def test_stray_bytes_after_the_record_are_corrupt(
    registry: LocalSchemaRegistry, samples: dict[type[Record], Record]
) -> None:
    codec = Codec(registry)
    framed = codec.encode("photos.uploaded", samples[PhotoUploaded])
    with pytest.raises(CorruptBody):
        codec.decode(framed + b"\x00")


_CODEC = Codec(LocalSchemaRegistry())


@settings(max_examples=500, deadline=None, database=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_only_undecodable_event(data: bytes) -> None:
    with contextlib.suppress(UndecodableEvent):
        _CODEC.decode(data)


@settings(max_examples=1000, deadline=None, database=None)
@given(
    schema_id=st.sampled_from(sorted(entry[0] for entry in SCHEMA_IDS.values())),
    body=st.binary(max_size=300),
)
def test_random_bodies_under_real_schema_ids_raise_only_undecodable_event(
    schema_id: int, body: bytes
) -> None:
    try:
        record = _CODEC.decode(_frame(schema_id, body))
    except UndecodableEvent:
        return
    writer: Any = json.loads(_CODEC_REGISTRY.schema_by_id(schema_id))
    assert type(record).schema_name == f"{writer['namespace']}.{writer['name']}"


_CODEC_REGISTRY = LocalSchemaRegistry()


@settings(max_examples=300, deadline=None, database=None)
@given(position=st.integers(min_value=5), flip=st.integers(1, 255))
def test_corrupted_valid_frames_raise_only_undecodable_event(
    samples: dict[type[Record], Record], position: int, flip: int
) -> None:
    framed = bytearray(_CODEC.encode("photos.metadata", samples[MetadataExtracted]))
    framed[position % len(framed)] ^= flip
    with contextlib.suppress(UndecodableEvent):
        _CODEC.decode(bytes(framed))


# -- registry failures are not the record's fault ------------------------------------


def test_registry_outage_is_not_undecodable(samples: dict[type[Record], Record]) -> None:
    framed = Codec(LocalSchemaRegistry()).encode("photos.uploaded", samples[PhotoUploaded])
    with pytest.raises(RegistryUnavailable):
        Codec(RecordingRegistry(down=True)).decode(framed)


def test_unknown_id_is_not_cached_so_a_later_registration_is_seen(
    registry: LocalSchemaRegistry, samples: dict[type[Record], Record]
) -> None:
    codec = Codec(registry)
    newer = _newer_metadata_schema()
    text = json.dumps(newer)
    fresh = LocalSchemaRegistry()
    schema_id = fresh.register("photos.metadata-value", text)
    with pytest.raises(SchemaNotFound):
        registry.schema_by_id(schema_id)
    datum = samples[MetadataExtracted].to_avro_dict() | {"burst_id": None}
    frame = _frame(schema_id, _avro_body(newer, datum))
    with pytest.raises(UnknownSchemaId):
        codec.decode(frame)
    registry.register("photos.metadata-value", text)
    assert codec.decode(frame) == samples[MetadataExtracted]
