"""The .avsc files follow the contract conventions and ship as package data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import fastavro
import pytest

from schemas import EVENT_TYPES, NAMESPACE, Record, schema_files, schema_versions
from schemas.catalog import SchemaFile
from schemas.manifest import SCHEMA_IDS, missing_entries

REPO = Path(__file__).resolve().parents[2]
FILES = schema_files()
FILE_IDS = [f.filename for f in FILES]

# Other services code against these names: a rename here is a breaking change.
EXPECTED_FIELDS = {
    "PhotoUploaded": "event_id user_id photo_id bucket key size content_type sha256 filename "
    "uploaded_at client_timezone",
    "PhotoDeleted": "event_id user_id photo_id deleted_at",
    "MetadataExtracted": "event_id source_event_id user_id photo_id bucket key sha256 filename "
    "media_type mime_type capture_time_utc capture_local utc_offset_minutes time_source "
    "tz_source gps_latitude gps_longitude gps_altitude place_city place_region "
    "place_country_code make model lens_model iso exposure_time_s f_number focal_length_mm "
    "focal_length_35mm orientation width height oriented_width oriented_height "
    "video_duration_s extractor_version",
    "VisionRequested": "event_id source_event_id user_id photo_id bucket key sha256 model_version",
    "VisionScored": "event_id source_event_id user_id photo_id model_version scores phash dhash "
    "face_count nsfw_probability quality",
    "TimelineItemUpserted": "event_id source_event_id user_id photo_id capture_time_utc "
    "capture_local utc_offset_minutes local_day month_bucket sort_key time_source tz_source "
    "make model oriented_width oriented_height place_city place_country_code highlight "
    "previous_local_day previous_month_bucket",
    "TimelineItemRemoved": "event_id source_event_id user_id photo_id local_day month_bucket "
    "removed_at",
    "AlbumUpdated": "event_id source_event_id user_id album_id album_kind change photo_id title "
    "cover_photo_id occurred_at",
}

EXPECTED_ENUMS = {
    "MediaType": ["UNKNOWN", "PHOTO", "VIDEO"],
    "TimeSource": [
        "UNKNOWN",
        "EXIF_ORIGINAL",
        "EXIF_DIGITIZED",
        "XMP",
        "IPTC",
        "QUICKTIME",
        "FILENAME",
        "UPLOAD_TIME",
    ],
    "TzSource": ["UNKNOWN", "EXIF_OFFSET", "DATE_STRING", "GPS", "GPS_TIME", "CLIENT_HINT"],
    "AlbumKind": [
        "UNKNOWN",
        "TRIP",
        "EVENT",
        "PLACE",
        "ON_THIS_DAY",
        "BEST_OF",
        "DUPLICATE_STACK",
    ],
    "AlbumChange": [
        "UNKNOWN",
        "CREATED",
        "PHOTO_ADDED",
        "PHOTO_REMOVED",
        "RETITLED",
        "COVER_CHANGED",
        "DELETED",
    ],
}


def _walk(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every field of every record in ``schema``, with its dotted path."""
    if isinstance(schema, list):
        for branch in schema:
            yield from _walk(branch, path)
    elif isinstance(schema, dict):
        if schema.get("type") == "record":
            for field in schema["fields"]:
                yield f"{path}{field['name']}", field
                yield from _walk(field["type"], f"{path}{field['name']}.")
        elif schema.get("type") == "array":
            yield from _walk(schema["items"], path)
        elif schema.get("type") == "map":
            yield from _walk(schema["values"], path)


def _named_types(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, list):
        for branch in schema:
            yield from _named_types(branch)
    elif isinstance(schema, dict):
        if schema.get("type") in ("record", "enum", "fixed"):
            yield schema
        for key in ("fields", "items", "values", "type"):
            if key in schema:
                value = schema[key]
                for item in value if key == "fields" else [value]:
                    yield from _named_types(item)


def _non_null(type_: Any) -> Any:
    return type_[1] if isinstance(type_, list) else type_


def test_every_event_type_has_a_schema_and_every_schema_an_event_type() -> None:
    assert {f.name for f in FILES} == {cls.schema_name for cls in EVENT_TYPES}


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_versions_are_numbered_one_to_n(cls: type[Record]) -> None:
    versions = [f.version for f in schema_versions(cls.schema_name)]
    assert versions == list(range(1, len(versions) + 1))


@pytest.mark.parametrize("file", FILES, ids=FILE_IDS)
def test_field_names_are_the_agreed_ones(file: SchemaFile) -> None:
    short = file.name.rpartition(".")[2]
    names = [field["name"] for field in file.schema["fields"]]
    expected = EXPECTED_FIELDS[short].split()
    # Later versions may add optional fields, never drop or rename these.
    assert names[: len(expected)] == expected


@pytest.mark.parametrize("file", FILES, ids=FILE_IDS)
def test_namespace_and_docs(file: SchemaFile) -> None:
    schema = file.schema
    assert schema["namespace"] == NAMESPACE
    assert schema["doc"].strip()
    for path, field in _walk(schema):
        assert field.get("doc", "").strip(), f"{path} has no doc"
    for named in _named_types(schema):
        assert named.get("doc", "").strip(), f"{named['name']} has no doc"


@pytest.mark.parametrize("file", FILES, ids=FILE_IDS)
def test_unions_are_optional_fields_defaulting_to_null(file: SchemaFile) -> None:
    for path, field in _walk(file.schema):
        if isinstance(field["type"], list):
            assert len(field["type"]) == 2 and field["type"][0] == "null", path
            assert "default" in field and field["default"] is None, path


@pytest.mark.parametrize("file", FILES, ids=FILE_IDS)
def test_enums_can_grow(file: SchemaFile) -> None:
    enums = [t for t in _named_types(file.schema) if t["type"] == "enum"]
    for enum in enums:
        assert enum["symbols"][0] == "UNKNOWN"
        assert enum["default"] == "UNKNOWN"
        short = enum["name"].rpartition(".")[2]
        # Appending is allowed; reordering or dropping is not.
        expected = EXPECTED_ENUMS[short]
        assert enum["symbols"][: len(expected)] == expected


@pytest.mark.parametrize("file", FILES, ids=FILE_IDS)
def test_logical_types(file: SchemaFile) -> None:
    for path, field in _walk(file.schema):
        name = path.rpartition(".")[2]
        type_ = _non_null(field["type"])
        if name in ("event_id", "source_event_id"):
            assert type_ == {"type": "string", "logicalType": "uuid"}, path
        if name.endswith("_at") or name == "capture_time_utc":
            assert type_ == {"type": "long", "logicalType": "timestamp-micros"}, path


@pytest.mark.parametrize("file", FILES, ids=FILE_IDS)
def test_each_file_is_self_contained(file: SchemaFile) -> None:
    # A consumer in another language loads one file with no name table.
    fastavro.parse_schema(json.loads(file.text), named_schemas={})


def test_no_two_versions_are_the_same_schema() -> None:
    fingerprints = [f.fingerprint for f in FILES]
    assert len(set(fingerprints)) == len(fingerprints)


def test_every_file_has_a_pinned_id() -> None:
    assert missing_entries() == [], "run `python -m schemas` and add the lines to SCHEMA_IDS"
    assert set(SCHEMA_IDS) == {f.filename for f in FILES}


@pytest.mark.parametrize("file", FILES, ids=FILE_IDS)
def test_released_schemas_are_not_edited_in_place(file: SchemaFile) -> None:
    _, pinned = SCHEMA_IDS[file.filename]
    assert file.fingerprint.startswith(pinned), (
        f"{file.filename} changed after its id was pinned; add a new version instead"
    )


def test_ids_are_unique_and_in_the_manifest_range() -> None:
    ids = [entry[0] for entry in SCHEMA_IDS.values()]
    assert len(set(ids)) == len(ids)
    assert all(0 < i < 2**30 for i in ids)


def test_importlib_resources_finds_every_file() -> None:
    found = sorted(
        entry.name
        for entry in resources.files("schemas").joinpath("avro").iterdir()
        if entry.name.endswith(".avsc")
    )
    on_disk = sorted(p.name for p in (REPO / "schemas" / "avro").glob("*.avsc"))
    assert found == on_disk == sorted(FILE_IDS)


def test_a_build_ships_the_avsc_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (src / name).write_bytes((REPO / name).read_bytes())
    shutil.copytree(REPO / "schemas", src / "schemas", ignore=shutil.ignore_patterns("__pycache__"))
    build = tmp_path / "lib"
    build_lib = ("--build-lib", str(build))
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "build_py",
            *build_lib,
        ],
        cwd=src,
        check=True,
        capture_output=True,
    )
    probe = "import schemas, sys; print(schemas.__file__); print(len(schemas.schema_files()))"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(build), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert out == [str(build / "schemas" / "__init__.py"), str(len(FILES))]
