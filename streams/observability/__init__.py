"""Metrics, health endpoints and structured logs of a worker process."""

from __future__ import annotations

from .instruments import (
    count_consumed,
    count_dead_letter,
    count_produced,
    count_retry,
    stage_timer,
)
from .latency import observe_timeline_latency, with_upload_time

__all__ = [
    "count_consumed",
    "count_dead_letter",
    "count_produced",
    "count_retry",
    "observe_timeline_latency",
    "stage_timer",
    "with_upload_time",
]
