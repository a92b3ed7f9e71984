"""The in-process registry: deterministic ids and the Confluent REST surface."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from schemas import (
    EVENT_TYPES,
    TOPIC_RECORDS,
    CompatibilityLevel,
    IncompatibleSchema,
    InvalidSchema,
    LocalSchemaRegistry,
    MetadataExtracted,
    PhotoUploaded,
    SchemaNotFound,
    SchemaRegistry,
    TimelineItemRemoved,
    TimelineItemUpserted,
    current_schema,
    schema_files,
)
from schemas.manifest import SCHEMA_IDS


def _with_optional_field(schema: dict[str, Any], name: str = "extra") -> str:
    schema["fields"].append({"name": name, "type": ["null", "string"], "default": None})
    return json.dumps(schema)


def test_it_is_a_schema_registry(registry: LocalSchemaRegistry) -> None:
    assert isinstance(registry, SchemaRegistry)


def test_shipped_schemas_are_known_by_manifest_id_before_any_registration(
    registry: LocalSchemaRegistry,
) -> None:
    for file in schema_files():
        schema_id, _ = SCHEMA_IDS[file.filename]
        assert json.loads(registry.schema_by_id(schema_id)) == file.schema
    assert registry.subjects() == []


def test_register_is_idempotent_and_ignores_formatting_and_docs(
    registry: LocalSchemaRegistry,
) -> None:
    file = current_schema(PhotoUploaded)
    first = registry.register("photos.uploaded-value", file.text)
    schema = file.schema
    schema["doc"] = "reworded"
    again = registry.register("photos.uploaded-value", json.dumps(schema, indent=8))
    assert first == again == SCHEMA_IDS[file.filename][0]
    assert registry.versions("photos.uploaded-value") == [1]


def test_unlisted_schemas_get_the_same_hashed_id_in_every_process() -> None:
    text = _with_optional_field(current_schema(PhotoUploaded).schema)
    a = LocalSchemaRegistry().register("photos.uploaded-value", text)
    b = LocalSchemaRegistry().register("another-subject", text)
    assert a == b
    assert 2**30 <= a < 2**31


def test_unknown_id(registry: LocalSchemaRegistry) -> None:
    with pytest.raises(SchemaNotFound):
        registry.schema_by_id(999_999)


@pytest.mark.parametrize("text", ["{not json", '{"type": "record"}', '"no-such-type"'])
def test_invalid_schema_is_refused(registry: LocalSchemaRegistry, text: str) -> None:
    with pytest.raises(InvalidSchema):
        registry.register("s-value", text)


def test_versions_latest_and_lookup(registry: LocalSchemaRegistry) -> None:
    v1 = current_schema(PhotoUploaded).text
    v2 = _with_optional_field(current_schema(PhotoUploaded).schema)
    id1 = registry.register("photos.uploaded-value", v1)
    id2 = registry.register("photos.uploaded-value", v2)
    assert registry.versions("photos.uploaded-value") == [1, 2]
    latest = registry.get_version("photos.uploaded-value")
    assert (latest.version, latest.schema_id) == (2, id2)
    assert registry.get_version("photos.uploaded-value", 1).schema_id == id1
    assert registry.lookup("photos.uploaded-value", v1).version == 1
    with pytest.raises(SchemaNotFound):
        registry.get_version("photos.uploaded-value", 3)
    with pytest.raises(SchemaNotFound):
        registry.versions("nope-value")
    with pytest.raises(SchemaNotFound):
        registry.lookup("photos.uploaded-value", current_schema(MetadataExtracted).text)


def test_incompatible_registration_is_refused_and_leaves_no_version(
    registry: LocalSchemaRegistry,
) -> None:
    registry.register("photos.uploaded-value", current_schema(PhotoUploaded).text)
    broken = current_schema(PhotoUploaded).schema
    broken["fields"] = [f for f in broken["fields"] if f["name"] != "sha256"]
    assert registry.check_compatibility("photos.uploaded-value", json.dumps(broken))
    with pytest.raises(IncompatibleSchema, match="sha256"):
        registry.register("photos.uploaded-value", json.dumps(broken))
    assert registry.versions("photos.uploaded-value") == [1]
    assert LocalSchemaRegistry(CompatibilityLevel.NONE).register("s", json.dumps(broken))


def test_backward_level_allows_what_only_breaks_forward(registry: LocalSchemaRegistry) -> None:
    backward = LocalSchemaRegistry(CompatibilityLevel.BACKWARD)
    backward.register("s", current_schema(PhotoUploaded).text)
    fewer = current_schema(PhotoUploaded).schema
    fewer["fields"] = [f for f in fewer["fields"] if f["name"] != "sha256"]
    assert backward.register("s", json.dumps(fewer)) > 0


def test_one_subject_may_carry_two_record_types(registry: LocalSchemaRegistry) -> None:
    registry.register("photos.timeline-value", current_schema(TimelineItemUpserted).text)
    registry.register("photos.timeline-value", current_schema(TimelineItemRemoved).text)
    assert registry.versions("photos.timeline-value") == [1, 2]


def test_register_topics_creates_topic_value_subjects(registry: LocalSchemaRegistry) -> None:
    registry.register_topics(prefix="dev.")
    assert registry.subjects() == sorted(f"dev.{topic}-value" for topic in TOPIC_RECORDS)
    latest = registry.get_version("dev.photos.metadata-value")
    assert json.loads(latest.schema) == current_schema(MetadataExtracted).schema


def test_check_compatibility_of_an_unknown_subject_is_clean(
    registry: LocalSchemaRegistry,
) -> None:
    assert registry.check_compatibility("new-value", current_schema(EVENT_TYPES[0]).text) == []


def test_concurrent_registration_agrees(registry: LocalSchemaRegistry) -> None:
    text = _with_optional_field(current_schema(PhotoUploaded).schema, "concurrent")
    ids: list[int] = []

    def register() -> None:
        ids.append(registry.register("photos.uploaded-value", text))

    threads = [threading.Thread(target=register) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1
    assert registry.versions("photos.uploaded-value") == [1]


def test_a_subject_level_overrides_the_global_one(registry: LocalSchemaRegistry) -> None:
    registry.register("photos.uploaded-value", current_schema(PhotoUploaded).text)
    broken = current_schema(PhotoUploaded).schema
    broken["fields"] = [f for f in broken["fields"] if f["name"] != "sha256"]
    assert registry.config() is CompatibilityLevel.FULL
    assert registry.config("photos.uploaded-value") is None
    registry.set_config(CompatibilityLevel.NONE, "photos.uploaded-value")
    assert registry.check_compatibility("photos.uploaded-value", json.dumps(broken)) == []
    assert registry.register("photos.uploaded-value", json.dumps(broken)) > 0
    assert registry.delete_config("photos.uploaded-value") is CompatibilityLevel.NONE
    assert registry.config("photos.uploaded-value") is None
    assert registry.check_compatibility("photos.uploaded-value", current_schema(PhotoUploaded).text)
