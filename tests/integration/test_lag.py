"""`photostream lag` against the real broker: events waiting, then a worker catching up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import orjson
import pytest

from streams.cli import main
from streams.devstack import free_port
from streams.settings import Settings
from streams.worker import consumer_group

from .conftest import Pipeline
from .test_ingest_flow import _jpeg

pytestmark = pytest.mark.integration


def _lag(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", "lag", *args],
        env={**os.environ, **settings.to_env()},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _lag_here(
    pipeline: Pipeline,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> str:
    """``photostream lag ARGS`` in this process; its standard output."""
    for name, value in pipeline.settings.to_env().items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main(["lag", *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_lag_counts_waiting_events_and_drops_to_zero_once_processed(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def groups() -> dict[str, dict[str, Any]]:
        document = orjson.loads(_lag_here(pipeline, monkeypatch, capsys, "--json"))
        return {g["group"]: g for g in document["groups"]}

    count = 20
    data = _jpeg()
    # One user: one partition, few batches; the true end, not a batch start, must count.
    uploads = [pipeline.upload(data, user_id="carol", filename=f"{i}.jpg") for i in range(count)]
    pipeline.produce(uploads)
    time.sleep(1.5)

    group = consumer_group(pipeline.settings, ("ingest", "curate"))
    waiting_groups = groups()
    assert group in waiting_groups
    waiting = [
        p for p in waiting_groups[group]["partitions"] if p["topic"] == pipeline.topics.uploaded
    ]
    assert len(waiting) == pipeline.settings.partitions
    assert sum(p["lag"] for p in waiting) == count
    assert all(p["committed"] is None for p in waiting)
    (busy,) = [p for p in waiting if p["lag"]]
    assert busy["end"] == count
    assert 1.0 <= busy["oldest_age_s"] < 120
    assert all(p["oldest_age_s"] is None for p in waiting if not p["lag"])
    assert waiting_groups[group]["lag"] == count

    table = _lag_here(pipeline, monkeypatch, capsys, "--group", group)
    header, *rows = table.splitlines()
    assert header.split() == ["GROUP", "TOPIC", "PART", "COMMITTED", "END", "LAG", "OLDEST"]
    row = next(r.split() for r in rows if r.split()[1:3] == [busy["topic"], str(busy["partition"])])
    assert row[0] == group and row[3:6] == ["-", str(count), str(count)]

    pipeline.start_worker(roles=("ingest", "curate"))

    def caught_up() -> bool:
        lagging = groups()[group]
        mine = [p for p in lagging["partitions"] if p["topic"] == pipeline.topics.uploaded]
        return lagging["lag"] == 0 and sum(p["committed"] or 0 for p in mine) == count

    pipeline.wait_for(caught_up, what="the worker group has no lag", timeout_s=120)
    after = groups()[group]["partitions"]
    assert all(p["oldest_age_s"] is None for p in after)


def test_unreachable_broker_fails_fast_with_a_clear_message(pipeline: Pipeline) -> None:
    settings = pipeline.settings.with_changes(bootstrap_servers=f"127.0.0.1:{free_port()}")
    started = time.monotonic()
    result = _lag(settings, "--timeout", "2")
    assert result.returncode == 1
    assert f"broker 127.0.0.1:{settings.bootstrap_servers.rsplit(':', 1)[1]} unreachable" in (
        result.stderr
    )
    assert time.monotonic() - started < 30
