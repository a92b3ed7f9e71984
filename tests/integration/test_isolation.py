"""Tenant isolation and privacy on the real broker and S3 server."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

import pytest
from confluent_kafka import Producer

from processors.metadata import extract_metadata
from schemas import MetadataExtracted, TimelineItemUpserted
from streams.samples import generate_samples

from .conftest import Pipeline

pytestmark = pytest.mark.integration


def _with_gps() -> bytes:
    return next(
        s.data
        for s in generate_samples()
        if s.expect_ok
        and extract_metadata(s.data, object_size=len(s.data), filename=s.filename).gps_latitude
    )


def test_no_upload_event_can_reach_another_users_photo(pipeline: Pipeline) -> None:
    data = _with_gps()
    alice = pipeline.upload(data, user_id="alice")
    # Mallory names Alice's object in events keyed and owned by herself.
    ids = {name: str(uuid.uuid4()) for name in ("stolen", "climbing", "slashed")}
    stolen = replace(alice, user_id="mallory", event_id=ids["stolen"])
    climbing = replace(
        alice,
        user_id="mallory",
        event_id=ids["climbing"],
        key="users/mallory/../" + alice.key.removeprefix("users/"),
    )
    # Owns the prefix users/alice/x/, which must not cover Alice's users/alice/.
    slashed = replace(alice, user_id="alice/x", event_id=ids["slashed"])
    producer = Producer({"bootstrap.servers": pipeline.settings.bootstrap_servers})
    for event in (stolen, climbing, slashed):
        value = pipeline.codec.encode(pipeline.topics.uploaded, event)
        producer.produce(pipeline.topics.uploaded, key=event.user_id.encode(), value=value)
    producer.flush()
    pipeline.produce([alice])
    pipeline.start_worker()

    dead = pipeline.read(pipeline.topics.deadletter, until=lambda rs: len(rs) >= 3)
    reasons = {
        pipeline.codec.decode(value).event_id: dict(headers)["ps.error.reason"]  # type: ignore[attr-defined]
        for _, value, headers in dead
        if value is not None
    }
    assert reasons == dict.fromkeys(ids.values(), b"key_outside_prefix")
    (item,) = pipeline.read_events(pipeline.topics.timeline, 1)
    assert isinstance(item, TimelineItemUpserted)
    assert (item.user_id, item.photo_id) == ("alice", alice.photo_id)
    # Nothing else ever reaches a timeline or the metadata topic.
    timeline = pipeline.read_all(pipeline.topics.timeline, idle_s=1.0)
    metadata = pipeline.read_all(pipeline.topics.metadata, idle_s=0.5)
    assert {k for k, _, _ in timeline} == {b"alice"}
    assert {k for k, _, _ in metadata} == {b"alice"}


def test_gps_redaction_keeps_place_names_and_drops_coordinates(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    pipeline = pipeline_factory(redact_gps=True, vision_model_version="")
    upload = pipeline.upload(_with_gps())
    pipeline.start_worker()
    pipeline.produce([upload])
    (event,) = pipeline.read_events(pipeline.topics.metadata, 1)
    assert isinstance(event, MetadataExtracted)
    assert (event.gps_latitude, event.gps_longitude, event.gps_altitude) == (None, None, None)
    assert not event.gps_null_island
    assert event.place_city and event.place_country_code
    (item,) = pipeline.read_events(pipeline.topics.timeline, 1)
    assert getattr(item, "photo_id") == upload.photo_id  # noqa: B009
    # The worker's INFO log names the photo by id, never by where it was taken.
    data = _with_gps()
    meta = extract_metadata(data, object_size=len(data), filename="photo.jpg")
    log = pipeline.worker_log()
    assert meta.gps_latitude is not None and meta.gps_longitude is not None
    for coordinate in (meta.gps_latitude, meta.gps_longitude):
        assert f"{coordinate:.3f}" not in log
        assert str(coordinate)[:7] not in log
