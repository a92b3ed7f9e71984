"""A backfill far larger than the stream buffer never holds up live uploads.

The backfill lane waits for the live lane to be quiet before each event, so
its buffer fills while live uploads flow. A full buffer must not stop the
worker's one consumer from delivering what it fetched: live records fetched
behind backfill records would wait for the backfill to drain.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable

import pytest
from confluent_kafka import OFFSET_END, Consumer, TopicPartition

from schemas import MetadataExtracted, PhotoUploaded
from streams.ops.topic_reader import TopicReader
from streams.samples import generate_samples
from streams.sdk.producer import UploadProducer

from .conftest import BUCKET, Pipeline

pytestmark = pytest.mark.integration

USERS = ("alice", "bob", "carol")
#: Faust's stream buffer for this test; the backfill is many times larger.
BUFFER = 16
BACKFILL = 1200
LIVE_PROBES = 6


def _jpeg() -> bytes:
    return next(s.data for s in generate_samples() if s.expect_ok and s.filename.endswith(".jpg"))


class _MetadataProbe:
    """Times one live upload from its produce to its metadata event."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        self._consumer = Consumer(
            {
                "bootstrap.servers": pipeline.settings.bootstrap_servers,
                "group.id": f"probe-{uuid.uuid4().hex[:8]}",
                "fetch.wait.max.ms": 20,
            }
        )
        self._consumer.assign(
            [
                TopicPartition(pipeline.topics.metadata, p, OFFSET_END)
                for p in range(pipeline.settings.partitions)
            ]
        )
        self._consumer.poll(0.5)
        # One producer for every probe, so its connection is not timed.
        self._producer = UploadProducer(
            pipeline.settings.bootstrap_servers, pipeline.codec, pipeline.topics
        )

    def latency(self, event: PhotoUploaded, timeout_s: float) -> float:
        """Seconds until ``event``'s metadata came out; ``timeout_s`` if it did not."""
        sent = time.monotonic()
        self._producer.send_upload(event)
        assert self._producer.flush() == []
        while time.monotonic() - sent < timeout_s:
            message = self._consumer.poll(0.02)
            if message is None or message.error() or message.value() is None:
                continue
            got = self._pipeline.codec.decode(message.value() or b"")
            if isinstance(got, MetadataExtracted) and got.photo_id == event.photo_id:
                return time.monotonic() - sent
        return timeout_s

    def close(self) -> None:
        self._producer.close()
        self._consumer.close()


def _photo_ids(pipeline: Pipeline, wanted: set[str]) -> set[str]:
    with TopicReader(pipeline.settings.bootstrap_servers) as reader:
        decoded = (
            pipeline.codec.decode(m.value())
            for m in reader.read_topic(pipeline.topics.metadata)
            if m.value() is not None
        )
        return {photo for e in decoded if (photo := getattr(e, "photo_id", None)) in wanted}


def test_a_backfill_larger_than_the_stream_buffer_never_holds_up_live_uploads(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    pipeline = pipeline_factory(stream_buffer_maxsize=BUFFER)
    data = _jpeg()
    shared = {user: f"users/{user}/shared/IMG_0001.jpg" for user in USERS}
    for key in shared.values():
        pipeline.s3().put_object(Bucket=BUCKET, Key=key, Body=data)
    pipeline.start_worker()

    def live(index: int) -> PhotoUploaded:
        event: PhotoUploaded = pipeline.upload(
            data, user_id=USERS[index % 3], filename=f"LIVE_{index}.jpg"
        )
        return event

    probe = _MetadataProbe(pipeline)
    try:
        probe.latency(live(0), timeout_s=60)  # warms the worker up: S3 client, geo data
        baseline = [probe.latency(live(1 + i), timeout_s=60) for i in range(3)]

        backlog = [
            dataclasses.replace(
                pipeline.upload(data, user_id=USERS[i % 3], put=False), key=shared[USERS[i % 3]]
            )
            for i in range(BACKFILL)
        ]
        pipeline.produce(backlog, backfill=True)
        backlog_ids = {e.photo_id for e in backlog}
        pipeline.wait_for(lambda: bool(_photo_ids(pipeline, backlog_ids)), what="backfill began")

        # Paced live uploads, each while the backfill lane holds a full buffer:
        # the pause lets the backfill resume and fill it again.
        during = []
        for i in range(LIVE_PROBES):
            during.append(probe.latency(live(10 + i), timeout_s=20))
            time.sleep(0.5)
        in_flight = len(_photo_ids(pipeline, backlog_ids))
    finally:
        probe.close()

    print(f"baseline {baseline} during {during} backfilled then {in_flight}/{BACKFILL}")
    # A live upload waits for at most the one backfill event in progress.
    bound = max(1.0, 3 * max(baseline))
    assert max(during) < bound, (baseline, during)
    assert in_flight < BACKFILL, "the backfill ended before the live uploads; make it larger"
    # Backfill made progress between the live uploads, and every event of it
    # is processed in the end: none is stuck behind a paused partition.
    started = time.monotonic()
    pipeline.wait_for(
        lambda: _photo_ids(pipeline, backlog_ids) == backlog_ids,
        what="every backfill event was processed",
        timeout_s=150,
    )
    print(f"backfill finished {time.monotonic() - started:.1f}s after the live uploads")
