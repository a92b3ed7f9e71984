"""Gauges read off the running app at scrape time: lag, table sizes and memory, readiness."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from faust.exceptions import ConsumerNotStarted
from faust.types import TP
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .health import assigned_partitions, readiness
from .metrics import LIVE_GAUGES
from .offsets import consumer_lag, taken_offsets

__all__ = ["SizedCache", "WorkerCollector"]

#: RocksDB properties behind ``photostream_table_memory_bytes``, by kind.
_ROCKSDB_MEMORY = {
    "memtables": "rocksdb.cur-size-all-mem-tables",
    "block_cache": "rocksdb.block-cache-usage",
    "table_readers": "rocksdb.estimate-table-readers-mem",
}


class SizedCache(Protocol):
    """A cache of user states that knows how many it holds and their photos."""

    photos: int

    def __len__(self) -> int: ...


class WorkerCollector(Collector):
    """Reads the app on the event loop thread, where the scrape is served."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Without describe() the registry would call collect() at register time.
        yield from self._families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = self._families()
        lag, tables, ready, assigned, table_memory, cache_states, cache_photos = families
        partitions = assigned_partitions(self._app)
        assigned.add_metric([], len(partitions))
        ready.add_metric([], 1.0 if readiness(self._app).ready else 0.0)
        for (topic, partition), records in sorted(self._lag(partitions).items()):
            lag.add_metric([topic, str(partition)], records)
        for name, size in sorted(self._table_sizes().items()):
            tables.add_metric([name], size)
        for (name, kind), size in sorted(self._table_memory().items()):
            table_memory.add_metric([name, kind], size)
        cache: SizedCache | None = getattr(self._app, "curate_cache", None)
        if cache is not None:
            cache_states.add_metric([], len(cache))
            cache_photos.add_metric([], cache.photos)
        yield from families

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        def gauge(name: str, labels: list[str]) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, LIVE_GAUGES[name], labels=labels)

        return (
            gauge("photostream_consumer_lag", ["topic", "partition"]),
            gauge("photostream_table_keys", ["table"]),
            gauge("photostream_ready", []),
            gauge("photostream_assigned_partitions", []),
            gauge("photostream_table_memory_bytes", ["table", "kind"]),
            gauge("photostream_curate_cache_states", []),
            gauge("photostream_curate_cache_photos", []),
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

    def _running(self) -> bool:
        # Stores close while the app stops; a started, running app has them open.
        return bool(getattr(self._app, "started", False)) and not getattr(
            self._app, "should_stop", True
        )

    def _table_sizes(self) -> dict[str, int]:
        if not self._running():
            return {}
        return {name: len(table) for name, table in self._app.tables.items()}

    def _table_memory(self) -> dict[tuple[str, str], int]:
        """Bytes per (table, kind), summed over the partitions open on this worker."""
        if not self._running():
            return {}
        memory: dict[tuple[str, str], int] = {}
        for name, table in self._app.tables.items():
            # Only the RocksDB store keeps a database per partition.
            databases = getattr(table.data, "_dbs", None)
            if not isinstance(databases, dict):
                continue
            for kind, prop in _ROCKSDB_MEMORY.items():
                memory[(name, kind)] = sum(
                    int(db.property_int_value(prop) or 0) for db in list(databases.values())
                )
        return memory
