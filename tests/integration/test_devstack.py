"""The dev stack against real processes: start, serve, and leave nothing behind."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from confluent_kafka.admin import AdminClient

from streams.devstack import (
    DevStack,
    ServiceStartError,
    StackEndpoints,
    TopicLayoutError,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

_REPO = Path(__file__).resolve().parents[2]
_GONE_WITHIN_S = 5.0


def _alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (dead, unreaped) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _wait_gone(pids: list[int], timeout: float = _GONE_WITHIN_S) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def reaper() -> Iterator[Callable[[int], None]]:
    """Register pids to SIGKILL at teardown if a failing test left them running."""
    watched: dict[int, str] = {}
    yield lambda pid: watched.setdefault(pid, _cmdline(pid))
    for pid, cmdline in watched.items():
        if _alive(pid) and _cmdline(pid) == cmdline:  # not a recycled pid
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def popen(reaper: Callable[[int], None]) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start processes that are killed, reaped and have their pipes closed at teardown."""
    started: list[subprocess.Popen[bytes]] = []

    def start(argv: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        proc: subprocess.Popen[bytes] = subprocess.Popen(argv, cwd=_REPO, **kwargs)  # type: ignore[call-overload]
        started.append(proc)
        reaper(proc.pid)
        return proc

    yield start
    for proc in started:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _read_endpoints(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> dict[str, str]:
    """The launcher's ``KEY=VALUE`` lines up to its ready line."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buffer = b""
    deadline = time.monotonic() + timeout
    while b"PHOTOSTREAM_DEVSTACK_READY=1\n" not in buffer:
        ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        assert ready, f"no endpoints within {timeout} s: {buffer!r}"
        chunk = os.read(fd, 65536)
        assert chunk, f"launcher closed stdout (exit {proc.poll()}): {buffer!r}"
        buffer += chunk
    pairs = (line.partition("=") for line in buffer.decode().splitlines())
    return {key: value for key, _, value in pairs}


def _launcher_argv(run_dir: Path, *topics: str) -> list[str]:
    return [sys.executable, "-m", "streams.devstack", "--run-dir", str(run_dir), *topics]


def _server_pids(run_dir: Path) -> dict[str, int]:
    names = ("broker", "s3", "registry")
    pids = {name: int((run_dir / f"{name}.pid").read_text()) for name in names}
    assert "tansu" in _cmdline(pids["broker"])
    assert "moto.server" in _cmdline(pids["s3"])
    assert "streams.registry_server" in _cmdline(pids["registry"])
    return pids


def _partitions(endpoints: StackEndpoints) -> dict[str, int]:
    metadata = AdminClient({"bootstrap.servers": endpoints.bootstrap_servers}).list_topics(
        timeout=10
    )
    return {name: len(topic.partitions) for name, topic in metadata.topics.items()}


def _s3(endpoints: StackEndpoints) -> Any:
    env = endpoints.env()
    return boto3.client(
        "s3",
        endpoint_url=endpoints.s3_endpoint_url,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )


def test_stack_serves_topics_and_buckets_and_stop_leaves_no_child(tmp_path: Path) -> None:
    stack = DevStack(topics={"t.four": 4, "t.one": 1}, buckets=["photos"], run_dir=tmp_path)
    try:
        began = time.monotonic()
        endpoints = stack.start()
        print(f"start() took {time.monotonic() - began:.2f} s")
        assert endpoints.run_dir == tmp_path
        partitions = _partitions(endpoints)
        assert partitions["t.four"] == 4
        assert partitions["t.one"] == 1
        with contextlib.closing(_s3(endpoints)) as s3:
            s3.put_object(Bucket="photos", Key="a/b.jpg", Body=b"\xff\xd8 bytes")
            body = s3.get_object(Bucket="photos", Key="a/b.jpg")["Body"]
            with contextlib.closing(body):
                assert body.read() == b"\xff\xd8 bytes"
        with urllib.request.urlopen(f"{endpoints.schema_registry_url}/subjects") as answer:
            assert "photos.uploaded-value" in json.loads(answer.read())
        pids = stack.pids()
        assert set(pids) == {"broker", "s3", "registry"}
        assert all(_alive(pid) for pid in pids.values())
    finally:
        stack.stop()
    assert not [pid for pid in pids.values() if _alive(pid)]
    assert not list(tmp_path.glob("*.pid"))


def test_create_topics_is_idempotent_and_rejects_a_different_partition_count() -> None:
    with DevStack(topics={}, buckets=[]) as stack:
        name = f"fresh.{uuid.uuid4().hex}"
        stack.create_topics({name: 3})
        stack.create_topics({name: 3})
        assert _partitions(stack.endpoints)[name] == 3
        with pytest.raises(TopicLayoutError, match=name):
            stack.create_topics({name: 5})
        run_dir = stack.endpoints.run_dir
    assert not run_dir.exists()


def test_spawned_child_stops_first_while_the_broker_still_answers(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    child_code = textwrap.dedent(
        f"""
        import os, signal, socket, sys, time
        host, port = os.environ["PHOTOSTREAM_BOOTSTRAP_SERVERS"].split(":")
        def on_term(signum, frame):
            try:
                socket.create_connection((host, int(port)), timeout=2).close()
                state = "broker up"
            except OSError:
                state = "broker down"
            open({str(report)!r}, "w").write(state)
            sys.exit(0)
        signal.signal(signal.SIGTERM, on_term)
        print("ready", flush=True)
        while True:
            time.sleep(0.1)
        """
    )
    with DevStack(topics={}, buckets=[], run_dir=tmp_path) as stack:
        worker = stack.spawn([sys.executable, "-c", child_code], name="worker")
        log = tmp_path / "worker.log"
        deadline = time.monotonic() + 10
        while b"ready" not in log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert int((tmp_path / "worker.pid").read_text()) == worker.pid
        pids = stack.pids()
    assert report.read_text() == "broker up"
    assert not [pid for pid in pids.values() if _alive(pid)]


def test_a_server_that_dies_at_start_fails_with_its_log_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken-broker"
    broken.write_text("#!/bin/sh\necho 'broker exploded' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("CALF_TANSU_BIN", str(broken))
    run_dir = tmp_path / "run"
    stack = DevStack(topics={"t": 1}, buckets=[], run_dir=run_dir, start_timeout=20)
    with pytest.raises(ServiceStartError) as raised:
        stack.start()
    assert raised.value.log_path == run_dir / "broker.log"
    assert str(run_dir / "broker.log") in str(raised.value)
    assert "broker exploded" in raised.value.log_path.read_text()
    assert stack.pids() == {}
    assert not list(run_dir.glob("*.pid"))


def test_sigkill_of_the_launcher_takes_every_server_down(
    tmp_path: Path, popen: Callable[..., subprocess.Popen[bytes]], reaper: Callable[[int], None]
) -> None:
    launcher = popen(_launcher_argv(tmp_path, "photos.uploaded=4"), stdout=subprocess.PIPE)
    lines = _read_endpoints(launcher)
    assert lines["PHOTOSTREAM_BOOTSTRAP_SERVERS"].startswith("127.0.0.1:")
    assert lines["PHOTOSTREAM_S3_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert lines["PHOTOSTREAM_SCHEMA_REGISTRY_URL"].startswith("http://127.0.0.1:")
    pids = _server_pids(tmp_path)
    for pid in pids.values():
        reaper(pid)

    launcher.kill()
    assert launcher.wait(5) == -signal.SIGKILL
    assert _wait_gone(list(pids.values())) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_launcher_stops_cleanly_on_signal(
    sig: signal.Signals,
    tmp_path: Path,
    popen: Callable[..., subprocess.Popen[bytes]],
    reaper: Callable[[int], None],
) -> None:
    launcher = popen(_launcher_argv(tmp_path, "t=2"), stdout=subprocess.PIPE)
    _read_endpoints(launcher)
    pids = _server_pids(tmp_path)
    for pid in pids.values():
        reaper(pid)

    launcher.send_signal(sig)
    assert launcher.wait(20) == 0
    assert _wait_gone(list(pids.values()), timeout=0.5) == []
    assert not list(tmp_path.glob("*.pid"))


def test_launcher_exits_nonzero_and_cleans_up_when_a_server_dies(
    tmp_path: Path, popen: Callable[..., subprocess.Popen[bytes]], reaper: Callable[[int], None]
) -> None:
    launcher = popen(_launcher_argv(tmp_path), stdout=subprocess.PIPE)
    _read_endpoints(launcher)
    pids = _server_pids(tmp_path)
    for pid in pids.values():
        reaper(pid)

    os.kill(pids["broker"], signal.SIGKILL)
    assert launcher.wait(10) == 1
    assert _wait_gone([pids["s3"], pids["registry"]], timeout=0.5) == []


def test_launcher_shuts_down_cleanly_when_its_parent_dies(
    tmp_path: Path, popen: Callable[..., subprocess.Popen[bytes]], reaper: Callable[[int], None]
) -> None:
    stderr_path = tmp_path / "launcher.err"
    # Stands in for `make`: it starts the launcher and is then SIGKILLed.
    parent_code = textwrap.dedent(
        f"""
        import subprocess, sys
        with open({str(stderr_path)!r}, "wb") as err:
            child = subprocess.Popen({_launcher_argv(tmp_path, "t=1")!r}, stderr=err)
        print(f"LAUNCHER_PID={{child.pid}}", flush=True)
        child.wait()
        """
    )
    parent = popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE)
    lines = _read_endpoints(parent)
    launcher_pid = int(lines["LAUNCHER_PID"])
    reaper(launcher_pid)
    pids = _server_pids(tmp_path)
    for pid in pids.values():
        reaper(pid)

    parent.kill()
    assert _wait_gone([launcher_pid, *pids.values()], timeout=10) == []
    # A clean shutdown, not the servers' own parent-death SIGKILL.
    assert "dev stack stopped" in stderr_path.read_text()
    assert not list(tmp_path.glob("*.pid"))
