"""S3 throttling and connection resets: retried with backoff, bounded, then dead-lettered."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from schemas import MetadataExtracted

from .conftest import Pipeline
from .faulty_proxy import faulty_proxy
from .test_ingest_flow import _jpeg

pytestmark = pytest.mark.integration


def test_throttling_and_resets_are_retried(
    pipeline_factory: Callable[..., Pipeline], stack_s3_url: str
) -> None:
    with faulty_proxy(stack_s3_url) as (proxy_url, plan):
        pipeline = pipeline_factory(s3_endpoint_url=proxy_url)
        throttled = pipeline.upload(_jpeg(), filename="throttled.jpg")
        reset = pipeline.upload(_jpeg(), filename="reset.jpg")
        plan.add(throttled.key, "503", "503")
        plan.add(reset.key, "reset")
        pipeline.start_worker()
        pipeline.produce([throttled, reset])
        events = pipeline.read_events(pipeline.topics.metadata, 2)
    assert {e.photo_id for e in events if isinstance(e, MetadataExtracted)} == {
        throttled.photo_id,
        reset.photo_id,
    }
    injected = [fault for _, fault in plan.injected]
    assert injected.count("503") == 2
    assert "reset" in injected


def test_persistent_throttling_is_dead_lettered_and_does_not_stall(
    pipeline_factory: Callable[..., Pipeline], stack_s3_url: str
) -> None:
    with faulty_proxy(stack_s3_url) as (proxy_url, plan):
        pipeline = pipeline_factory(
            s3_endpoint_url=proxy_url, retry_attempts=4, retry_base_delay_s=0.05
        )
        doomed = pipeline.upload(_jpeg(), filename="doomed.jpg", user_id="alice")
        after = pipeline.upload(_jpeg(), filename="after.jpg", user_id="alice")
        plan.add(doomed.key, *["503"] * 200)
        pipeline.start_worker()
        pipeline.produce([doomed, after])
        dead = pipeline.read(pipeline.topics.deadletter, until=lambda rs: len(rs) >= 1)
        (event,) = pipeline.read_events(pipeline.topics.metadata, 1)
    headers = dict(dead[0][2])
    assert headers["ps.error.reason"] == b"transient_exhausted"
    assert headers["ps.attempt"] == b"4"
    assert dead[0][1] == pipeline.codec.encode(pipeline.topics.uploaded, doomed)
    assert event.photo_id == after.photo_id  # type: ignore[attr-defined]
    # Bounded: one request per attempt, then it stopped.
    assert len(plan.injected) == 4
