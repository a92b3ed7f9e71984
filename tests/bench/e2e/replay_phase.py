"""The replay phase: recorded uploads re-processed through the backfill lane, live traffic on.

What an operator does after a vision model upgrade (README, "Runbook:
reprocess after a model upgrade"): the uploads were processed at one model
version; the workers are restarted with ``PHOTOSTREAM_VISION_MODEL_VERSION``
set to the new one, which changes ingest's dedupe key (``ingest_seen_key``:
event id, extractor version, model version), so every recorded upload counts
as new again; ``photostream replay --outdated vision`` then re-publishes, from
the step ledger, every photo not yet scored at the new version to
``photos.uploaded.backfill``. What ingest emits for a re-processed upload is
a ``VisionRequested`` at the new version, which is what this phase reads back.
No vision worker runs: scoring is the vision lane's work, scaled apart; this
phase measures the ingest backfill lane.

While the backfill lane is busy, a paced live producer sends new uploads at a
share of the 1-worker rate for a fixed window; their upload-to-timeline
latency is the live traffic's. The window is fixed rather than as long as the
replay because the backfill lane yields to live uploads entirely (it waits
for the live lane to be quiet for 0.25 s before each event): at a steady live
rate it may not move at all, and a replay that waits for live traffic to stop
would never end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from confluent_kafka import Message

from schemas import PhotoUploaded, Record, VisionRequested
from streams.devstack import S3_ENV, DevStack, start_tied
from tests.chaos.diagnose import stages

from .dataset import PhotoObject, upload_events
from .harness import IngestStamps, Pipeline, Reader, TopicFollower, Workers, produce
from .phases import feed, paced_latency, running

__all__ = ["replay"]

_FROM_VERSION = "vision-1"
_TO_VERSION = "vision-2"
_REPLAY_ARGS = ("replay", "--outdated", "vision")
_LATE_WAIT_S = 600.0


class _Requests(TopicFollower):
    """Reads ``photos.vision.requested``: when each photo's request at ``version`` arrived."""

    def __init__(self, pipeline: Pipeline, version: str) -> None:
        self._version = version
        self.received: dict[str, float] = {}
        super().__init__(pipeline, [pipeline.topics.vision_requested], "bench-requests")

    def _take(self, message: Message, event: Record) -> None:
        if isinstance(event, VisionRequested) and event.model_version == self._version:
            self.received.setdefault(event.photo_id, time.time())

    def seen(self, photo_ids: set[str]) -> dict[str, float]:
        with self._lock:
            return {p: t for p, t in self.received.items() if p in photo_ids}


class _ReplayTool:
    """``photostream replay`` in its own process group, output kept in a log."""

    def __init__(self, pipeline: Pipeline, log: Path) -> None:
        argv = [sys.executable, "-m", "streams.cli", "--log-level", "WARNING", *_REPLAY_ARGS]
        env = {**os.environ, **S3_ENV, **pipeline.settings.to_env()}
        self._log = log
        self.proc = start_tied(argv, env, log)
        self.started = time.time()
        self.ended: float | None = None
        threading.Thread(target=self._note_end, name="bench-replay-tool", daemon=True).start()

    def _note_end(self) -> None:
        self.proc.wait()
        self.ended = time.time()

    def running(self) -> bool:
        return self.proc.poll() is None

    def check(self) -> None:
        """Raise if the tool failed."""
        code = self.proc.poll()
        if code is not None and code != 0:
            raise RuntimeError(f"photostream replay exited {code}: {self._log.read_text()[-2000:]}")

    def published(self) -> int | None:
        found = re.findall(r"done: (\d+) published", self._log.read_text())
        return int(found[-1]) if found else None

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def _write_trail(
    pipeline: Pipeline, batch: list[PhotoUploaded], reader: Reader, logdir: Path
) -> None:
    """Write where each upload of ``batch`` without a timeline item stopped."""
    missing = [e.photo_id for e in batch if e.photo_id not in reader.done.timeline_ms]
    trail = stages(pipeline.settings, pipeline.topics, missing)
    lines = [f"{pid}: {' -> '.join(topics) or 'nowhere'}" for pid, topics in trail.items()]
    logdir.mkdir(parents=True, exist_ok=True)
    path = logdir / f"{pipeline.run}-restart-trail.txt"
    path.write_text("\n".join(lines) + "\n")
    print(f"restart batch: {len(missing)} without a timeline item; trail in {path}", flush=True)


def _settle(
    count: Callable[[], int],
    total: int,
    what: str,
    workers: Workers,
    tool: _ReplayTool | None,
    *,
    timeout_s: float,
    stall_s: float = 120.0,
) -> int:
    """Wait until ``count()`` reaches ``total``, or stops growing; returns the count.

    A count that stops short (after the replay tool, if any, is done) is
    returned rather than waited on until the timeout: an upload the
    pipeline lost shows up in the results as missing instead of ending the
    whole run.
    """
    deadline = time.monotonic() + timeout_s
    seen, moved = count(), time.monotonic()
    while seen < total:
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"{what}: {seen} of {total}")
        if seen and now - moved > stall_s and (tool is None or not tool.running()):
            return seen
        workers.check_alive()
        if tool is not None:
            tool.check()
        time.sleep(0.1)
        latest = count()
        if latest != seen:
            seen, moved = latest, time.monotonic()
    return seen


def replay(
    stack: DevStack,
    objects: list[PhotoObject],
    workdir: Path,
    *,
    total: int,
    users: int,
    live_rate: float,
    live_seconds: float,
    live_users: int = 500,
    record_workers: int = 2,
    store: str = "memory://",
) -> dict[str, Any]:
    """Record ``total`` uploads, upgrade the model, replay them all with live traffic on.

    The recording runs on ``record_workers`` workers (only to save time);
    the replay on one, so its figures compare with the 1-worker rate the
    live load is a share of.
    """
    with running(
        stack,
        objects,
        workdir,
        "replay",
        workers=record_workers,
        vision=True,
        vision_workers=False,
        store=store,
    ) as run:
        recorded_at = time.time()
        feed(
            run.pipeline,
            run.workers,
            run.reader,
            objects,
            total=total,
            users=users,
            timeout_s=900 + total * 0.05,
        )
        record_seconds = time.time() - recorded_at
        # Every upload processed so far, the warm-up's included: all of them
        # are in the ledger as requested at the old version, never scored.
        wanted = set(run.reader.done.timeline_ms)
        run.workers.stop_all()

        upgraded = dataclasses.replace(
            run.pipeline,
            settings=dataclasses.replace(run.pipeline.settings, vision_model_version=_TO_VERSION),
        )
        workers = Workers(upgraded, workdir / "logs")
        requests = _Requests(upgraded, _TO_VERSION)
        stamps = IngestStamps(upgraded)
        tool: _ReplayTool | None = None
        try:
            workers.start("ic1", ("ingest", "curate"))
            # Joined and tables recovered once a new batch goes through.
            batch = list(upload_events(objects, count=32, users=32, run=f"{upgraded.run}-upgraded"))
            restarted_at = time.time()
            before = run.reader.count()
            produce(upgraded.producer(), upgraded.topics.uploaded, upgraded.encode(batch))

            def through_restarted(what: str, *, timeout_s: float, stall_s: float) -> int:
                return _settle(
                    lambda: run.reader.count() - before,
                    len(batch),
                    what,
                    workers,
                    None,
                    timeout_s=timeout_s,
                    stall_s=stall_s,
                )

            through = through_restarted(
                "uploads through the restarted worker", timeout_s=900, stall_s=60
            )
            late_through = through
            if through < len(batch):
                # Late or lost: wait much longer, then say where each one stopped.
                late_through = through_restarted(
                    "late uploads through the restarted worker",
                    timeout_s=_LATE_WAIT_S + 60,
                    stall_s=_LATE_WAIT_S,
                )
                _write_trail(upgraded, batch, run.reader, workdir / "logs")
            restart_seconds = (
                max(run.reader.done.received.get(e.photo_id, 0.0) for e in batch) - restarted_at
            )
            time.sleep(2.0)

            def live_window(label: str) -> dict[str, Any]:
                return paced_latency(
                    upgraded,
                    workers,
                    run.reader,
                    objects,
                    rate=live_rate,
                    count=max(50, int(live_rate * live_seconds)),
                    users=live_users,
                    label=label,
                    # Live uploads stuck behind the backfill come out when it
                    # drains: wait as long as the replay may take.
                    timeout_s=1800 + len(wanted) * 0.5,
                    stamps=stamps,
                )

            # The same live load on the same topics with no replay running:
            # what the replay adds to live latency, apart from what a pipeline
            # that has stored ``total`` uploads costs the broker on every fetch.
            control = live_window("control")
            time.sleep(2.0)

            tool = replaying = _ReplayTool(
                upgraded, workdir / "logs" / f"{upgraded.run}-replay.log"
            )
            _settle(
                lambda: len(requests.seen(wanted)),
                1,
                "replayed uploads out of the backfill lane",
                workers,
                tool,
                timeout_s=600,
            )
            live_from = time.time()
            live = live_window("live")
            live_to = live_from + live["uploads"] / live_rate
            _settle(
                lambda: len(requests.seen(wanted)),
                len(wanted),
                "replayed uploads re-processed",
                workers,
                tool,
                timeout_s=1800 + len(wanted) * 0.5,
            )
            _settle(
                lambda: 0 if replaying.running() else 1,
                1,
                "replay tool finished",
                workers,
                None,
                timeout_s=60,
            )
            done = requests.seen(wanted)
        finally:
            if tool is not None:
                tool.stop()
            requests.close()
            stamps.close()
            workers.stop_all()

    start = tool.started
    last = max(done.values())
    during = sum(1 for t in done.values() if live_from <= t < live_to)
    after = [t for t in done.values() if t >= live_to]
    return {
        "store": store,
        "selection": "photostream " + " ".join(_REPLAY_ARGS),
        "versions": [_FROM_VERSION, _TO_VERSION],
        "recorded_uploads": total,
        "record_workers": record_workers,
        "record_seconds": record_seconds,
        "restart_seconds": restart_seconds,
        # Uploads the restarted worker had not turned into a timeline item
        # after 60 s without progress, and after {_LATE_WAIT_S} s more: lost.
        "restart_batch_late": late_through - through,
        "restart_batch_missing": len(batch) - late_through,
        "uploads": len(wanted),
        "missing": len(wanted) - len(done),
        "published": tool.published(),
        "tool_seconds": (tool.ended or last) - start,
        "seconds": last - start,
        "uploads_per_s": len(done) / (last - start),
        "before_live": sum(1 for t in done.values() if t < live_from),
        "before_live_seconds": live_from - start,
        "during_live": during,
        "during_live_per_s": during / (live_to - live_from),
        "after_live_per_s": len(after) / (last - live_to) if after and last > live_to else 0.0,
        "live": {"seconds": live_to - live_from, **live},
        "live_without_replay": control,
    }
