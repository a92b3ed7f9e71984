"""A real worker's HTTP endpoints, metrics and JSON logs on the embedded stack."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams.samples import Shot, photo_jpeg

from .conftest import Pipeline

pytestmark = pytest.mark.integration

# Buckingham Palace: digits that appear nowhere else in a worker's log.
LATITUDE, LONGITUDE = 51.50135, -0.14189

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _log_lines(pipeline: Pipeline, name: str) -> list[dict[str, object]]:
    lines = [line for line in pipeline.worker_log(name).splitlines() if line.strip()]
    return [orjson.loads(line) for line in lines]


def _http_port(pipeline: Pipeline, name: str) -> int:
    found: list[str] = []

    def logged() -> bool:
        found[:] = re.findall(r"http endpoints on port (\d+)", pipeline.worker_log(name))
        return bool(found)

    pipeline.wait_for(logged, what=f"{name} logs its http port", timeout_s=30)
    assert int(found[0]) > 0
    return int(found[0])


def _scrape(base: str) -> Samples:
    response = httpx.get(f"{base}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _watch_readiness(base: str, until: Callable[[list[int]], bool], timeout_s: float) -> list[int]:
    """The /readyz status codes, polled every 50 ms until ``until`` holds."""
    statuses: list[int] = []
    deadline = time.monotonic() + timeout_s
    while not until(statuses):
        assert time.monotonic() < deadline, f"readiness never settled: {statuses[-20:]}"
        statuses.append(httpx.get(f"{base}/readyz", timeout=5).status_code)
        time.sleep(0.05)
    return statuses


def _turned_ready(statuses: list[int]) -> bool:
    return 503 in statuses and statuses[-1] == 200


def test_endpoints_metrics_and_json_logs_of_a_running_worker(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    pipeline = pipeline_factory(log_format="json")
    pipeline.start_worker("w1")
    base = f"http://127.0.0.1:{_http_port(pipeline, 'w1')}"

    assert httpx.get(f"{base}/livez", timeout=5).status_code == 200
    # The endpoints come up before the worker joins its group: not ready, then ready.
    _watch_readiness(base, _turned_ready, timeout_s=60)
    assert _value(_scrape(base), "photostream_assigned_partitions") > 0

    gps_photo = photo_jpeg(
        Shot(
            size=(320, 240),
            seed=7,
            make="Canon",
            model="Canon EOS R5",
            date_time_original="2024:05:01 10:20:30",
            gps=(LATITUDE, LONGITUDE, 20.0),
        )
    )
    good = pipeline.upload(gps_photo, user_id="alice")
    missing = pipeline.upload(gps_photo, user_id="bob", put=False)
    pipeline.produce([good, missing])
    pipeline.read(pipeline.topics.timeline, until=lambda records: len(records) >= 1)
    pipeline.read(pipeline.topics.deadletter, until=lambda records: len(records) >= 1)

    uploaded = pipeline.topics.uploaded
    samples: Samples = {}

    def counted() -> bool:
        samples.clear()
        samples.update(_scrape(base))
        lags = [
            value
            for (name, labels), value in samples.items()
            if name == "photostream_consumer_lag" and ("topic", uploaded) in labels
        ]
        return (
            _value(samples, "photostream_upload_to_timeline_seconds_count") >= 1
            and bool(lags)
            and not any(lags)
        )

    pipeline.wait_for(counted, what="/metrics shows the uploads processed", timeout_s=30)
    assert _value(samples, "photostream_events_in_total", topic=uploaded) == 2
    assert _value(samples, "photostream_events_out_total", topic=pipeline.topics.metadata) == 1
    assert _value(samples, "photostream_events_out_total", topic=pipeline.topics.timeline) >= 1
    assert (
        _value(samples, "photostream_deadletters_total", reason="missing_object", stage="ingest")
        == 1
    )
    for stage in ("s3_read", "ingest_extract", "curate_apply"):
        assert _value(samples, "photostream_stage_seconds_count", stage=stage) >= 1, stage
    assert _value(samples, "photostream_table_keys", table="ingest-seen") == 1
    assert _value(samples, "photostream_table_keys", table="curate-users") == 1
    assert _value(samples, "photostream_ready") == 1
    latency = _value(samples, "photostream_upload_to_timeline_seconds_sum")
    assert 0 < latency < 60

    # A second worker joins the group: the first rebalances, not ready, then ready again.
    pipeline.start_worker("w2")
    _watch_readiness(base, _turned_ready, timeout_s=60)

    lines = _log_lines(pipeline, "w1")
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    dead = [line for line in lines if str(line["message"]).startswith("dead-lettering")]
    assert len(dead) == 1
    assert dead[0]["topic"] == uploaded
    assert dead[0]["reason"] == "missing_object"
    assert dead[0]["level"] == "WARNING"
    assert {"partition", "offset", "stage"} <= dead[0].keys()
    text = pipeline.worker_log("w1")
    for digits in ("51.50", "51,50", "0.1418", "0,1418"):
        assert digits not in text


def test_a_vision_worker_counts_its_batches_and_reads(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    pipeline = pipeline_factory()
    pipeline.start_worker("w1", roles=("ingest", "curate"))
    pipeline.start_worker("v1", roles=("vision",))
    base = f"http://127.0.0.1:{_http_port(pipeline, 'v1')}"
    photo = photo_jpeg(Shot(size=(320, 240), seed=3, date_time_original="2024:05:01 10:20:30"))
    pipeline.produce([pipeline.upload(photo, user_id="alice")])
    pipeline.read(pipeline.topics.vision_scored, until=lambda records: len(records) >= 1)

    samples: Samples = {}

    def counted() -> bool:
        samples.clear()
        samples.update(_scrape(base))
        return (
            _value(samples, "photostream_events_out_total", topic=pipeline.topics.vision_scored)
            == 1
        )

    pipeline.wait_for(counted, what="the vision worker counts its output", timeout_s=30)
    assert (
        _value(samples, "photostream_events_in_total", topic=pipeline.topics.vision_requested) == 1
    )
    assert _value(samples, "photostream_stage_seconds_count", stage="vision_score") == 1
    assert _value(samples, "photostream_stage_seconds_count", stage="s3_read") == 1
    # Ingest and curate run elsewhere: their stages are not this worker's.
    assert _value(samples, "photostream_stage_seconds_count", stage="ingest_extract") == 0
    assert _value(samples, "photostream_table_keys", table="vision-seen") == 1


def test_metrics_show_what_a_rocksdb_worker_holds_in_memory(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    pipeline = pipeline_factory(store="rocksdb://")
    pipeline.start_worker("w1")
    base = f"http://127.0.0.1:{_http_port(pipeline, 'w1')}"
    shots = [
        Shot(size=(64, 48), seed=i, date_time_original=f"2024:0{i + 1}:01 10:00:00")
        for i in range(3)
    ]
    uploads = [
        pipeline.upload(photo_jpeg(shot), user_id=user)
        for user, shot in (("alice", shots[0]), ("alice", shots[1]), ("bob", shots[2]))
    ]
    pipeline.produce(uploads)
    pipeline.read(pipeline.topics.timeline, until=lambda records: len(records) >= 3)

    samples: Samples = {}

    def cached() -> bool:
        samples.clear()
        samples.update(_scrape(base))
        return _value(samples, "photostream_curate_cache_photos") >= 3

    pipeline.wait_for(cached, what="/metrics shows curate's cache", timeout_s=30)
    assert _value(samples, "photostream_curate_cache_states") == 2
    assert _value(samples, "photostream_curate_cache_photos") == 3
    # Every write lands in a memtable first; the block cache fills only from reads of flushed files.
    for table in ("ingest-seen", "curate-users"):
        assert _value(samples, "photostream_table_memory_bytes", table=table, kind="memtables") > 0
        for kind in ("block_cache", "table_readers"):
            assert (
                "photostream_table_memory_bytes",
                frozenset({("table", table), ("kind", kind)}),
            ) in samples
