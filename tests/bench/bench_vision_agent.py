"""The streaming vision agent's photos/s against the standalone scorer's, in one run.

Run from the repository root (not collected by pytest)::

    .venv/bin/python -m tests.bench.bench_vision_agent [--photos 96] [--rounds 3]

Batch size and scoring threads come from the worker's own settings
(``PHOTOSTREAM_VISION_BATCH_SIZE``, ``PHOTOSTREAM_VISION_THREADS``), so the
same environment tunes both sides. Both score the same ~2 MP JPEGs
(``tests.bench.bench_vision.two_megapixel_jpegs``) with the agent's
``VisionSettings(providers=settings.vision_providers)``:

1. standalone: ``VisionScorer.score_batch`` in batches of the agent's batch
   size on as many threads as the agent's pool, one pass over the photos;
2. streaming: a dev stack (embedded broker, S3 server, schema registry), the
   photos uploaded to S3 once, one ``photostream worker --role vision``
   warmed up with one request (models loaded, group joined), then a request
   per photo produced at once and the clock stopped when the last
   ``VisionScored`` has been read from ``photos.vision.scored``.

Each round runs both, one after the other, with fresh photo ids (a repeated
request would be skipped as already scored), so load from other processes
drifting during the run skews both sides of a round alike.

Printed: both rates per round and the median ratio (target >= 85 %).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
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


def _request(settings: Settings, index: int, round_: int = 0) -> VisionRequested:
    """A request for photo ``index``; a new round is a new photo id over the same object."""
    photo_id = f"bench-r{round_}-{index}"
    upload = derive_event_id(photo_id, "upload")
    user = f"user-{index % _USERS}"
    return VisionRequested(
        event_id=derive_event_id(photo_id, "vision-request", upload),
        source_event_id=upload,
        user_id=user,
        photo_id=photo_id,
        bucket=_BUCKET,
        key=f"users/{user}/photo-{index}.jpg",
        sha256="0" * 64,
        model_version=settings.vision_model_version,
    )


def standalone_rate(
    scorer: VisionScorer, settings: Settings, photos: list[bytes], requests: list[VisionRequested]
) -> float:
    """Photos per second through ``score_batch``, one pass, batched and threaded as the agent is."""
    items = list(zip(photos, requests, strict=True))
    size = settings.vision_batch_size
    batches = [items[first : first + size] for first in range(0, len(items), size)]
    with ThreadPoolExecutor(settings.vision_threads) as pool:
        start = time.perf_counter()
        list(pool.map(scorer.score_batch, batches))
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


class _Agent:
    """One warmed-up vision worker on the stack, timed over a round of requests at a time."""

    def __init__(self, stack: DevStack, settings: Settings, photos: list[bytes]) -> None:
        self._settings = settings
        self._topics = topic_names(settings)
        self._codec = Codec(registry_from_settings(settings))
        s3 = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region
        )
        for index, data in enumerate(photos):
            key = _request(settings, index).key
            s3.put_object(Bucket=_BUCKET, Key=key, Body=data, ContentType="image/jpeg")
        self._producer = Producer(
            {
                "bootstrap.servers": settings.bootstrap_servers,
                "partitioner": "murmur2_random",
                # The broker drops connections idle through a standalone pass.
                "log.connection.close": False,
            }
        )
        self._scored = _Scored(settings, self._topics.vision_scored, self._codec)
        started = time.perf_counter()
        argv = [sys.executable, "-m", "streams.cli", "worker", "--name", "v1", "--role", "vision"]
        stack.spawn(argv, name="vision-worker", env=settings.to_env())
        warm = _request(settings, 0, round_=-1)
        self._produce([warm])
        self._scored.wait_for({warm.photo_id}, timeout_s=180)
        self.warm_up_s = time.perf_counter() - started

    def _produce(self, requests: list[VisionRequested]) -> None:
        for request in requests:
            value = self._codec.encode(self._topics.vision_requested, request)
            self._producer.produce(
                self._topics.vision_requested, key=request.user_id.encode(), value=value
            )
        self._producer.flush(30)

    def rate(self, requests: list[VisionRequested]) -> float:
        """Photos per second from producing ``requests`` to reading every one's score."""
        start = time.perf_counter()
        self._produce(requests)
        self._scored.wait_for({r.photo_id for r in requests}, timeout_s=600)
        return len(requests) / (time.perf_counter() - start)

    def close(self) -> None:
        """Closes the clients while the broker still runs."""
        self._scored.close()
        self._producer.flush(10)
        del self._producer  # librdkafka closes a producer when it is collected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    photos = two_megapixel_jpegs(args.photos)
    base = Settings.from_env()
    vision = VisionSettings(providers=base.vision_providers)  # what the agent runs
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
            # Warm-up: the first batches on each pool thread allocate.
            warm = photos[: 2 * settings.vision_batch_size * settings.vision_threads]
            standalone_rate(
                scorer, settings, warm, [_request(settings, i, -2) for i in range(len(warm))]
            )
            agent = _Agent(stack, settings, photos)
            print(f"vision worker ready in {agent.warm_up_s:.1f} s")
            ratios = []
            try:
                for round_ in range(args.rounds):
                    requests = [_request(settings, i, round_) for i in range(len(photos))]
                    alone = standalone_rate(scorer, settings, photos, requests)
                    streamed = agent.rate(requests)
                    ratios.append(streamed / alone)
                    print(
                        f"round {round_ + 1}: standalone {alone:.2f} photos/s, "
                        f"agent {streamed:.2f} photos/s, ratio {streamed / alone:.1%}"
                    )
            finally:
                agent.close()
    ratios.sort()
    print(
        f"agent / standalone, median of {len(ratios)} rounds: "
        f"{ratios[len(ratios) // 2]:.1%} (target >= 85 %)"
    )


if __name__ == "__main__":
    main()
