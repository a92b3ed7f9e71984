"""Uploads through the real broker and S3 server: what comes out of ingest."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Callable

import pytest
from confluent_kafka import Consumer, TopicPartition
from faust.types import TP
from PIL import Image

from processors.events import metadata_event
from processors.metadata import extract_metadata
from schemas import MetadataExtracted, PhotoUploaded, TimelineItemUpserted, TimeSource
from streams.agents.ingest import SEEN_TABLE
from streams.faust_transport import true_end_offsets
from streams.samples import Sample, generate_samples
from streams.worker import consumer_group

from .conftest import Pipeline
from .worker_restart import process_then_stop, repeat_after_restart, uploads_across_users

pytestmark = pytest.mark.integration

EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867


def _jpeg(*, user_comment_bytes: int = 0, when: str = "2023:07:14 18:30:05") -> bytes:
    image = Image.new("RGB", (320, 200), (40, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "TestMake"
    exif[0x0110] = "TestModel"
    exif[0x0112] = 6
    exif_ifd = exif.get_ifd(EXIF_IFD)
    exif_ifd[DATETIME_ORIGINAL] = when
    exif_ifd[0x9011] = "+02:00"
    if user_comment_bytes:
        exif_ifd[0x9286] = b"ASCII\0\0\0" + b"x" * user_comment_bytes
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def _by_photo(events: list[object]) -> dict[str, object]:
    return {getattr(e, "photo_id"): e for e in events}  # noqa: B009


def test_samples_reach_metadata_timeline_or_dead_letter(pipeline: Pipeline) -> None:
    samples = generate_samples()
    good = [s for s in samples if s.expect_ok]
    bad = [s for s in samples if not s.expect_ok]
    assert len(good) >= 8 and len(bad) >= 3
    uploads: list[tuple[Sample, PhotoUploaded]] = [(s, pipeline.upload_sample(s)) for s in samples]
    pipeline.start_worker()
    pipeline.produce([u for _, u in uploads])

    metadata = _by_photo(pipeline.read_events(pipeline.topics.metadata, len(good)))
    timeline = _by_photo(pipeline.read_events(pipeline.topics.timeline, len(good)))
    dead = pipeline.read(pipeline.topics.deadletter, until=lambda rs: len(rs) >= len(bad))

    for sample, upload in uploads:
        if not sample.expect_ok:
            continue
        event = metadata[upload.photo_id]
        assert isinstance(event, MetadataExtracted)
        # Ranged reads from S3 give the same answer as the whole file.
        expected = metadata_event(
            upload,
            extract_metadata(sample.data, object_size=len(sample.data), filename=sample.filename),
        )
        assert event == expected, sample.filename
        item = timeline[upload.photo_id]
        assert isinstance(item, TimelineItemUpserted)
        assert item.user_id == sample.user_id
        assert item.capture_local == event.capture_local
        assert item.local_day == event.capture_local[:10]
        assert item.month_bucket == event.capture_local[:7]
        assert (item.oriented_width, item.oriented_height) == (
            event.oriented_width,
            event.oriented_height,
        )
        written = Image.open(io.BytesIO(sample.data)).getexif().get_ifd(EXIF_IFD)
        if event.time_source is TimeSource.EXIF_ORIGINAL:
            assert event.capture_local[:19] == (
                written[DATETIME_ORIGINAL].replace(":", "-", 2).replace(" ", "T")
            )

    by_value = {value: dict(headers) for _, value, headers in dead}
    for sample, upload in uploads:
        if sample.expect_ok:
            continue
        original = pipeline.codec.encode(pipeline.topics.uploaded, upload)
        assert original in by_value, f"{sample.filename} missing from dead letters"
        headers = by_value[original]
        assert headers["ps.stage"] == b"ingest"
        assert headers["ps.source.topic"] == pipeline.topics.uploaded.encode()
        assert headers["ps.error.reason"] in {b"empty_file", b"truncated", b"not_an_image"}
        assert headers["ps.error.message"]


def test_metadata_past_the_first_range_is_fetched(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    pipeline = pipeline_factory(head_bytes=1024)
    data = _jpeg(user_comment_bytes=20_000, when="2021:02:03 04:05:06")
    upload = pipeline.upload(data)
    pipeline.start_worker()
    pipeline.produce([upload])
    (event,) = pipeline.read_events(pipeline.topics.metadata, 1)
    assert isinstance(event, MetadataExtracted)
    assert event.capture_local == "2021-02-03T04:05:06"
    assert event.utc_offset_minutes == 120
    assert (event.width, event.height) == (320, 200)
    assert (event.oriented_width, event.oriented_height) == (200, 320)
    assert (event.make, event.model) == ("TestMake", "TestModel")


def test_hostile_events_and_missing_objects_are_dead_lettered(pipeline: Pipeline) -> None:
    from confluent_kafka import Producer

    missing = pipeline.upload(_jpeg(), put=False)
    wrong_key = pipeline.upload(_jpeg(), user_id="bob")
    hostile = [b"", b"\x00", b"\x01\x00\x00\x00\x01junk", os.urandom(64)]
    producer = Producer({"bootstrap.servers": pipeline.settings.bootstrap_servers})
    for value in hostile:
        producer.produce(pipeline.topics.uploaded, key=b"mallory", value=value)
    producer.produce(
        pipeline.topics.uploaded,
        key=b"alice",  # not the event's user: never read
        value=pipeline.codec.encode(pipeline.topics.uploaded, wrong_key),
    )
    producer.flush()
    pipeline.produce([missing])
    good = pipeline.upload(_jpeg())
    pipeline.start_worker()
    pipeline.produce([good])

    dead = pipeline.read(pipeline.topics.deadletter, until=lambda rs: len(rs) >= 6)
    reasons = {value: dict(headers)["ps.error.reason"] for _, value, headers in dead}
    assert reasons[pipeline.codec.encode(pipeline.topics.uploaded, missing)] == b"missing_object"
    assert reasons[pipeline.codec.encode(pipeline.topics.uploaded, wrong_key)] == b"key_mismatch"
    for value in hostile:
        assert value in reasons or (value == b"" and None in reasons), value
    # The bad records did not stall the partition: the good upload came through.
    (event,) = pipeline.read_events(pipeline.topics.metadata, 1)
    assert getattr(event, "photo_id") == good.photo_id  # noqa: B009


def test_table_state_survives_a_worker_restart(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    # With a linger, the concurrent actors' table writes share changelog
    # batches: the layout that the broker's short end offsets get wrong.
    pipeline = pipeline_factory(producer_linger_ms=50, agent_concurrency=8)
    data = _jpeg()
    uploads = uploads_across_users(pipeline, data, count=600, users=13)
    process_then_stop(pipeline, uploads, "w1")
    group = consumer_group(pipeline.settings, ("ingest", "curate"))
    changelog = f"{group}-{SEEN_TABLE}-changelog"
    listed, true_ends = _end_offsets(pipeline, changelog)
    assert sum(true_ends.values()) == 600
    # The broker's ListOffsets undercounts batches of several records; the
    # restart below must not depend on it.
    assert sum(listed.values()) < 600

    # A fresh worker with an in-memory store knows what was done only from the
    # changelog; every repeated upload event must be recognised as done.
    records = repeat_after_restart(pipeline, uploads, data=data, users=13, worker="w2")
    assert len(records) == 600 + 13, "repeated upload events were processed again after restart"
    assert "skipping repeated upload event" in pipeline.worker_log("w2")


def _end_offsets(pipeline: Pipeline, topic: str) -> tuple[dict[TP, int], dict[TP, int]]:
    consumer = Consumer(
        {"bootstrap.servers": pipeline.settings.bootstrap_servers, "group.id": "end-offsets"}
    )
    try:
        listed = {
            TP(topic, p): consumer.get_watermark_offsets(TopicPartition(topic, p), cached=False)[1]
            for p in range(pipeline.settings.partitions)
        }
    finally:
        consumer.close()
    true_ends = asyncio.run(
        true_end_offsets(
            listed, bootstrap_servers=[pipeline.settings.bootstrap_servers], client_kwargs={}
        )
    )
    return listed, true_ends
