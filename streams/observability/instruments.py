"""The one-line calls the agents and handlers make to update the metrics."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from .metrics import process_metrics
from .offsets import taken_offsets

__all__ = [
    "count_consumed",
    "count_dead_letter",
    "count_produced",
    "count_retry",
    "observe_upload_to_timeline",
    "stage_timer",
]


def count_consumed(topic: str, partition: int, offset: int) -> None:
    """An agent took the record at ``offset``; also the position lag is measured from."""
    process_metrics().events_in.labels(topic).inc()
    taken_offsets().taken(topic, partition, offset)


def count_produced(topics: Iterable[str]) -> None:
    """The broker acknowledged one record for each of ``topics``."""
    events_out = process_metrics().events_out
    for topic in topics:
        events_out.labels(topic).inc()


def count_dead_letter(reason: str, stage: str) -> None:
    process_metrics().deadletters.labels(reason, stage).inc()


def count_retry(stage: str) -> None:
    process_metrics().retries.labels(stage).inc()


def observe_upload_to_timeline(seconds: float) -> None:
    # A clock behind the uploader's must not record a negative latency.
    process_metrics().upload_to_timeline_seconds.observe(max(seconds, 0.0))


@contextmanager
def stage_timer(stage: str) -> Iterator[None]:
    """Time the block as ``stage``, whether it returns or raises."""
    started = time.perf_counter()
    try:
        yield
    finally:
        process_metrics().stage_seconds.labels(stage).observe(time.perf_counter() - started)
