"""The streaming vision agent's photos/s against the standalone scorer's, in one run.

Run from the repository root (not collected by pytest)::

    .venv/bin/python -m tests.bench.bench_vision_agent [--photos 96]

Batch size and scoring threads come from the worker's own settings
(``PHOTOSTREAM_VISION_BATCH_SIZE``, ``PHOTOSTREAM_VISION_THREADS``), so the
same environment tunes both sides. Both score the same ~2 MP JPEGs
(``tests.bench.bench_vision.two_megapixel_jpegs``) with the agent's
``VisionSettings(embedding_in_record=False)``:

1. standalone: ``VisionScorer.score_batch`` in batches of the agent's batch
   size, one pass over the photos before and one after the agent run (the
   mean is the reference, so load drifting during the run skews both alike);
2. streaming: a dev stack (embedded broker, S3 server, schema registry), the
   photos uploaded to S3, one ``photostream worker --role vision`` warmed up
   with one request (models loaded, group joined), then every request
   produced at once and the clock stopped when the last ``VisionScored``
   has been read from ``photos.vision.scored``.

Printed: both rates and their ratio (target >= 85 %).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3
from confluent_kafka import Consumer, Producer, TopicPartition

from processors.vision import VisionScorer, VisionSettings
from schemas import Codec, VisionRequested, VisionScored, derive_event_id
from streams.devstack import S3_ENV, DevStack
from streams.registry_client import registry_from_settings
from streams.settings import Settings
from streams.topics import topic_names
from streams.worker import topic_plan_for
from tests.bench.bench_vision import two_megapixel_jpegs

_BUCKET = "photos"
_USERS = 8


def _request(settings: Settings, index: int) -> VisionRequested:
    photo_id = f"bench-{index}"
    upload = derive_event_id(photo_id, "upload")
    user = f"user-{index % _USERS}"
    return VisionRequested(
        event_id=derive_event_id(photo_id, "vision-request", upload),
        source_event_id=upload,
        user_id=user,
        photo_id=photo_id,
        bucket=_BUCKET,
        key=f"users/{user}/{photo_id}.jpg",
        sha256="0" * 64,
        model_version=settings.vision_model_version,
    )


def standalone_rate(
    scorer: VisionScorer, settings: Settings, photos: list[bytes], requests: list[VisionRequested]
) -> float:
    """Photos per second through ``score_batch`` in batches of the agent's size, one pass."""
    items = list(zip(photos, requests, strict=True))
    size = settings.vision_batch_size
    start = time.perf_counter()
    for first in range(0, len(items), size):
        scorer.score_batch(items[first : first + size])
    return len(items) / (time.perf_counter() - start)


class _Scored:
    """Reads ``photos.vision.scored`` from the start, collecting photo ids."""

    def __init__(self, settings: Settings, topic: str, codec: Codec) -> None:
        self._codec = codec
        self._consumer = Consumer(
            {
                "bootstrap.servers": settings.bootstrap_servers,
                "group.id": f"bench-{uuid.uuid4()}",
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 20,
            }
        )
        self._consumer.assign([TopicPartition(topic, p, 0) for p in range(settings.partitions)])
        self.photo_ids: set[str] = set()

    def wait_for(self, photo_ids: set[str], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not photo_ids <= self.photo_ids:
            if time.monotonic() > deadline:
                missing = len(photo_ids - self.photo_ids)
                raise TimeoutError(f"{missing} of {len(photo_ids)} scores missing")
            message = self._consumer.poll(0.05)
            if message is None or message.error() or message.value() is None:
                continue
            event = self._codec.decode(message.value())
            if isinstance(event, VisionScored):
                self.photo_ids.add(event.photo_id)

    def close(self) -> None:
        self._consumer.close()


def agent_rate(
    stack: DevStack, settings: Settings, photos: list[bytes], requests: list[VisionRequested]
) -> tuple[float, float]:
    """Photos per second through one vision worker, and its warm-up time in seconds."""
    topics = topic_names(settings)
    codec = Codec(registry_from_settings(settings))
    s3 = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region)
    for data, request in zip(photos, requests, strict=True):
        s3.put_object(Bucket=_BUCKET, Key=request.key, Body=data, ContentType="image/jpeg")
    warm = _request(settings, len(photos))
    s3.put_object(Bucket=_BUCKET, Key=warm.key, Body=photos[0], ContentType="image/jpeg")

    producer = Producer(
        {"bootstrap.servers": settings.bootstrap_servers, "partitioner": "murmur2_random"}
    )

    def produce(batch: list[VisionRequested]) -> None:
        for request in batch:
            value = codec.encode(topics.vision_requested, request)
            producer.produce(topics.vision_requested, key=request.user_id.encode(), value=value)
        producer.flush(30)

    scored = _Scored(settings, topics.vision_scored, codec)
    try:
        started = time.perf_counter()
        argv = [sys.executable, "-m", "streams.cli", "worker", "--name", "v1", "--role", "vision"]
        stack.spawn(argv, name="vision-worker", env=settings.to_env())
        produce([warm])
        scored.wait_for({warm.photo_id}, timeout_s=180)
        warm_s = time.perf_counter() - started
        start = time.perf_counter()
        produce(requests)
        scored.wait_for({r.photo_id for r in requests}, timeout_s=600)
        return len(requests) / (time.perf_counter() - start), warm_s
    finally:
        scored.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=96)
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    photos = two_megapixel_jpegs(args.photos)
    base = Settings.from_env()
    vision = VisionSettings(embedding_in_record=False)  # what the agent runs
    scorer = VisionScorer.from_settings(vision)
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{args.photos} photos of ~2 MP, model set {scorer.model_version}, "
        f"batch size {base.vision_batch_size}, scoring threads {base.vision_threads}"
    )
    os.environ.update(S3_ENV)
    with tempfile.TemporaryDirectory(prefix="bench-vision-") as tmp:
        stack = DevStack(topics={}, buckets=[_BUCKET], run_dir=Path(tmp) / "stack")
        with stack:
            endpoints = stack.endpoints
            settings = base.with_changes(
                bootstrap_servers=endpoints.bootstrap_servers,
                s3_endpoint_url=endpoints.s3_endpoint_url,
                schema_registry_url=endpoints.schema_registry_url,
                app_id=f"bench-vision-{run}",
                topic_prefix=f"b{run}.",
                partitions=4,
                buckets=(_BUCKET,),
                data_dir=Path(tmp) / "data",
                session_timeout_s=3.0,
            )
            stack.create_topics(topic_plan_for(settings))
            requests = [_request(settings, i) for i in range(args.photos)]
            scorer.score_batch([(photos[0], requests[0])])  # warm-up: first inference allocates
            before = standalone_rate(scorer, settings, photos, requests)
            print(f"standalone scorer (before): {before:.2f} photos/s")
            rate, warm_s = agent_rate(stack, settings, photos, requests)
            print(f"vision agent, 1 worker: {rate:.2f} photos/s (warm-up {warm_s:.1f} s)")
        after = standalone_rate(scorer, settings, photos, requests)
        print(f"standalone scorer (after): {after:.2f} photos/s")
    reference = (before + after) / 2
    print(f"agent / standalone: {rate / reference:.1%} (target >= 85 %)")


if __name__ == "__main__":
    main()
