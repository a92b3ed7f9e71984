"""The worker's Prometheus metrics: every name defined once, on one registry.

Counters and histograms are updated where the work happens (see
:mod:`streams.observability.instruments`); the gauges that describe the
running app (consumer lag, table sizes, readiness) are read off it at scrape
time by :class:`streams.observability.collectors.WorkerCollector`.
"""

from __future__ import annotations

import functools

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

__all__ = [
    "LIVE_GAUGES",
    "STAGES",
    "Metrics",
    "exposed_names",
    "process_metrics",
]

#: The stages ``photostream_stage_seconds`` times.
STAGES = ("ingest_extract", "s3_read", "vision_score", "curate_apply")

#: Gauges the worker collector computes at scrape time, with their help text.
LIVE_GAUGES = {
    "photostream_consumer_lag": "Records between the consumer's position and the high watermark",
    "photostream_table_keys": "Keys held in each table's local store",
    "photostream_ready": "1 when partitions are assigned and tables recovered, else 0",
    "photostream_assigned_partitions": "Partitions assigned to this worker, changelogs included",
    "photostream_table_memory_bytes": (
        "RocksDB memory of each table's open partitions: memtables, block_cache, table_readers"
    ),
    "photostream_curate_cache_states": "User states held decoded in curate's cache",
    "photostream_curate_cache_photos": "Photos across the user states in curate's cache",
}

# From a millisecond metadata parse to a minute-long transient S3 retry.
_STAGE_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
)  # fmt: skip
# Seconds when the pipeline keeps up, up to an hour when it catches up on a backlog.
_LATENCY_BUCKETS = (
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
)  # fmt: skip


class Metrics:
    """The counters and histograms of one worker, on ``registry``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.events_in = Counter(
            "photostream_events_in",
            "Records taken by an agent, by source topic",
            ["topic"],
            registry=registry,
        )
        self.events_out = Counter(
            "photostream_events_out",
            "Records produced and acknowledged by the broker, by topic",
            ["topic"],
            registry=registry,
        )
        self.stage_seconds = Histogram(
            "photostream_stage_seconds",
            "Time spent in one processing stage",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=registry,
        )
        self.upload_to_timeline_seconds = Histogram(
            "photostream_upload_to_timeline_seconds",
            "From an upload event's uploaded_at to its timeline item being produced",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.deadletters = Counter(
            "photostream_deadletters",
            "Records sent to the dead-letter topic, by reason and stage",
            ["reason", "stage"],
            registry=registry,
        )
        self.retries = Counter(
            "photostream_retries",
            "Retries of a transient fault, by stage",
            ["stage"],
            registry=registry,
        )


@functools.cache
def process_metrics() -> Metrics:
    """This process's metrics, on the default registry that ``/metrics`` serves."""
    return Metrics(REGISTRY)


def exposed_names() -> frozenset[str]:
    """Every sample name the worker can expose, suffixes included."""
    metrics = Metrics(CollectorRegistry())
    names: set[str] = set(LIVE_GAUGES)
    for family in metrics.registry.collect():
        if family.type == "counter":
            names |= {f"{family.name}_total", f"{family.name}_created"}
        elif family.type == "histogram":
            suffixes = ("_bucket", "_count", "_sum", "_created")
            names |= {family.name + suffix for suffix in suffixes}
        else:  # pragma: no cover - every family above is a counter or histogram
            names.add(family.name)
    return frozenset(names)
