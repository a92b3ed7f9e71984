"""Gauges read off the running app at scrape time: lag, table sizes, readiness."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from faust.exceptions import ConsumerNotStarted
from faust.types import TP
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .health import assigned_partitions, readiness
from .metrics import LIVE_GAUGES
from .offsets import consumer_lag, taken_offsets

__all__ = ["WorkerCollector"]


class WorkerCollector(Collector):
    """Reads the app on the event loop thread, where the scrape is served."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Without describe() the registry would call collect() at register time.
        yield from self._families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        lag, tables, ready, assigned = self._families()
        partitions = assigned_partitions(self._app)
        assigned.add_metric([], len(partitions))
        ready.add_metric([], 1.0 if readiness(self._app).ready else 0.0)
        for (topic, partition), records in sorted(self._lag(partitions).items()):
            lag.add_metric([topic, str(partition)], records)
        for name, size in sorted(self._table_sizes().items()):
            tables.add_metric([name], size)
        yield from (lag, tables, ready, assigned)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        def gauge(name: str, labels: list[str]) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, LIVE_GAUGES[name], labels=labels)

        return (
            gauge("photostream_consumer_lag", ["topic", "partition"]),
            gauge("photostream_table_keys", ["table"]),
            gauge("photostream_ready", []),
            gauge("photostream_assigned_partitions", []),
        )

    def _lag(self, partitions: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
        consumer = getattr(self._app, "_consumer", None)
        if consumer is None or not partitions:
            return {}
        highwaters: dict[tuple[str, int], int | None] = {}
        for topic, partition in partitions:
            try:
                highwaters[(topic, partition)] = consumer.highwater(TP(topic, partition))
            # aiokafka asserts the partition is still assigned; a rebalance may have taken it.
            except (ConsumerNotStarted, AssertionError, KeyError):
                highwaters[(topic, partition)] = None
        committed = {
            (tp.topic, tp.partition): offset
            for tp, offset in dict(getattr(consumer, "_committed_offset", {})).items()
        }
        return consumer_lag(partitions, highwaters, taken_offsets().snapshot(), committed)

    def _table_sizes(self) -> dict[str, int]:
        # Stores close while the app stops; a started, running app has them open.
        if not getattr(self._app, "started", False) or getattr(self._app, "should_stop", True):
            return {}
        return {name: len(table) for name, table in self._app.tables.items()}
