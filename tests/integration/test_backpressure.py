"""Uploads at twice the sustainable rate: memory stays bounded, lag drains, nothing is lost.

One ingest+curate worker on the real embedded stack. A warm-up measures
the rate it sustains; then the upload service produces at twice that rate
for a while. The consumer group's lag must grow (the worker really is
overloaded) and then drain to zero once the burst ends, every upload must
reach its timeline, and the worker's resident memory must not follow the
lag: Faust's per-partition buffers bound what is held in flight, so unread
events wait in the broker, not in the worker.

Sized by PHOTOSTREAM_BACKPRESSURE_S and PHOTOSTREAM_BACKPRESSURE_WARMUP;
the defaults are the size `make test` runs.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from confluent_kafka import Consumer, TopicPartition

from schemas import PhotoUploaded
from streams.ops.topic_reader import TopicReader
from streams.samples import generate_samples
from streams.sdk import UploadProducer
from streams.worker import consumer_group

from .conftest import BUCKET, Pipeline

pytestmark = pytest.mark.integration

OVERLOAD_S = float(os.environ.get("PHOTOSTREAM_BACKPRESSURE_S", "25"))
WARMUP = int(os.environ.get("PHOTOSTREAM_BACKPRESSURE_WARMUP", "300"))
USERS = 20
#: Memory may rise while buffers fill, but not with the backlog.
RSS_GROWTH_LIMIT = 1.35


@dataclass
class _Samples:
    rss_mb: list[float] = field(default_factory=list)
    lag: list[int] = field(default_factory=list)


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


def _lag(pipeline: Pipeline, group: str) -> int:
    """The group's lag on the upload topic, against each partition's true end.

    ``get_watermark_offsets`` alone can be short on the embedded broker (it
    stops at the newest batch's first record), which reads as negative lag.
    """
    topic = pipeline.topics.uploaded
    tps = [(topic, p) for p in range(pipeline.settings.partitions)]
    with TopicReader(pipeline.settings.bootstrap_servers) as reader:
        ends = reader.offsets(tps)
        committed = reader.committed(group, tps)
    return sum(ends[tp][1] - (committed[tp] or 0) for tp in tps)


def _timeline_count(pipeline: Pipeline) -> tuple[Callable[[], int], Callable[[], None]]:
    """A running count of distinct photos on the timeline, fed by a reader thread, and its stop."""
    seen: set[str] = set()
    stop = threading.Event()

    def read() -> None:
        consumer = Consumer(
            {
                "bootstrap.servers": pipeline.settings.bootstrap_servers,
                "group.id": f"bp-reader-{uuid.uuid4().hex[:8]}",
                "enable.auto.commit": False,
            }
        )
        topic = pipeline.topics.timeline
        consumer.assign([TopicPartition(topic, p, 0) for p in range(pipeline.settings.partitions)])
        try:
            while not stop.is_set():
                for message in consumer.consume(500, timeout=0.2):
                    if message.error() is None and message.value():
                        event = pipeline.codec.decode(message.value() or b"")
                        seen.add(getattr(event, "photo_id", ""))
        finally:
            consumer.close()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(10)

    return lambda: len(seen), halt


def _uploads(count: int, objects: dict[str, PhotoUploaded]) -> list[PhotoUploaded]:
    """``count`` upload events; every user's events share one stored object."""
    out = []
    for index in range(count):
        user = f"bp-{index % USERS:02d}"
        template = objects[user]
        photo_id = str(uuid.uuid4())
        out.append(
            PhotoUploaded(
                event_id=str(uuid.uuid4()),
                user_id=user,
                photo_id=photo_id,
                bucket=BUCKET,
                key=template.key,
                size=template.size,
                content_type=template.content_type,
                sha256=template.sha256,
                filename=template.filename,
                uploaded_at=template.uploaded_at,
            )
        )
    return out


def _paced(pipeline: Pipeline, events: list[PhotoUploaded], rate: float) -> None:
    with UploadProducer(pipeline.settings.bootstrap_servers, pipeline.codec, pipeline.topics) as p:
        start = time.monotonic()
        for index, event in enumerate(events):
            due = start + index / rate
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            p.send_upload(event)
        assert p.flush() == []


@pytest.mark.timeout(int(OVERLOAD_S * 8 + 300))
def test_twice_the_sustainable_rate_is_absorbed_by_lag_not_memory(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    pipeline = pipeline_factory(vision_model_version="")
    sample = next(s for s in generate_samples() if s.expect_ok and s.filename.endswith(".jpg"))
    objects = {
        f"bp-{u:02d}": pipeline.upload(sample.data, user_id=f"bp-{u:02d}", filename=sample.filename)
        for u in range(USERS)
    }
    on_timeline, stop_reader = _timeline_count(pipeline)
    worker = pipeline.start_worker()
    group = consumer_group(pipeline.settings, ("ingest", "curate"))
    try:
        # A primer shows the worker is up; then the warm-up goes in at once,
        # timed until all of it is on the timeline.
        pipeline.produce(_uploads(USERS, objects))
        pipeline.wait_for(lambda: on_timeline() >= USERS, what="the worker is up", timeout_s=120)
        warm = _uploads(WARMUP, objects)
        start = time.monotonic()
        pipeline.produce(warm)
        pipeline.wait_for(
            lambda: on_timeline() >= USERS + WARMUP, what="warm-up done", timeout_s=300
        )
        sustainable = WARMUP / (time.monotonic() - start)
        rss_warm = _rss_mb(worker.pid)

        rate = 2 * sustainable
        burst = _uploads(int(rate * OVERLOAD_S), objects)
        producer = threading.Thread(target=_paced, args=(pipeline, burst, rate))
        producer.start()
        samples = _Samples()
        while producer.is_alive():
            samples.rss_mb.append(_rss_mb(worker.pid))
            samples.lag.append(_lag(pipeline, group))
            time.sleep(1.0)
        producer.join()
        peak_lag = max(samples.lag)

        total = USERS + WARMUP + len(burst)
        drain_start = time.monotonic()
        while on_timeline() < total:
            samples.rss_mb.append(_rss_mb(worker.pid))
            assert worker.poll() is None, pipeline.worker_log()[-3000:]
            assert time.monotonic() - drain_start < OVERLOAD_S * 4 + 120, (
                f"{on_timeline()} of {total} on the timeline; log:\n{pipeline.worker_log()[-3000:]}"
            )
            time.sleep(1.0)
        pipeline.wait_for(lambda: _lag(pipeline, group) == 0, what="lag drained", timeout_s=60)
    finally:
        stop_reader()

    print(
        f"backpressure: sustainable {sustainable:.0f} uploads/s, produced {rate:.0f}/s for"
        f" {OVERLOAD_S:.0f} s; peak lag {peak_lag}; RSS warm {rss_warm:.0f} MB, peak"
        f" {max(samples.rss_mb):.0f} MB; drained in {time.monotonic() - drain_start:.0f} s"
    )
    # The worker really fell behind: a tenth of the burst waited in the broker.
    assert peak_lag >= len(burst) // 10, samples.lag
    assert on_timeline() == total
    assert max(samples.rss_mb) <= rss_warm * RSS_GROWTH_LIMIT, samples.rss_mb
    assert pipeline.read_all(pipeline.topics.deadletter, idle_s=0.5) == []
