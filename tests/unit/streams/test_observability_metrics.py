"""The metrics registry: the agreed names, the instrument calls, lag and latency sums."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

from streams.observability import (
    count_consumed,
    count_dead_letter,
    count_produced,
    count_retry,
    observe_timeline_latency,
    stage_timer,
    with_upload_time,
)
from streams.observability.latency import UPLOADED_AT_HEADER
from streams.observability.metrics import Metrics, exposed_names
from streams.observability.offsets import TakenOffsets, consumer_lag
from streams.records import Outgoing, SourceRecord

#: The names other components (dashboards, alerts, autoscaling) were promised.
AGREED = {
    "photostream_events_in_total",
    "photostream_events_out_total",
    "photostream_stage_seconds_bucket",
    "photostream_upload_to_timeline_seconds_bucket",
    "photostream_deadletters_total",
    "photostream_retries_total",
    "photostream_consumer_lag",
    "photostream_table_keys",
    "photostream_ready",
}


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_every_agreed_name_is_exposed() -> None:
    assert not AGREED - exposed_names()


def test_two_registries_do_not_share_counts() -> None:
    first, second = Metrics(CollectorRegistry()), Metrics(CollectorRegistry())
    first.events_in.labels("photos.uploaded").inc(3)
    assert (
        first.registry.get_sample_value("photostream_events_in_total", {"topic": "photos.uploaded"})
        == 3
    )
    assert b"photos.uploaded" not in generate_latest(second.registry)


def test_counters_count_by_their_labels() -> None:
    topic = f"t-{uuid.uuid4().hex}"
    count_consumed(topic, 0, 5)
    count_consumed(topic, 1, 9)
    count_produced([topic, topic, f"{topic}.other"])
    count_dead_letter("missing_object", topic)
    count_retry(topic)
    count_retry(topic)
    assert _sample("photostream_events_in_total", topic=topic) == 2
    assert _sample("photostream_events_out_total", topic=topic) == 2
    assert _sample("photostream_events_out_total", topic=f"{topic}.other") == 1
    assert _sample("photostream_deadletters_total", reason="missing_object", stage=topic) == 1
    assert _sample("photostream_retries_total", stage=topic) == 2


def test_stage_timer_observes_a_block_that_raises_too() -> None:
    stage = f"s-{uuid.uuid4().hex}"
    with stage_timer(stage):
        pass
    with pytest.raises(RuntimeError), stage_timer(stage):
        raise RuntimeError("boom")
    assert _sample("photostream_stage_seconds_count", stage=stage) == 2
    assert _sample("photostream_stage_seconds_bucket", stage=stage, le="+Inf") == 2


def _record(headers: list[tuple[str, bytes]]) -> SourceRecord:
    return SourceRecord("photos.metadata", 0, 1, b"alice", b"v", headers)


def test_upload_time_header_gives_the_latency_once_the_timeline_item_is_out() -> None:
    uploaded_at = datetime(2026, 1, 2, 3, 4, 5, 250_000, tzinfo=UTC)
    [stamped] = with_upload_time([Outgoing("photos.metadata", b"alice", b"v")], uploaded_at)
    assert stamped.headers == [(UPLOADED_AT_HEADER, b"1767323045250")]
    source = _record(stamped.headers)
    before_count = _sample("photostream_upload_to_timeline_seconds_count")
    before_sum = _sample("photostream_upload_to_timeline_seconds_sum")
    now_ms = uploaded_at.timestamp() * 1000 + 1_500

    observe_timeline_latency(source, [Outgoing("photos.albums", b"a", b"")], "photos.timeline")
    observe_timeline_latency(
        _record([]), [Outgoing("photos.timeline", b"a", b"")], "photos.timeline"
    )
    assert _sample("photostream_upload_to_timeline_seconds_count") == before_count

    produced = [Outgoing("photos.timeline", b"a", b""), Outgoing("photos.timeline", b"a", b"")]
    observe_timeline_latency(source, produced, "photos.timeline", now_ms=now_ms)
    assert _sample("photostream_upload_to_timeline_seconds_count") == before_count + 1
    assert _sample("photostream_upload_to_timeline_seconds_sum") == pytest.approx(before_sum + 1.5)


def test_taken_offsets_keep_the_furthest_position() -> None:
    taken = TakenOffsets()
    taken.taken("t", 0, 10)
    taken.taken("t", 0, 8)  # a concurrent actor finishing an earlier record
    taken.taken("t", 1, 0)
    assert taken.snapshot() == {("t", 0): 11, ("t", 1): 1}


@pytest.mark.parametrize(
    ("highwater", "taken", "committed", "lag"),
    [
        (100, 60, None, 40),  # records taken since assignment
        (100, None, 70, 30),  # nothing taken yet: the committed offset
        (100, 60, 80, 20),  # another worker moved the group further
        (100, 100, None, 0),
        (90, 100, None, 0),  # a stale high watermark never gives negative lag
        (None, 60, 60, None),  # no fetch yet: unknown, not zero
        (100, None, None, None),  # a changelog: no position to measure from
    ],
)
def test_consumer_lag(
    highwater: int | None, taken: int | None, committed: int | None, lag: int | None
) -> None:
    tp = ("photos.uploaded", 2)
    result = consumer_lag(
        {tp},
        {tp: highwater},
        {tp: taken} if taken is not None else {},
        {tp: committed},
    )
    assert result.get(tp) == lag


def test_lag_is_only_reported_for_assigned_partitions() -> None:
    assigned = {("a", 0)}
    lag = consumer_lag(assigned, {("a", 0): 5, ("a", 1): 9}, {("a", 0): 5, ("a", 1): 1}, {})
    assert lag == {("a", 0): 0}
