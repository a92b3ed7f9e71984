"""``photostream replay`` against the real broker, S3 server and workers."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from confluent_kafka import Consumer, TopicPartition

from processors.curation import Curated, fold
from schemas import MetadataExtracted, PhotoUploaded, Record, VisionScored
from streams.devstack import S3_ENV
from streams.ops.ledger import STEP_VISION, LedgerEntry, latest_entries, user_partition
from streams.ops.topic_reader import TopicReader
from streams.samples import generate_samples
from streams.sdk import EventConsumer
from streams.worker import consumer_group

from .conftest import BUCKET, Pipeline

pytestmark = pytest.mark.integration

USERS = ("alice", "bob", "carol")


def _replay(
    pipeline: Pipeline, *args: str, timeout_s: float = 120.0
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **S3_ENV, **pipeline.settings.to_env()}
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", "replay", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def _total(dry_run: subprocess.CompletedProcess[str]) -> int:
    assert dry_run.returncode == 0, dry_run.stderr
    match = re.search(r"total: (\d+) records", dry_run.stdout)
    assert match, dry_run.stdout
    return int(match.group(1))


def _per_partition(dry_run: subprocess.CompletedProcess[str]) -> dict[int, int]:
    return {
        int(p): int(n)
        for p, n in re.findall(r"partition (\d+): (\d+) records", dry_run.stdout)
        if int(n)
    }


def _jpeg() -> bytes:
    return next(s.data for s in generate_samples() if s.expect_ok and s.filename.endswith(".jpg"))


def _events(pipeline: Pipeline, count: int, *, put: bool = False) -> list[PhotoUploaded]:
    data = _jpeg()
    return [
        pipeline.upload(data, user_id=USERS[i % len(USERS)], put=put, filename=f"IMG_{i:04d}.jpg")
        for i in range(count)
    ]


def _records(pipeline: Pipeline, topic: str) -> list[tuple[int, bytes | None, bytes | None]]:
    with TopicReader(pipeline.settings.bootstrap_servers) as reader:
        return [(m.partition() or 0, m.key(), m.value()) for m in reader.read_topic(topic)]


def _materialise(pipeline: Pipeline) -> tuple[Curated, int]:
    """The timeline and albums a downstream consumer holds; and how many records it read."""
    consumer = EventConsumer(
        pipeline.settings.bootstrap_servers,
        f"view-{uuid.uuid4().hex[:8]}",
        [pipeline.topics.timeline, pipeline.topics.albums],
        pipeline.codec,
        deadletter_topic=pipeline.topics.deadletter,
        config={"session.timeout.ms": 3000, "heartbeat.interval.ms": 500},
    )
    events: list[Record] = []
    idle = 0
    try:
        for consumed in consumer.events(timeout_s=1.0):
            if consumed is None:
                idle += 1
                if idle >= 3 and events:
                    break
                if idle >= 30:
                    break
                continue
            idle = 0
            events.append(consumed.event)
    finally:
        consumer.close()
    return fold(events), len(events) + consumer.duplicates_dropped


def _group_caught_up(pipeline: Pipeline, group: str, topic: str) -> bool:
    with TopicReader(pipeline.settings.bootstrap_servers) as reader:
        tps = [(topic, p) for p in reader.partitions(topic)]
        ends = reader.offsets(tps)
        committed = reader.committed(group, tps)
    return all((committed[tp] or 0) >= ends[tp][1] for tp in tps)


def test_dry_run_counts_by_partition_user_and_time_including_a_future_time(
    pipeline: Pipeline,
) -> None:
    early = _events(pipeline, 9)
    pipeline.produce(early)
    time.sleep(1.5)
    middle = datetime.now(UTC)
    time.sleep(0.5)
    late = _events(pipeline, 6)
    pipeline.produce(late)

    everything = _replay(pipeline, "--dry-run")
    assert _total(everything) == 15
    expected = Counter(
        user_partition(e.user_id, pipeline.settings.partitions) for e in [*early, *late]
    )
    # The ledger's partitioner agrees with the upload SDK's.
    assert _per_partition(everything) == dict(expected)
    assert "would re-publish from" in everything.stdout

    assert _total(_replay(pipeline, "--dry-run", "--user", "alice")) == 5
    assert _total(_replay(pipeline, "--dry-run", "--since", middle.isoformat())) == 6
    assert _total(_replay(pipeline, "--dry-run", "--until", middle.isoformat())) == 9
    # A future time: the embedded broker answers offset 0 (not -1); taken at
    # its word, this would select every record.
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _total(_replay(pipeline, "--dry-run", "--since", future)) == 0
    assert _total(_replay(pipeline, "--dry-run", "--until", future)) == 15
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert _total(_replay(pipeline, "--dry-run", "--since", past)) == 15

    partition = next(iter(expected))
    by_offset = _replay(pipeline, "--dry-run", "--partition", str(partition), "--from-offset", "1")
    assert _total(by_offset) == expected[partition] - 1
    # Nothing was sent.
    assert _records(pipeline, pipeline.topics.uploaded_backfill) == []


def test_reset_rewinds_a_stopped_group_and_refuses_a_running_one(pipeline: Pipeline) -> None:
    uploads = _events(pipeline, 6, put=True)
    pipeline.produce(uploads)
    group = consumer_group(pipeline.settings, ("ingest", "curate"))
    with TopicReader(pipeline.settings.bootstrap_servers) as reader:
        ends = reader.offsets([(pipeline.topics.uploaded, p) for p in range(4)])
    filled = {p: end for (_, p), (_, end) in ends.items() if end}

    # The workers are not running: point the group past the first upload of
    # every partition, so a worker started now skips exactly those.
    dry = _replay(pipeline, "--reset", "--from-offset", "1", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would reset group" in dry.stdout
    reset = _replay(pipeline, "--reset", "--from-offset", "1")
    assert reset.returncode == 0, reset.stderr
    with TopicReader(pipeline.settings.bootstrap_servers) as reader:
        committed = reader.committed(group, [(pipeline.topics.uploaded, p) for p in filled])
    assert set(committed.values()) == {1}

    pipeline.start_worker()
    expected = len(uploads) - len(filled)
    pipeline.read_events(pipeline.topics.metadata, expected)
    pipeline.wait_for(
        lambda: _group_caught_up(pipeline, group, pipeline.topics.uploaded),
        what="ingest committed every upload",
    )
    assert len(_records(pipeline, pipeline.topics.metadata)) == expected

    refused = _replay(pipeline, "--reset", "--from-offset", "0")
    assert refused.returncode == 1
    assert "stop its workers first" in refused.stderr
    assert _group_caught_up(pipeline, group, pipeline.topics.uploaded)


def test_republished_dead_letters_are_processed_once_and_replays_change_nothing(
    pipeline: Pipeline,
) -> None:
    good = _events(pipeline, 3, put=True)
    missing = pipeline.upload(_jpeg(), user_id="dave", put=False, filename="IMG_9999.jpg")
    pipeline.start_worker()
    pipeline.produce([*good, missing])
    pipeline.read(pipeline.topics.deadletter, until=lambda rs: len(rs) >= 1)
    pipeline.wait_for(
        lambda: len(_materialise(pipeline)[0].timeline) == 3, what="three photos on the timeline"
    )

    # The fix: the object is there now. Replay what failed for that reason.
    pipeline.s3().put_object(Bucket=BUCKET, Key=missing.key, Body=_jpeg())
    assert _total(_replay(pipeline, "--dry-run", "--reason", "missing_object")) == 1
    first = _replay(pipeline, "--reason", "missing_object")
    assert first.returncode == 0, first.stderr
    assert "done: 1 published" in first.stderr
    pipeline.wait_for(
        lambda: missing.photo_id in _materialise(pipeline)[0].timeline,
        what="the replayed photo reached the timeline",
    )
    group = consumer_group(pipeline.settings, ("ingest", "curate"))
    pipeline.wait_for(
        lambda: _group_caught_up(pipeline, group, pipeline.topics.uploaded_backfill),
        what="backfill consumed",
    )
    time.sleep(2)
    view, records = _materialise(pipeline)
    assert set(view.timeline) == {u.photo_id for u in [*good, missing]}

    # The same dead letter again, and every upload again: no new effect at all.
    assert _replay(pipeline, "--reason", "missing_object").returncode == 0
    assert _replay(pipeline, "--topic", "uploaded").returncode == 0
    assert len(_records(pipeline, pipeline.topics.uploaded_backfill)) == 1 + 1 + 4
    pipeline.wait_for(
        lambda: _group_caught_up(pipeline, group, pipeline.topics.uploaded_backfill),
        what="backfill consumed again",
    )
    time.sleep(2)
    again, records_again = _materialise(pipeline)
    assert again == view
    assert records_again == records
    assert len(_records(pipeline, pipeline.topics.deadletter)) == 1


def test_live_uploads_stay_fast_while_a_large_backfill_runs(pipeline: Pipeline) -> None:
    backfill_size = 1000
    data = _jpeg()
    for user in USERS:
        pipeline.s3().put_object(Bucket=BUCKET, Key=f"users/{user}/shared/IMG_0001.jpg", Body=data)
    pipeline.start_worker()

    def live_latency(index: int) -> float:
        event = pipeline.upload(data, user_id=USERS[index % 3], filename=f"LIVE_{index}.jpg")
        consumer = Consumer(
            {
                "bootstrap.servers": pipeline.settings.bootstrap_servers,
                "group.id": f"probe-{uuid.uuid4().hex[:8]}",
                "fetch.wait.max.ms": 20,
            }
        )
        consumer.assign(
            [
                TopicPartition(pipeline.topics.metadata, p, -1)  # OFFSET_END
                for p in range(pipeline.settings.partitions)
            ]
        )
        try:
            consumer.poll(0.5)
            sent = time.monotonic()
            pipeline.produce([event])
            while time.monotonic() - sent < 60:
                message = consumer.poll(0.05)
                if message is None or message.error() or message.value() is None:
                    continue
                got = pipeline.codec.decode(message.value() or b"")
                if isinstance(got, MetadataExtracted) and got.photo_id == event.photo_id:
                    return time.monotonic() - sent
            raise AssertionError("live upload never came out")
        finally:
            consumer.close()

    live_latency(0)  # warms the worker up: S3 client, geo data
    baseline = [live_latency(1 + i) for i in range(3)]
    backlog = [
        dataclasses.replace(
            pipeline.upload(data, user_id=USERS[i % 3], put=False),
            key=f"users/{USERS[i % 3]}/shared/IMG_0001.jpg",
        )
        for i in range(backfill_size)
    ]
    pipeline.produce(backlog, backfill=True)
    backlog_ids = {e.photo_id for e in backlog}

    def backfilled() -> int:
        return sum(
            1
            for _, _, value in _records(pipeline, pipeline.topics.metadata)
            if value is not None
            and getattr(pipeline.codec.decode(value), "photo_id", None) in backlog_ids
        )

    pipeline.wait_for(lambda: backfilled() > 0, what="the backfill started")
    during = [live_latency(10 + i) for i in range(5)]
    in_flight = backfilled()
    assert in_flight < backfill_size, "the backfill ended before the live uploads; make it larger"
    # Within a few times the quiet-pipeline latency: a live upload waits for
    # at most the one backfill event in progress.
    bound = max(1.5, 3 * max(baseline))
    assert max(during) < bound, (baseline, during)
    pipeline.wait_for(
        lambda: backfilled() == backfill_size, what="the backfill finished", timeout_s=180
    )


def test_an_interrupted_replay_resumes_from_its_checkpoint(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    uploads = _events(pipeline, 300)
    pipeline.produce(uploads)
    checkpoint = tmp_path / "replay.ckpt"
    env = {**os.environ, **S3_ENV, **pipeline.settings.to_env()}
    argv = [sys.executable, "-m", "streams.cli", "replay", "--checkpoint", str(checkpoint)]
    proc = subprocess.Popen(
        [*argv, "--rate", "40"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not checkpoint.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)
        os.killpg(proc.pid, signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "rerun the same command to continue" in stderr
    assert re.search(r"replay: \d+/300 \(\d+\.\d%\) scanned, \d+ published, [\d.]+/s, ETA ", stderr)
    saved = orjson.loads(checkpoint.read_bytes())
    assert not saved["complete"]
    assert 0 < saved["published"] < 300
    # Consistent: everything the checkpoint counts landed, and nothing more.
    assert len(_records(pipeline, pipeline.topics.uploaded_backfill)) == saved["published"]

    resumed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    replayed = _records(pipeline, pipeline.topics.uploaded_backfill)
    ids = Counter(pipeline.codec.decode(v).event_id for _, _, v in replayed if v)
    assert set(ids) == {u.event_id for u in uploads}
    assert max(ids.values()) == 1

    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert "already complete" in done.stdout
    assert len(_records(pipeline, pipeline.topics.uploaded_backfill)) == 300


def _ledger(pipeline: Pipeline) -> list[LedgerEntry]:
    return latest_entries((k, v) for _, k, v in _records(pipeline, pipeline.topics.ledger))


def test_outdated_vision_is_reprocessed_after_a_model_upgrade(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    pipeline = pipeline_factory(vision_model_version="model-a")
    uploads = _events(pipeline, 2, put=True)
    pipeline.start_worker("w1")
    pipeline.start_worker("v1", roles=("vision",))
    pipeline.produce(uploads)

    def vision_versions() -> Sequence[str]:
        return sorted(e.version for e in _ledger(pipeline) if e.step == STEP_VISION)

    pipeline.wait_for(
        lambda: vision_versions() == ["model-a", "model-a"],
        what="scored with model-a",
        timeout_s=180,
    )
    ingest_ledger = [e for e in _ledger(pipeline) if e.step == "ingest"]
    for entry in ingest_ledger:
        partitions = {
            p for p, k, _ in _records(pipeline, pipeline.topics.ledger) if k == entry.key()
        }
        assert partitions == {user_partition(entry.user_id, pipeline.settings.partitions)}

    for proc in list(pipeline.workers):
        pipeline.stop_worker(proc)
    pipeline.settings = pipeline.settings.with_changes(vision_model_version="model-b")
    dry = _replay(pipeline, "--outdated", "vision", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would re-publish 2 photos of" in dry.stdout

    pipeline.start_worker("w2")
    pipeline.start_worker("v2", roles=("vision",))
    run = _replay(pipeline, "--outdated", "vision")
    assert run.returncode == 0, run.stderr
    pipeline.wait_for(
        lambda: vision_versions() == ["model-b", "model-b"],
        what="rescored with model-b",
        timeout_s=180,
    )
    scored = [
        pipeline.codec.decode(v)
        for _, _, v in _records(pipeline, pipeline.topics.vision_scored)
        if v is not None
    ]
    # Each photo scored once per model version.
    assert len({s.event_id for s in scored if isinstance(s, VisionScored)}) == 4
    # Metadata did not change, so no new metadata events.
    metadata_ids = {
        pipeline.codec.decode(v).event_id
        for _, _, v in _records(pipeline, pipeline.topics.metadata)
        if v is not None
    }
    assert len(metadata_ids) == 2
    after = _replay(pipeline, "--outdated", "vision", "--dry-run")
    assert "would re-publish 0 photos" in after.stdout
