"""The measured phases: throughput, latency under a paced load, and the memory soak."""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from confluent_kafka import Producer

from streams.devstack import DevStack

from .dataset import PhotoObject, upload_events
from .harness import (
    IngestStamps,
    Pipeline,
    Reader,
    Workers,
    new_pipeline,
    produce,
    produce_paced,
    warm_up,
)

__all__ = ["feed", "latency", "paced_latency", "running", "soak", "throughput"]

_INGEST_CURATE = ("ingest", "curate")
_WARM_UP_USERS = 32


@dataclass
class _Running:
    pipeline: Pipeline
    workers: Workers
    reader: Reader


@contextmanager
def running(
    stack: DevStack,
    objects: list[PhotoObject],
    workdir: Path,
    label: str,
    *,
    workers: int,
    vision: bool,
    vision_workers: bool | None = None,
    store: str = "memory://",
    **settings_changes: Any,
) -> Iterator[_Running]:
    """A pipeline with its ingest+curate (and vision) workers started and warmed up.

    ``vision`` has ingest request scores; ``vision_workers`` (default: the
    same) starts a vision worker to score them. ``settings_changes`` go to
    the workers' settings.
    """
    pipeline = new_pipeline(stack, workdir, label, vision=vision, store=store, **settings_changes)
    group = Workers(pipeline, workdir / "logs")
    scoring = vision if vision_workers is None else vision_workers
    reader = Reader(pipeline, scores=scoring)
    try:
        for index in range(workers):
            group.start(f"ic{index + 1}", _INGEST_CURATE)
        if scoring:
            group.start("vision", ("vision",))
        # Twice: the second batch goes through only after every worker has
        # joined and the group has settled.
        for round_ in range(2):
            batch = upload_events(
                objects, count=_WARM_UP_USERS, users=_WARM_UP_USERS, run=f"warm{round_}"
            )
            warm_up(pipeline, group, reader, list(batch), scored=scoring)
            time.sleep(2.0)
        yield _Running(pipeline, group, reader)
    finally:
        reader.close()
        group.stop_all()


def throughput(
    stack: DevStack,
    objects: list[PhotoObject],
    workdir: Path,
    *,
    workers: int,
    vision: bool,
    count: int,
    users: int,
    profile: Path | None = None,
) -> dict[str, Any]:
    """Uploads/s from producing ``count`` uploads at once to the last one's timeline item.

    With ``profile``, py-spy samples the first worker while it works and
    writes its collapsed stacks there.
    """
    label = f"tp{workers}{'v' if vision else ''}"
    with running(stack, objects, workdir, label, workers=workers, vision=vision) as run:
        events = list(upload_events(objects, count=count, users=users, run=run.pipeline.run))
        encoded = run.pipeline.encode(events)
        ids = [e.photo_id for e in events]
        cpu_before = run.workers.cpu_seconds()
        spy = _py_spy(run.workers.procs["ic1"].pid, profile) if profile else None
        start = time.time()
        produce(run.pipeline.producer(), run.pipeline.topics.uploaded, encoded)
        last = run.reader.wait_for(ids, run.workers, timeout_s=1800, scored=vision)
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            spy.wait(60)
        cpu = run.workers.cpu_seconds() - cpu_before
        timeline_last = max(run.reader.done.received[p] for p in ids)
    return {
        "workers": workers,
        "vision": vision,
        "uploads": count,
        "seconds": last - start,
        "uploads_per_s": count / (last - start),
        "timeline_uploads_per_s": count / (timeline_last - start),
        "worker_cpu_ms_per_upload": cpu / count * 1000,
    }


def _py_spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    py_spy = Path(sys.executable).with_name("py-spy")
    argv = [str(py_spy), "record", "--pid", str(pid), "--format", "raw", "--threads"]
    argv += ["--rate", "200", "--output", str(out)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(values)}


def _ms(percentiles: dict[str, float]) -> dict[str, float]:
    return {k: v * 1000 for k, v in percentiles.items()}


def latency(
    stack: DevStack,
    objects: list[PhotoObject],
    workdir: Path,
    *,
    max_rate: float,
    loads: tuple[float, ...],
    seconds: float,
    users: int,
) -> list[dict[str, Any]]:
    """Upload-to-timeline latency at fractions of ``max_rate``, one worker, paced producer."""
    rows = []
    with running(stack, objects, workdir, "lat", workers=1, vision=False) as run:
        producer = run.pipeline.producer()
        stamps = IngestStamps(run.pipeline)
        for load in loads:
            rate = max_rate * load
            row = paced_latency(
                run.pipeline,
                run.workers,
                run.reader,
                objects,
                rate=rate,
                count=max(50, int(rate * seconds)),
                users=users,
                label=f"{load:.2f}",
                producer=producer,
                stamps=stamps,
            )
            rows.append({"load": load, **row})
            time.sleep(2.0)
        stamps.close()
    return rows


def paced_latency(
    pipeline: Pipeline,
    workers: Workers,
    reader: Reader,
    objects: list[PhotoObject],
    *,
    rate: float,
    count: int,
    users: int,
    label: str,
    producer: Producer | None = None,
    timeout_s: float = 600.0,
    stamps: IngestStamps | None = None,
) -> dict[str, Any]:
    """``count`` new uploads at ``rate``/s; their upload-to-timeline percentiles in ms.

    With ``stamps``, also each hop's: upload to metadata event (ingest), and
    metadata event to timeline item (relay and curate).
    """
    events = list(upload_events(objects, count=count, users=users, run=f"{pipeline.run}-{label}"))
    encoded = pipeline.encode(events)
    if producer is None:  # not ``or``: a Producer's truth is its queue length
        producer = pipeline.producer()
    sent = produce_paced(producer, pipeline.topics.uploaded, encoded, rate)
    reader.wait_for(list(sent), workers, timeout_s=timeout_s)
    done = reader.done
    finished = {
        p: done.timeline_ms[p] / 1000 if done.timeline_ms[p] > 0 else done.received[p] for p in sent
    }
    seconds = [finished[p] - sent[p] for p in sent]
    hops: dict[str, dict[str, float]] = {}
    if stamps is not None:
        # The stamps' reader runs on its own thread, a moment behind.
        deadline = time.monotonic() + 10.0
        while len(stamps.of(sent)) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.05)
        ingested = {p: ms / 1000 for p, ms in stamps.of(sent).items()}
        if ingested:
            hops = {
                "ingest": _ms(_percentiles([ingested[p] - sent[p] for p in ingested])),
                "relay_curate": _ms(_percentiles([finished[p] - ingested[p] for p in ingested])),
            }
    return {
        "rate": rate,
        "uploads": count,
        **_ms(_percentiles(seconds)),
        **({"hops": hops} if hops else {}),
    }


class _Sampler(threading.Thread):
    """Samples worker and broker RSS and progress every ``interval_s``."""

    def __init__(self, workers: Workers, reader: Reader, broker_pid: int, interval_s: float):
        super().__init__(name="bench-rss", daemon=True)
        self._workers, self._reader, self._interval = workers, reader, interval_s
        self._broker = psutil.Process(broker_pid)
        self._halt = threading.Event()
        self.samples: list[dict[str, float]] = []
        self._start = time.monotonic()

    def run(self) -> None:
        while not self._halt.wait(self._interval):
            self.samples.append(
                {
                    "t": time.monotonic() - self._start,
                    "done": self._reader.count(),
                    "worker_rss": self._workers.rss_bytes("ic1"),
                    "broker_rss": self._broker.memory_info().rss,
                    "broker_cpu": sum(self._broker.cpu_times()[:2]),
                    # What the worker holds in its bounded caches, to tell
                    # them filling up from memory that nothing bounds.
                    **self._workers.memory_gauges("ic1"),
                }
            )

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


def _plateau(samples: list[dict[str, float]], total: int, warm_up: float) -> dict[str, float]:
    after = [s for s in samples if s["done"] >= warm_up * total]
    if len(after) < 4:
        return {"baseline_rss": 0.0, "final_rss": 0.0, "peak_rss": 0.0, "growth": 0.0}
    head = after[: max(2, len(after) // 10)]
    tail = after[-max(2, len(after) // 10) :]
    baseline = statistics.median(s["worker_rss"] for s in head)
    final = statistics.median(s["worker_rss"] for s in tail)
    return {
        "baseline_rss": baseline,
        "final_rss": final,
        "peak_rss": max(s["worker_rss"] for s in after),
        "growth": final / baseline - 1,
    }


def soak(
    stack: DevStack,
    objects: list[PhotoObject],
    workdir: Path,
    *,
    total: int,
    users: int,
    backlog: int = 4000,
    chunk: int = 1000,
    warm_up_share: float = 0.2,
    store: str = "rocksdb://",
    cache_users: int | None = None,
) -> dict[str, Any]:
    """``total`` uploads through one worker as fast as it takes them, RSS sampled.

    ``store`` is the worker's table store: RocksDB by default, as in
    production, so the tables' growth with the data lands on disk rather than
    in the worker's heap and what the RSS shows is the worker's own memory.
    ``cache_users`` replaces the default bound of curate's cache in users.
    """
    changes = {} if cache_users is None else {"curate_cache_users": cache_users}
    with running(
        stack, objects, workdir, "soak", workers=1, vision=False, store=store, **changes
    ) as run:
        settings = run.pipeline.settings
        bounds = (settings.curate_cache_users, settings.curate_cache_photos)
        sampler = _Sampler(run.workers, run.reader, stack.pids()["broker"], interval_s=2.0)
        sampler.start()
        start = time.time()
        base = run.reader.count()
        try:
            feed(
                run.pipeline,
                run.workers,
                run.reader,
                objects,
                total=total,
                users=users,
                backlog=backlog,
                chunk=chunk,
            )
            elapsed = time.time() - start
        finally:
            sampler.stop()
        samples = [{**s, "done": s["done"] - base} for s in sampler.samples]
    return {
        "store": store,
        "curate_cache_bounds": bounds,
        "uploads": total,
        "users": users,
        "seconds": elapsed,
        "uploads_per_s": total / elapsed,
        "warm_up_share": warm_up_share,
        "samples": samples,
        **_plateau(samples, total, warm_up_share),
    }


def feed(
    pipeline: Pipeline,
    workers: Workers,
    reader: Reader,
    objects: list[PhotoObject],
    *,
    total: int,
    users: int,
    backlog: int = 4000,
    chunk: int = 1000,
    timeout_s: float = 900.0,
) -> list[str]:
    """``total`` new uploads as fast as the workers take them; returns their photo ids.

    At most ``backlog`` are outstanding at a time, so the broker holds the
    queue and the timing shows the workers' pace, not the producer's.
    """
    producer = pipeline.producer()
    base = reader.count()
    ids: list[str] = []
    while len(ids) < total:
        while len(ids) - (reader.count() - base) > backlog:
            workers.check_alive()
            time.sleep(0.05)
        batch = list(
            upload_events(
                objects,
                count=min(chunk, total - len(ids)),
                users=users,
                run=pipeline.run,
                start=len(ids),
            )
        )
        produce(producer, pipeline.topics.uploaded, pipeline.encode(batch))
        ids += [e.photo_id for e in batch]
    deadline = time.monotonic() + timeout_s
    while reader.count() - base < total:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{reader.count() - base} of {total} uploads done")
        workers.check_alive()
        time.sleep(0.2)
    return ids
