"""`photostream deadletter` against a real worker: list, show, filter, redrive after a fix."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from confluent_kafka import Producer

from schemas import MetadataExtracted, TimelineItemUpserted
from streams.cli import main
from streams.devstack import free_port
from streams.ops.topic_reader import TopicReader
from streams.worker import consumer_group

from .conftest import BUCKET, Pipeline
from .test_ingest_flow import _jpeg

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class _Run:
    returncode: int
    stdout: str
    stderr: str


Cli = Callable[..., _Run]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """``photostream ARGS`` in this process, configured for ``pipeline``."""

    def run(pipeline: Pipeline, *args: str) -> _Run:
        for name, value in pipeline.settings.to_env().items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return _Run(code, captured.out, captured.err)

    return run


def _process(pipeline: Pipeline, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        env={**os.environ, **pipeline.settings.to_env()},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _listed(cli: Cli, pipeline: Pipeline, *filters: str) -> list[dict[str, Any]]:
    result = cli(pipeline, "deadletter", "list", "--json", *filters)
    assert result.returncode == 0, result.stderr
    return [orjson.loads(line) for line in result.stdout.splitlines()]


def _caught_up(pipeline: Pipeline) -> bool:
    """The ingest group committed everything in the upload topic."""
    topic = pipeline.topics.uploaded
    group = consumer_group(pipeline.settings, ("ingest", "curate"))
    with TopicReader(pipeline.settings.bootstrap_servers) as reader:
        tps = [(topic, p) for p in reader.partitions(topic)]
        ends = reader.offsets(tps)
        committed = reader.committed(group, tps)
    return all((committed[tp] or 0) >= ends[tp][1] for tp in tps)


def _upserts(pipeline: Pipeline, photo_id: str) -> int:
    records = pipeline.read_all(pipeline.topics.timeline)
    events = [pipeline.codec.decode(v) for _, v, _ in records if v is not None]
    return sum(isinstance(e, TimelineItemUpserted) and e.photo_id == photo_id for e in events)


def test_dead_letters_are_listed_shown_filtered_and_redriven_once(
    cli: Cli, pipeline: Pipeline
) -> None:
    data = _jpeg()
    missing = pipeline.upload(data, user_id="alice", filename="late.jpg", put=False)
    fine = pipeline.upload(data, user_id="bob", filename="fine.jpg")
    pipeline.start_worker()
    pipeline.produce([missing, fine])
    garbage = Producer({"bootstrap.servers": pipeline.settings.bootstrap_servers})
    garbage.produce(pipeline.topics.uploaded, key=b"mallory", value=b"not an event")
    assert garbage.flush(10) == 0
    pipeline.read(pipeline.topics.deadletter, until=lambda rs: len(rs) >= 2)

    everything = _listed(cli, pipeline)
    by_user = {row["user"]: row for row in everything}
    assert sorted(by_user) == ["alice", "mallory"]
    alice = by_user["alice"]
    assert alice["stage"] == "ingest"
    assert alice["reason"] == "missing_object"
    assert alice["error_class"] == "UnreadablePhoto"
    assert alice["source_topic"] == pipeline.topics.uploaded
    assert alice["attempts"] == 1
    assert by_user["mallory"]["reason"] == "bad_magic_byte"

    assert [r["user"] for r in _listed(cli, pipeline, "--reason", "missing_object")] == ["alice"]
    assert [r["user"] for r in _listed(cli, pipeline, "--reason", "UndecodableEvent,x")] == []
    assert [r["user"] for r in _listed(cli, pipeline, "--user", "mallory")] == ["mallory"]
    assert len(_listed(cli, pipeline, "--stage", "ingest", "--since", "10m")) == 2
    assert _listed(cli, pipeline, "--stage", "curate") == []
    assert _listed(cli, pipeline, "--until", "10m") == []
    human = _process(pipeline, "deadletter", "list", "--user", "alice")
    assert "missing_object/UnreadablePhoto user=alice" in human.stdout
    assert f"source={pipeline.topics.uploaded}[" in human.stdout

    position = f"{alice['partition']}:{alice['offset']}"
    shown = cli(pipeline, "deadletter", "show", position, "--json")
    assert shown.returncode == 0, shown.stderr
    view = orjson.loads(shown.stdout)
    assert view["event"]["photo_id"] == missing.photo_id
    assert view["envelope"]["ps.error.reason"] == "missing_object"
    assert "does not exist" in view["message"]
    bad = by_user["mallory"]
    shown_bad = cli(pipeline, "deadletter", "show", f"{bad['partition']}:{bad['offset']}")
    assert "value_hex: " + b"not an event".hex() in shown_bad.stdout
    assert "value_size: 12" in shown_bad.stdout
    absent = cli(pipeline, "deadletter", "show", "0:999")
    assert absent.returncode == 1 and "no record at 0:999" in absent.stderr

    # The fix: the object the event points at arrives.
    pipeline.s3().put_object(Bucket=BUCKET, Key=missing.key, Body=data, ContentType="image/jpeg")
    dry = cli(pipeline, "deadletter", "redrive", "--reason", "missing_object", "--dry-run")
    assert f"would redrive 1 record(s): {pipeline.topics.uploaded}=1" in dry.stdout
    refused = cli(pipeline, "deadletter", "redrive")
    assert refused.returncode == 2 and "--all" in refused.stderr

    for _ in range(2):  # the same selection twice: the second changes nothing downstream
        done = cli(pipeline, "deadletter", "redrive", "--reason", "missing_object")
        assert done.returncode == 0, done.stderr
        assert f"redriven 1 record(s): {pipeline.topics.uploaded}=1" in done.stdout
        pipeline.wait_for(lambda: _caught_up(pipeline), what="the redrive is processed")
        pipeline.wait_for(
            lambda: _upserts(pipeline, missing.photo_id) >= 1, what="the photo is on the timeline"
        )

    assert _upserts(pipeline, missing.photo_id) == 1
    assert f"skipping repeated upload event {missing.event_id}" in pipeline.worker_log()
    metadata = [
        e
        for e in pipeline.read_events(pipeline.topics.metadata, 2)
        if isinstance(e, MetadataExtracted) and e.photo_id == missing.photo_id
    ]
    assert len(metadata) == 1
    assert len(_listed(cli, pipeline)) == 2  # it succeeded: no new dead letter


def test_a_poison_record_is_redriven_a_bounded_number_of_times(
    cli: Cli, pipeline: Pipeline
) -> None:
    pipeline.start_worker()
    garbage = Producer({"bootstrap.servers": pipeline.settings.bootstrap_servers})
    garbage.produce(pipeline.topics.uploaded, key=b"mallory", value=b"\x00poison")
    assert garbage.flush(10) == 0
    pipeline.read(pipeline.topics.deadletter, until=lambda rs: len(rs) >= 1)

    for round_ in (2, 3):
        done = cli(pipeline, "deadletter", "redrive", "--all", "--max-attempts", "3")
        assert "redriven 1 record(s)" in done.stdout, done.stdout + done.stderr
        pipeline.read(pipeline.topics.deadletter, until=lambda rs, n=round_: len(rs) >= n)
        latest = max(_listed(cli, pipeline), key=lambda r: r["attempts"])
        assert latest["attempts"] == round_
        assert latest["redrive_of"] is not None

    final = cli(pipeline, "deadletter", "redrive", "--all", "--max-attempts", "3")
    assert "redriven 0 record(s)" in final.stdout
    assert "skipped 1 record(s) that failed 3+ times" in final.stdout
    assert "skipped 2 record(s) redriven before and dead-lettered again" in final.stdout


def test_an_empty_topic_lists_nothing_at_once(cli: Cli, pipeline: Pipeline) -> None:
    started = time.monotonic()
    assert _listed(cli, pipeline) == []
    assert time.monotonic() - started < 20


def test_an_unreachable_broker_is_reported_not_waited_for(pipeline: Pipeline) -> None:
    settings = pipeline.settings.with_changes(bootstrap_servers=f"127.0.0.1:{free_port()}")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "streams.cli", "deadletter", "list", "--timeout", "2"],
        env={**os.environ, **settings.to_env()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "broker unreachable" in result.stderr
    assert time.monotonic() - started < 30
