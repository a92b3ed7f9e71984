"""Workers killed at random moments: every upload still lands exactly once.

Two ingest+curate workers share one consumer group on the real embedded
stack. Uploads from many users, deletions and re-produced (duplicate) upload
events go in while random workers are SIGKILLed and restarted. Afterwards a
downstream consumer built on the SDK folds the timeline and album topics; its
view must equal :func:`processors.curation.materialise` of the inputs,
computed by calling ``processors`` directly: none missing, none duplicated.

Sized by the environment (see README.md): the defaults are the CI run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import boto3
import pytest
from confluent_kafka import Consumer, TopicPartition

from processors.curation import ConsumerFold, Curated, materialise
from processors.events import EXTRACTOR_VERSION, metadata_event
from processors.metadata import extract_metadata
from schemas import MetadataExtracted, PhotoDeleted, PhotoUploaded, Record, derive_event_id
from streams.samples import Sample, generate_samples
from streams.sdk import EventConsumer
from streams.worker import consumer_group
from tests.chaos import diagnose
from tests.integration.conftest import BUCKET, Pipeline

pytestmark = pytest.mark.integration


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


UPLOADS = _env_int("PHOTOSTREAM_CHAOS_UPLOADS", 300)
USERS = _env_int("PHOTOSTREAM_CHAOS_USERS", 20)
KILLS = _env_int("PHOTOSTREAM_CHAOS_KILLS", 3)
WORKERS = _env_int("PHOTOSTREAM_CHAOS_WORKERS", 2)
SEED = _env_int("PHOTOSTREAM_CHAOS_SEED", random.SystemRandom().randrange(1 << 30))
#: Seconds to keep the stack up after a wrong result, to read its topics by hand.
HOLD_S = _env_int("PHOTOSTREAM_CHAOS_HOLD_S", 0)
#: Shares of the uploads that are later deleted, and that the upload service sends twice.
DELETE_SHARE = 0.1
REPEAT_SHARE = 0.1
#: The CI size finishes well inside three minutes; larger runs scale from there.
TIMEOUT_S = max(180, int(90 + 0.3 * UPLOADS + 20 * KILLS))

_Raw = list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]]


@dataclass(frozen=True, slots=True)
class _Inputs:
    uploads: list[PhotoUploaded]
    samples: dict[str, Sample]  # by photo id
    deletions: list[PhotoDeleted]
    #: What the upload service sends, in order: uploads, repeats and deletions mixed.
    sends: list[PhotoUploaded | PhotoDeleted]


def _make_inputs(pipeline: Pipeline, rng: random.Random) -> _Inputs:
    good = [s for s in generate_samples() if s.expect_ok]
    users = [f"chaos-{i:03d}" for i in range(USERS)]
    s3 = boto3.client("s3", endpoint_url=pipeline.stack.endpoints.s3_endpoint_url)
    uploads: list[PhotoUploaded] = []
    samples: dict[str, Sample] = {}
    for _ in range(UPLOADS):
        sample = rng.choice(good)
        upload = pipeline.upload(
            sample.data,
            user_id=rng.choice(users),
            filename=sample.filename,
            content_type=sample.content_type,
            client_timezone=sample.client_timezone,
            photo_id=str(uuid.UUID(int=rng.getrandbits(128))),
            put=False,
        )
        # Photos share bytes but each has its own object under its owner's prefix.
        s3.put_object(Bucket=BUCKET, Key=upload.key, Body=sample.data)
        uploads.append(upload)
        samples[upload.photo_id] = sample
    s3.close()

    sends: list[PhotoUploaded | PhotoDeleted] = list(uploads)
    for upload in rng.sample(uploads, int(UPLOADS * REPEAT_SHARE)):
        # The same event again, later: what a producer retry or a replay sends.
        sends.insert(rng.randrange(sends.index(upload) + 1, len(sends) + 1), upload)
    deletions = []
    for upload in rng.sample(uploads, int(UPLOADS * DELETE_SHARE)):
        deletion = PhotoDeleted(
            event_id=str(uuid.UUID(int=rng.getrandbits(128))),
            user_id=upload.user_id,
            photo_id=upload.photo_id,
            deleted_at=datetime.now(UTC),
        )
        deletions.append(deletion)
        sends.insert(rng.randrange(sends.index(upload) + 1, len(sends) + 1), deletion)
    return _Inputs(uploads, samples, deletions, sends)


def _reference_metadata(inputs: _Inputs) -> dict[str, MetadataExtracted]:
    """Each upload's metadata event, by event id, from the processors alone."""
    out = {}
    for upload in inputs.uploads:
        data = inputs.samples[upload.photo_id].data
        meta = extract_metadata(data, object_size=len(data), filename=upload.filename)
        event = metadata_event(upload, meta)
        out[event.event_id] = event
    return out


def _produce(pipeline: Pipeline, events: list[PhotoUploaded | PhotoDeleted]) -> None:
    pipeline.produce([e for e in events if isinstance(e, PhotoUploaded)])
    pipeline.produce_deletions([e for e in events if isinstance(e, PhotoDeleted)])


def _raw_duplicates(pipeline: Pipeline, records: _Raw) -> tuple[int, int]:
    """(records, records whose event id was already seen) in ``records``."""
    ids = Counter(
        str(getattr(pipeline.codec.decode(value), "event_id", ""))
        for _, value, _ in records
        if value is not None
    )
    return sum(ids.values()), sum(n - 1 for n in ids.values())


def _offsets(pipeline: Pipeline, inputs: _Inputs, missing: set[str]) -> str:
    """Where the uploads whose metadata is missing sit, and how far the group got."""
    by_upload = {
        derive_event_id(u.photo_id, "metadata", EXTRACTOR_VERSION, u.event_id): u.event_id
        for u in inputs.uploads
    }
    wanted = {by_upload[m] for m in missing}
    topic = pipeline.topics.uploaded
    parts = range(pipeline.settings.partitions)
    group = consumer_group(pipeline.settings, ("ingest", "curate"))
    consumer = Consumer(
        {"bootstrap.servers": pipeline.settings.bootstrap_servers, "group.id": group}
    )
    try:
        committed = consumer.committed([TopicPartition(topic, p) for p in parts], timeout=10)
        marks = [
            consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10) for p in parts
        ]
        consumer.assign([TopicPartition(topic, p, 0) for p in parts])
        where: Counter[int] = Counter()
        first: dict[int, int] = {}
        idle_until = time.monotonic() + 3
        while time.monotonic() < idle_until:
            message = consumer.poll(0.2)
            if message is None or message.error():
                continue
            idle_until = time.monotonic() + 1
            event = pipeline.codec.decode(message.value() or b"")
            if getattr(event, "event_id", None) in wanted:
                where[message.partition()] += 1
                first.setdefault(message.partition(), message.offset())
    finally:
        consumer.close()
    return (
        f"missing by partition {dict(where)}, first missing offsets {first},"
        f" committed {[tp.offset for tp in committed]}, watermarks {marks}"
    )


def _differences(got: Mapping[str, object], want: Mapping[str, object]) -> str:
    """The entries that differ, each as what the consumer holds against the reference."""
    keys = sorted(k for k in got.keys() | want.keys() if got.get(k) != want.get(k))
    lines = [f"{k}:\n  consumer  {got.get(k)!r}\n  reference {want.get(k)!r}" for k in keys[:10]]
    return f"seed {SEED}: {len(keys)} differ\n" + "\n".join(lines)


def _consume_until(
    consumer: EventConsumer, fold: ConsumerFold, done: Callable[[Curated], bool], timeout_s: float
) -> Curated:
    """Fold events until ``done(view)`` holds on an idle topic, or the time runs out."""
    deadline = time.monotonic() + timeout_s
    for consumed in consumer.events(timeout_s=1.0):
        if consumed is not None:
            fold.apply(consumed.event)
            continue
        view = fold.view
        if done(view) or time.monotonic() > deadline:
            return view
    raise AssertionError("unreachable")  # pragma: no cover


@pytest.mark.timeout(TIMEOUT_S + HOLD_S)
def test_random_sigkills_leave_every_upload_on_its_timeline_and_albums_exactly_once(
    pipeline_factory: Callable[..., Pipeline], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONFAULTHANDLER", "1")
    rng = random.Random(SEED)
    print(f"chaos seed {SEED}: {UPLOADS} uploads, {USERS} users, {KILLS} kills, {WORKERS} workers")
    pipeline = pipeline_factory(vision_model_version="")
    inputs = _make_inputs(pipeline, rng)
    expected_metadata = _reference_metadata(inputs)
    expected = materialise([*expected_metadata.values(), *inputs.deletions])
    deleted = {d.photo_id for d in inputs.deletions}
    live = {u.photo_id for u in inputs.uploads} - deleted
    assert set(expected.timeline) == live

    started = 0

    def start() -> subprocess.Popen[bytes]:
        nonlocal started
        started += 1
        return pipeline.start_worker(f"chaos-w{started}", roles=("ingest", "curate"))

    workers = [start() for _ in range(WORKERS)]
    # Sends go in K+1 chunks; each chunk but the last is followed by a kill at a
    # random moment while the workers are still busy with it.
    cuts = sorted(rng.sample(range(1, len(inputs.sends)), KILLS))
    chunks = [
        inputs.sends[a:b] for a, b in zip([0, *cuts], [*cuts, len(inputs.sends)], strict=True)
    ]
    for number, chunk in enumerate(chunks):
        _produce(pipeline, chunk)
        if number == KILLS:
            break
        time.sleep(rng.uniform(0.2, 2.5))
        victim = rng.randrange(len(workers))
        pipeline.stop_worker(workers[victim], signal.SIGKILL)
        assert workers[victim].returncode == -signal.SIGKILL
        workers[victim] = start()

    def missing_metadata() -> set[str]:
        records = pipeline.read_all(pipeline.topics.metadata, idle_s=0.5, timeout_s=TIMEOUT_S)
        seen = {pipeline.codec.decode(v).event_id for _, v, _ in records if v is not None}  # type: ignore[attr-defined]
        return set(expected_metadata) - seen

    deadline = time.monotonic() + TIMEOUT_S / 2
    while missing := missing_metadata():
        if time.monotonic() > deadline:
            for worker in workers:
                # Live workers dump every thread's stack into their log (faulthandler).
                pipeline.stop_worker(worker, signal.SIGABRT)
            logs = "\n".join(
                f"--- chaos-w{n} ---\n{pipeline.worker_log(f'chaos-w{n}')[-6000:]}"
                for n in range(1, started + 1)
            )
            raise AssertionError(
                f"seed {SEED}: {len(missing)} uploads never ingested;"
                f" {_offsets(pipeline, inputs, missing)}\n{logs}"
            )
        time.sleep(1.0)

    consumer = EventConsumer(
        pipeline.settings.bootstrap_servers,
        f"chaos-reader-{uuid.uuid4().hex[:8]}",
        [pipeline.topics.timeline, pipeline.topics.albums],
        pipeline.codec,
        deadletter_topic=pipeline.topics.deadletter,
        config={"session.timeout.ms": 3000},
    )
    fold = ConsumerFold()
    try:
        view = _consume_until(consumer, fold, lambda v: v == expected, timeout_s=TIMEOUT_S / 3)
    finally:
        consumer.close()

    # The metadata stage's own output, repeats folded away, is the processors' reference.
    metadata_records = pipeline.read_all(pipeline.topics.metadata)
    published: dict[str, Record] = {}
    for _, value, _ in metadata_records:
        if value is not None:
            event = pipeline.codec.decode(value)
            published[event.event_id] = event  # type: ignore[attr-defined]
    assert published == expected_metadata

    if view != expected:
        try:
            wrong = diagnose.wrong_photos(view, expected)
            diagnosis = diagnose.report(pipeline.settings, pipeline.topics, pipeline.codec, wrong)
        except Exception as exc:  # noqa: BLE001 - never hide the assertion below
            diagnosis = f"(no diagnosis: {exc!r})"
        print(f"seed {SEED}: the consumer's view differs from the reference\n{diagnosis}")
        if HOLD_S:
            # Leaves the stack up for reading its topics by hand; it dies with the test.
            print(f"holding the stack for {HOLD_S} s: {pipeline.settings.to_env()}", flush=True)
            time.sleep(HOLD_S)
    assert set(view.timeline) == live, (
        f"missing {len(live - set(view.timeline))}, extra {len(set(view.timeline) - live)}"
    )
    assert view.timeline == expected.timeline, _differences(view.timeline, expected.timeline)
    assert view.albums == expected.albums, _differences(view.albums, expected.albums)
    assert pipeline.read_all(pipeline.topics.deadletter, idle_s=0.5) == []

    meta_total, meta_dupes = _raw_duplicates(pipeline, metadata_records)
    out_total, out_dupes = _raw_duplicates(
        pipeline,
        pipeline.read_all(pipeline.topics.timeline) + pipeline.read_all(pipeline.topics.albums),
    )
    absorbed = consumer.duplicates_dropped + fold.duplicates
    print(
        f"chaos seed {SEED}: {len(inputs.sends)} events sent"
        f" ({int(UPLOADS * REPEAT_SHARE)} repeated uploads, {len(inputs.deletions)} deletions),"
        f" {KILLS} SIGKILLs; metadata: {meta_total} records, {meta_dupes} raw duplicates;"
        f" timeline+albums: {out_total} records, {out_dupes} raw duplicates;"
        f" absorbed by the consumer: {consumer.duplicates_dropped} (SDK window)"
        f" + {fold.duplicates} (fold)"
    )
    assert absorbed == out_dupes
