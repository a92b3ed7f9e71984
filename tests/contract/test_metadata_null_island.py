"""MetadataExtracted v2 adds ``gps_null_island``; v1 producers and consumers keep working."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, datetime
from typing import Any

import fastavro

from processors.events import metadata_event
from processors.geo import Place
from processors.metadata import extract_metadata
from schemas import (
    Codec,
    CompatibilityLevel,
    LocalSchemaRegistry,
    MetadataExtracted,
    PhotoUploaded,
    Record,
    incompatibilities,
)
from schemas.catalog import schema_versions
from streams.samples import Shot, photo_jpeg


def _body(schema: dict[str, Any], datum: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), datum)
    return out.getvalue()


def _v1_v2() -> tuple[dict[str, Any], dict[str, Any]]:
    versions = schema_versions(MetadataExtracted)
    return versions[0].schema, versions[1].schema


def test_v2_is_fully_compatible_with_v1() -> None:
    v1, v2 = _v1_v2()
    assert incompatibilities(v2, v1, CompatibilityLevel.FULL) == []


def test_an_event_written_with_v1_reads_as_not_null_island(
    samples: dict[type[Record], Record], registry: LocalSchemaRegistry
) -> None:
    v1, _ = _v1_v2()
    schema_id = registry.register("photos.metadata-value", json.dumps(v1))
    datum = samples[MetadataExtracted].to_avro_dict()
    del datum["gps_null_island"]
    record = Codec(registry).decode(b"\x00" + schema_id.to_bytes(4, "big") + _body(v1, datum))
    assert isinstance(record, MetadataExtracted)
    assert record.gps_null_island is False


class _Nowhere:
    def place_at(self, latitude: float, longitude: float) -> Place | None:
        return None

    def zone_at(self, latitude: float, longitude: float) -> str | None:
        return None


def _event_for(gps: tuple[float, float, float | None]) -> MetadataExtracted:
    data = photo_jpeg(Shot(size=(96, 64), gps=gps, date_time_original="2024:01:01 10:00:00"))
    meta = extract_metadata(data, object_size=len(data), filename="photo.jpg")
    upload = PhotoUploaded(
        event_id="6f1c2a8e-1d5e-4c9a-9a53-0d2f3f6b7a10",
        user_id="alice",
        photo_id="p1",
        bucket="photos",
        key="alice/photo.jpg",
        size=len(data),
        content_type="image/jpeg",
        sha256="0" * 64,
        filename="photo.jpg",
        uploaded_at=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
        client_timezone=None,
    )
    return metadata_event(upload, meta, geocoder=_Nowhere(), zones=_Nowhere())


def test_the_event_flags_a_position_of_exactly_zero_zero() -> None:
    assert _event_for((0.0, 0.0, None)).gps_null_island is True
    assert _event_for((0.0, 0.25, None)).gps_null_island is False


def test_a_v1_consumer_reads_a_flagged_v2_event_without_the_flag(
    registry: LocalSchemaRegistry,
) -> None:
    event = _event_for((0.0, 0.0, None))
    framed = Codec(registry).encode("photos.metadata", event)
    v1, v2 = _v1_v2()
    old = fastavro.schemaless_reader(
        io.BytesIO(framed[5:]), fastavro.parse_schema(v2), fastavro.parse_schema(v1)
    )
    assert isinstance(old, dict) and "gps_null_island" not in old
    assert (old["gps_latitude"], old["gps_longitude"]) == (0.0, 0.0)
    assert dataclasses.replace(event, gps_null_island=True) == Codec(registry).decode(framed)
