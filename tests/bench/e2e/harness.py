"""The pipeline under test: private topics on the dev stack, worker processes, a reader.

Everything a benchmark measures goes through the real worker processes
(``photostream worker``) on the embedded broker and the S3 server. Upload
events are encoded before the clock starts and produced with a plain
confluent-kafka producer, so the benchmark process spends its time reading,
not encoding. Latency is measured between record timestamps: the upload
event's produce time (taken here) and the timeline event's create time
(stamped by the worker's producer), so the reader's own delay does not count.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from confluent_kafka import Consumer, Message, Producer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from schemas import (
    Codec,
    MetadataExtracted,
    PhotoUploaded,
    Record,
    TimelineItemUpserted,
    VisionScored,
)
from streams.devstack import S3_ENV, DevStack, free_port, start_tied
from streams.registry_client import registry_from_settings
from streams.settings import Settings
from streams.topics import TopicNames, topic_names
from streams.worker import topic_plan_for

from .dataset import BUCKET

__all__ = ["Completions", "IngestStamps", "Pipeline", "Workers", "new_pipeline"]


def new_pipeline(
    stack: DevStack,
    workdir: Path,
    label: str,
    *,
    vision: bool,
    store: str = "memory://",
    **settings_changes: Any,
) -> Pipeline:
    """A pipeline with topics of its own; ``settings_changes`` go to its workers' settings."""
    run = f"{label}-{uuid.uuid4().hex[:6]}"
    endpoints = stack.endpoints
    settings = Settings(
        bootstrap_servers=endpoints.bootstrap_servers,
        s3_endpoint_url=endpoints.s3_endpoint_url,
        schema_registry_url=endpoints.schema_registry_url,
        app_id=f"bench-{run}",
        topic_prefix=f"{run}.",
        partitions=4,
        buckets=(BUCKET,),
        store=store,
        data_dir=workdir / run / "data",
        session_timeout_s=3.0,
        vision_model_version="vision-1" if vision else "",
        # The data set shares a few objects between many users' uploads (one
        # copy per user would not fit in the S3 server's memory), so the
        # owner-prefix check gets a prefix every object sits under.
        object_key_template="bench/",
        http_port=0,
    )
    settings = dataclasses.replace(settings, **settings_changes)
    stack.create_topics(topic_plan_for(settings))
    return Pipeline(settings, topic_names(settings), Codec(registry_from_settings(settings)), run)


@dataclass
class Pipeline:
    settings: Settings
    topics: TopicNames
    codec: Codec
    run: str

    def encode(self, events: Iterable[PhotoUploaded]) -> list[tuple[str, bytes, bytes]]:
        topic = self.topics.uploaded
        return [(e.photo_id, e.user_id.encode(), self.codec.encode(topic, e)) for e in events]

    def producer(self) -> Producer:
        return Producer(
            {
                "bootstrap.servers": self.settings.bootstrap_servers,
                "partitioner": "murmur2_random",
                "acks": "all",
                "linger.ms": 2,
                "log.connection.close": False,
            }
        )


class Workers:
    """Worker processes of one pipeline, each leading its own process group."""

    def __init__(self, pipeline: Pipeline, logdir: Path) -> None:
        self._pipeline = pipeline
        self._logdir = logdir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}

    def start(self, name: str, roles: Sequence[str]) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "streams.cli", "--log-level", "WARNING", "worker"]
        argv += ["--name", name, *(a for role in roles for a in ("--role", role))]
        self.ports[name] = free_port()
        env = {
            **os.environ,
            **S3_ENV,
            **self._pipeline.settings.to_env(),
            "PHOTOSTREAM_HTTP_PORT": str(self.ports[name]),
        }
        proc = start_tied(argv, env, self._logdir / f"{self._pipeline.run}-{name}.log")
        self.procs[name] = proc
        return proc

    def memory_gauges(self, name: str) -> dict[str, float]:
        """What a worker's ``/metrics`` says it holds: table memory by kind, curate's cache."""
        try:
            text = httpx.get(f"http://127.0.0.1:{self.ports[name]}/metrics", timeout=2).text
        except httpx.HTTPError:
            return {}
        gauges: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "photostream_table_memory_bytes":
                    kind = f"table_{sample.labels['kind']}"
                    gauges[kind] = gauges.get(kind, 0.0) + sample.value
                elif sample.name.startswith("photostream_curate_cache_"):
                    gauges[sample.name.removeprefix("photostream_")] = sample.value
        return gauges

    def rss_bytes(self, name: str) -> int:
        """Resident memory of a worker and its children."""
        try:
            root = psutil.Process(self.procs[name].pid)
            return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
        except psutil.NoSuchProcess:
            return 0

    def cpu_seconds(self, names: Iterable[str] | None = None) -> float:
        total = 0.0
        for name in names or list(self.procs):
            with contextlib.suppress(psutil.NoSuchProcess):
                times = psutil.Process(self.procs[name].pid).cpu_times()
                total += times.user + times.system
        return total

    def check_alive(self) -> None:
        dead = {name: p.returncode for name, p in self.procs.items() if p.poll() is not None}
        if dead:
            raise RuntimeError(f"worker(s) exited: {dead}; logs in {self._logdir}")

    def stop_all(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        self.procs.clear()


@dataclass
class Completions:
    """What the reader has seen, by photo id: timeline create time and receive time."""

    timeline_ms: dict[str, int] = field(default_factory=dict)
    received: dict[str, float] = field(default_factory=dict)
    scored: set[str] = field(default_factory=set)


class TopicFollower:
    """Reads topics from the start on a thread of its own; subclasses take each event."""

    def __init__(self, pipeline: Pipeline, topics: Sequence[str], name: str) -> None:
        self._pipeline = pipeline
        self._lock = threading.Lock()
        self._stop = threading.Event()
        settings = pipeline.settings
        self._consumer = Consumer(
            {
                "bootstrap.servers": settings.bootstrap_servers,
                "group.id": f"{name}-{uuid.uuid4()}",
                "enable.auto.commit": False,
                # Latency comes from record timestamps, so reading late costs
                # nothing; a short wait does: the embedded broker answers a
                # fetch empty once its scan of a long partition outlasts the
                # wait (10 ms starved this reader in a 46,000-upload soak).
                "fetch.wait.max.ms": 100,
            }
        )
        self._consumer.assign(
            [TopicPartition(t, p, 0) for t in topics for p in range(settings.partitions)]
        )
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _take(self, message: Message, event: Record) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        decode = self._pipeline.codec.decode
        while not self._stop.is_set():
            for message in self._consumer.consume(500, 0.05):
                value = message.value()
                if message.error() or value is None:
                    continue
                event = decode(value)
                with self._lock:
                    self._take(message, event)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._consumer.close()


class Reader(TopicFollower):
    """Reads the timeline (and the vision scores) from the start on a thread of its own."""

    def __init__(self, pipeline: Pipeline, *, scores: bool) -> None:
        self.done = Completions()
        topics = [pipeline.topics.timeline] + ([pipeline.topics.vision_scored] if scores else [])
        super().__init__(pipeline, topics, "bench-reader")

    def _take(self, message: Message, event: Record) -> None:
        if isinstance(event, TimelineItemUpserted):
            if event.photo_id not in self.done.timeline_ms:
                self.done.timeline_ms[event.photo_id] = message.timestamp()[1]
                self.done.received[event.photo_id] = time.time()
        elif isinstance(event, VisionScored):
            self.done.scored.add(event.photo_id)

    def count(self, *, scored: bool = False) -> int:
        with self._lock:
            return len(self.done.scored if scored else self.done.timeline_ms)

    def has(self, photo_ids: Iterable[str], *, scored: bool = False) -> bool:
        with self._lock:
            seen = self.done.scored if scored else self.done.timeline_ms
            return all(p in seen for p in photo_ids)

    def wait_for(
        self,
        photo_ids: Sequence[str],
        workers: Workers,
        *,
        timeout_s: float,
        scored: bool = False,
    ) -> float:
        """Wall time (``time.time()``) when the last of ``photo_ids`` was seen."""
        deadline = time.monotonic() + timeout_s
        while not self.has(photo_ids, scored=False) or (
            scored and not self.has(photo_ids, scored=True)
        ):
            if time.monotonic() > deadline:
                missing = sum(1 for p in photo_ids if p not in self.done.timeline_ms)
                raise TimeoutError(f"{missing} of {len(photo_ids)} timeline items missing")
            workers.check_alive()
            time.sleep(0.02)
        return time.time()


class IngestStamps(TopicFollower):
    """Reads ``photos.metadata``: the create time ingest's producer gave each photo's event.

    The relay copies metadata events into curate's input log with their
    original timestamp, so this is the one stamp between the upload and
    the timeline item: it splits a latency into ingest, and relay + curate.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self.stamped_ms: dict[str, int] = {}
        super().__init__(pipeline, [pipeline.topics.metadata], "bench-ingest-stamps")

    def _take(self, message: Message, event: Record) -> None:
        if isinstance(event, MetadataExtracted):
            self.stamped_ms.setdefault(event.photo_id, message.timestamp()[1])

    def of(self, photo_ids: Iterable[str]) -> dict[str, int]:
        with self._lock:
            return {p: self.stamped_ms[p] for p in photo_ids if p in self.stamped_ms}


def produce(
    producer: Producer, topic: str, encoded: Sequence[tuple[str, bytes, bytes]]
) -> dict[str, float]:
    """Produce at once; the produce time of each photo id."""
    sent: dict[str, float] = {}
    for photo_id, key, value in encoded:
        while True:
            try:
                producer.produce(topic, key=key, value=value)
                break
            except BufferError:
                producer.poll(0.01)
        sent[photo_id] = time.time()
        producer.poll(0)
    producer.flush(60)
    return sent


def produce_paced(
    producer: Producer, topic: str, encoded: Sequence[tuple[str, bytes, bytes]], rate: float
) -> dict[str, float]:
    """Produce at ``rate`` events/s on an even schedule; the produce time of each photo id."""
    sent: dict[str, float] = {}
    start = time.perf_counter()
    for index, (photo_id, key, value) in enumerate(encoded):
        due = start + index / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        producer.produce(topic, key=key, value=value)
        sent[photo_id] = time.time()
        producer.poll(0)
    producer.flush(60)
    return sent


def warm_up(
    pipeline: Pipeline,
    workers: Workers,
    reader: Reader,
    events: list[PhotoUploaded],
    *,
    scored: bool = False,
    timeout_s: float = 180.0,
) -> None:
    """Until a batch covering every user goes through (group joined, data loaded, models loaded)."""
    producer = pipeline.producer()
    produce(producer, pipeline.topics.uploaded, pipeline.encode(events))
    reader.wait_for([e.photo_id for e in events], workers, timeout_s=timeout_s, scored=scored)
