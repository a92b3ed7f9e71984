"""`make run`: the samples go through, and nothing outlives it, even SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from streams.samples import generate_samples

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _children() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces or parentheses: split after the last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    return parents


def _descendants(pid: int) -> set[int]:
    parents = _children()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    parents = _children()
    return {pid for pid in pids if pid in parents}


def _make_run(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOSTREAM_")}
    return subprocess.Popen(
        ["make", "--no-print-directory", "-s", "run", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_make_run_once_shows_every_sample_and_exits_clean() -> None:
    proc = _make_run("ONCE=1")
    seen: set[int] = set()
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        seen |= _descendants(proc.pid)
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0, "".join(lines)
    output = "".join(lines)
    for sample in generate_samples():
        rows = [line for line in lines if line.startswith(sample.filename + " ")]
        assert rows, f"{sample.filename} not shown:\n{output}"
        assert ("DEAD LETTER" in rows[0]) != sample.expect_ok, rows[0]
    assert "all samples processed" in output
    assert len(seen) >= 3, "expected a broker, an S3 server and a worker"
    assert not _alive(seen), f"left behind: {_alive(seen)}"


def test_sigkill_of_make_run_leaves_no_process() -> None:
    proc = _make_run()
    assert proc.stdout is not None
    started = time.monotonic()
    for line in proc.stdout:
        if line.startswith("uploaded"):
            break
        assert time.monotonic() - started < 90, "make run did not start"
    # By now the broker, the S3 server and the worker are all running.
    spawned = _descendants(proc.pid)
    assert len(spawned) >= 4, spawned
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    proc.stdout.close()
    deadline = time.monotonic() + 20
    while _alive(spawned) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(spawned), f"left behind after SIGKILL: {_alive(spawned)}"
