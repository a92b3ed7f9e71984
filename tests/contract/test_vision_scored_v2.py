"""VisionScored v2 adds the compact embedding; v1 and v2 writers and readers interoperate."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
from typing import Any

import fastavro
import orjson
import pytest

from schemas import (
    MAGIC_BYTE,
    Codec,
    CompatibilityLevel,
    ImageEmbedding,
    InvalidEvent,
    LocalSchemaRegistry,
    Record,
    VisionScored,
    check_evolution,
    current_schema,
    schema_versions,
    to_json,
    topic_of,
    validate,
)
from schemas.manifest import SCHEMA_IDS

TOPIC = topic_of(VisionScored)
V1, V2 = schema_versions(VisionScored)[:2]


def _embedding(**changes: Any) -> ImageEmbedding:
    fields: dict[str, Any] = {
        "model": "labels",
        "version": "efficientnet_lite0_int8@aa03e4017f54/1",
        "scale": 0.0021,
        "vector": bytes(range(129, 256)) + bytes(range(128)),  # every int8 from -127 to 127
    }
    return ImageEmbedding(**(fields | changes))


@pytest.fixture
def scored(samples: dict[type[Record], Record]) -> VisionScored:
    sample = samples[VisionScored]
    assert isinstance(sample, VisionScored)
    return dataclasses.replace(sample, embedding=_embedding())


def _body(record: VisionScored, schema_text: str) -> bytes:
    out = io.BytesIO()
    datum = record.to_avro_dict()
    fastavro.schemaless_writer(out, fastavro.parse_schema(json.loads(schema_text)), datum)
    return out.getvalue()


def _frame(schema_id: int, body: bytes) -> bytes:
    return bytes([MAGIC_BYTE]) + schema_id.to_bytes(4, "big") + body


def test_v2_is_the_current_schema_with_its_own_pinned_id() -> None:
    assert current_schema(VisionScored).filename == "VisionScored.v2.avsc"
    assert SCHEMA_IDS["VisionScored.v1.avsc"][0] == 5
    assert SCHEMA_IDS[V2.filename][0] not in {
        schema_id for name, (schema_id, _) in SCHEMA_IDS.items() if name != V2.filename
    }
    embedding = next(f for f in V2.schema["fields"] if f["name"] == "embedding")
    assert embedding["type"][0] == "null" and embedding["default"] is None
    v1_fields = [f["name"] for f in V1.schema["fields"]]
    assert [f["name"] for f in V2.schema["fields"]] == [*v1_fields, "embedding"]


def test_v1_and_v2_are_fully_compatible() -> None:
    assert check_evolution([V1.text, V2.text], CompatibilityLevel.FULL) == []


def test_this_build_writes_v2_and_reads_it_back(scored: VisionScored) -> None:
    codec = Codec(LocalSchemaRegistry())

    framed = codec.encode(TOPIC, scored)

    assert int.from_bytes(framed[1:5], "big") == SCHEMA_IDS[V2.filename][0]
    assert codec.decode(framed) == scored


def test_a_v1_producers_record_reads_with_no_embedding(scored: VisionScored) -> None:
    old = dataclasses.replace(scored, embedding=None)
    v1_datum = {k: v for k, v in old.to_avro_dict().items() if k != "embedding"}
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(json.loads(V1.text)), v1_datum)
    framed = _frame(SCHEMA_IDS[V1.filename][0], out.getvalue())

    decoded = Codec(LocalSchemaRegistry()).decode(framed)

    assert decoded == old
    assert isinstance(decoded, VisionScored) and decoded.embedding is None


def test_a_v1_consumer_reads_a_v2_record_without_the_embedding(scored: VisionScored) -> None:
    # What a consumer built against v1 does: resolve the writer's v2 into its v1.
    body = io.BytesIO(_body(scored, V2.text))
    writer = fastavro.parse_schema(json.loads(V2.text))
    reader = fastavro.parse_schema(json.loads(V1.text))

    datum: Any = fastavro.schemaless_reader(body, writer, reader)

    assert "embedding" not in datum
    expected = {k: v for k, v in scored.to_avro_dict().items() if k != "embedding"}
    assert VisionScored.from_avro_dict(datum) == dataclasses.replace(scored, embedding=None)
    assert set(datum) == set(expected)


def test_the_registry_takes_v2_after_v1_under_full_compatibility() -> None:
    registry = LocalSchemaRegistry(CompatibilityLevel.FULL)
    subject = f"{TOPIC}-value"

    assert registry.register(subject, V1.text) == SCHEMA_IDS[V1.filename][0]
    assert registry.register(subject, V2.text) == SCHEMA_IDS[V2.filename][0]
    assert registry.versions(subject) == [1, 2]


def test_the_embedding_costs_its_bytes_plus_a_few(scored: VisionScored) -> None:
    without = _body(dataclasses.replace(scored, embedding=None), V2.text)
    with_it = _body(scored, V2.text)

    assert scored.embedding is not None
    overhead = len(with_it) - len(without) - len(scored.embedding.vector)
    assert 0 < overhead < 80


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"scale": 0.0}, "embedding.scale"),
        ({"scale": float("nan")}, "embedding.scale"),
        ({"vector": b""}, "embedding.vector"),
        ({"model": " "}, "embedding.model"),
        ({"version": ""}, "embedding.version"),
    ],
)
def test_a_broken_embedding_is_refused_naming_the_field(
    scored: VisionScored, changes: dict[str, Any], path: str
) -> None:
    broken = dataclasses.replace(scored, embedding=_embedding(**changes))

    with pytest.raises(InvalidEvent) as caught:
        validate(broken)

    assert caught.value.field == path


def test_components_dequantise_the_signed_bytes() -> None:
    embedding = _embedding(scale=0.5, vector=bytes([0, 1, 127, 129, 255]))

    assert embedding.components() == (0.0, 0.5, 63.5, -63.5, -0.5)


def test_the_json_view_shows_the_vector_as_base64(scored: VisionScored) -> None:
    data = orjson.loads(to_json(scored))

    assert scored.embedding is not None
    assert base64.b64decode(data["embedding"]["vector"]) == scored.embedding.vector
    assert data["embedding"]["model"] == "labels"
