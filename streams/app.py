"""The Faust app factory: one app per worker process, built from settings."""

from __future__ import annotations

from typing import Any, cast

import faust
from faust.types import TableT, TransportT
from mode.utils.objects import cached_property
from mode.utils.queues import FlowControlEvent

from .faust_transport import FETCH_MAX_WAIT_ATTR, FencedConsumer, SteadyFlowControl, TunedTransport
from .kafka_security import faust_credentials
from .observability.collectors import SizedCache
from .settings import Settings
from .topics import topic_names

__all__ = ["PhotostreamApp", "bytes_table", "create_app", "topic_plan"]


class PhotostreamApp(faust.App):
    """A Faust app whose consumer uses :class:`TunedTransport`, with :class:`SteadyFlowControl`."""

    #: Set by the curate agent, for its gauges.
    curate_cache: SizedCache | None = None

    def _new_transport(self) -> TransportT:
        return TunedTransport(self.conf.broker_consumer, self)

    def _new_producer_transport(self) -> TransportT:
        return TunedTransport(self.conf.broker_producer, self)

    @cached_property
    def flow_control(self) -> FlowControlEvent:
        return SteadyFlowControl(loop=self.loop)

    @property
    def fenced_consumer(self) -> FencedConsumer:
        return cast(FencedConsumer, self.consumer)

    def on_rebalance_start(self) -> None:
        # First, before any await: work delivered until now stops counting.
        self.fenced_consumer.on_rebalance_start()
        super().on_rebalance_start()

    def is_current(self, event: faust.EventT[Any]) -> bool:
        """Whether ``event`` may still change state: no rebalance began since it arrived."""
        return self.fenced_consumer.is_current(event.message)


def create_app(
    settings: Settings, *, worker_name: str = "worker", group: str | None = None
) -> PhotostreamApp:
    """Build the app with settings that hold on Apache Kafka and the embedded broker."""
    datadir = settings.data_dir / (group or settings.app_id) / worker_name
    datadir.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "broker": [f"kafka://{server}" for server in settings.bootstrap_servers.split(",")],
        "broker_credentials": faust_credentials(settings),
        "store": settings.store,
        "datadir": str(datadir),
        "processing_guarantee": settings.processing_guarantee,
        "topic_partitions": settings.partitions,
        "topic_replication_factor": settings.replication_factor,
        # Topics are created up front (the stack or `photostream topics`):
        # brokers that auto-create give them the wrong partition count.
        "topic_allow_declare": False,
        "topic_disable_leader": True,
        "consumer_auto_offset_reset": "earliest",
        "broker_session_timeout": settings.session_timeout_s,
        "broker_heartbeat_interval": max(settings.session_timeout_s / 6, 0.2),
        "broker_rebalance_timeout": max(settings.session_timeout_s * 2, 10.0),
        "broker_request_timeout": max(settings.session_timeout_s * 5, 30.0),
        "stream_wait_empty": False,
        "stream_buffer_maxsize": settings.stream_buffer_maxsize,
        # One poll hands over at most this many records, and the next poll
        # (with whatever live records arrived meanwhile) waits until they are
        # all delivered; unbounded, a backfill's full fetch (thousands of
        # records per partition) made live uploads wait behind it.
        "broker_max_poll_records": 500,
        # A few ms of linger lets outputs and changelog writes share batches.
        "producer_linger": settings.producer_linger_ms / 1000.0,
        "table_standby_replicas": settings.table_standby_replicas,
        "web_enabled": False,
        "key_serializer": "raw",
        "value_serializer": "raw",
    }
    app = PhotostreamApp(group or settings.app_id, **options)
    setattr(app, FETCH_MAX_WAIT_ATTR, settings.fetch_max_wait_ms)
    return app


def bytes_table(app: faust.App, name: str, settings: Settings) -> TableT[bytes, bytes]:
    """A table of raw bytes by key, partitioned like the topics, RocksDB memory bounded."""
    mib = 1024 * 1024
    return app.Table(
        name,
        default=None,
        partitions=settings.partitions,
        key_type=bytes,
        value_type=bytes,
        # Read by the RocksDB store only; the memory store ignores them.
        options={
            "write_buffer_size": settings.table_write_buffer_mb * mib,
            "max_write_buffer_number": 2,
            "block_cache_size": settings.table_block_cache_mb * mib,
        },
    )


def topic_plan(settings: Settings, app: faust.App | None = None) -> dict[str, int]:
    """Every topic the pipeline needs, with its partition count.

    Changelog topics must match their source's partition count, so they are
    read off an app with its tables declared.
    """
    plan = {name: settings.partitions for name in topic_names(settings).all()}
    if app is not None:
        for table in app.tables.values():
            plan[table.changelog_topic.get_topic_name()] = settings.partitions
    return plan
