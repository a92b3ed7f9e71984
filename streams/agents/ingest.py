"""The ingest agent: wires :class:`IngestHandler` to ``photos.uploaded``."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust

from processors.geo import default_geocoder, default_zone_finder
from schemas import Codec

from ..app import bytes_table
from ..ingest import IngestHandler
from ..ops.ledger import LedgerWriter
from ..s3 import ObjectReader
from ..settings import Settings
from ..topics import TopicNames
from .backfill_buffer import BackfillTopic
from .backfill_gate import LiveGate
from .ledgering import ingest_done, ingest_seen_key
from .sending import Sender, source_record

__all__ = ["SEEN_TABLE", "register_ingest"]

logger = logging.getLogger(__name__)

#: Upload event ids already turned into outputs; a redelivered upload event
#: is skipped instead of read from S3 again.
SEEN_TABLE = "ingest-seen"


class _Resources:
    """The S3 client and extraction threads, opened on first use, closed at shutdown."""

    def __init__(self, settings: Settings, topics: TopicNames, codec: Codec) -> None:
        self._settings = settings
        self._topics = topics
        self._codec = codec
        self._lock = asyncio.Lock()
        self._handler: IngestHandler | None = None
        self._reader: ObjectReader | None = None
        self._executor: ThreadPoolExecutor | None = None

    async def handler(self) -> IngestHandler:
        async with self._lock:
            if self._handler is None:
                self._executor = ThreadPoolExecutor(
                    self._settings.extract_threads, thread_name_prefix="extract"
                )
                # Load the offline place and zone data before the first photo
                # needs it, off the event loop.
                await asyncio.get_running_loop().run_in_executor(self._executor, _load_geo_data)
                self._reader = await ObjectReader(self._settings).__aenter__()
                self._handler = IngestHandler(
                    self._settings, self._topics, self._codec, self._reader, self._executor
                )
            return self._handler

    async def close(self) -> None:
        if self._reader is not None:
            await self._reader.__aexit__(None, None, None)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        self._handler = self._reader = self._executor = None


def _load_geo_data() -> None:
    default_geocoder()
    default_zone_finder()


def register_ingest(app: faust.App, settings: Settings, topics: TopicNames, codec: Codec) -> None:
    uploaded = app.topic(topics.uploaded, key_type=bytes, value_type=bytes)
    # Its buffer pauses the backfill fetch instead of the consumer's delivery,
    # which live uploads share (see backfill_buffer).
    backfill = BackfillTopic(
        app, topics=[topics.uploaded_backfill], key_type=bytes, value_type=bytes
    )
    ledger = LedgerWriter(
        app.topic(topics.ledger, key_type=bytes, value_type=bytes), settings.partitions
    )
    gate = LiveGate()
    seen = bytes_table(app, SEEN_TABLE, settings)
    sender = Sender(app, topics.all())
    resources = _Resources(settings, topics, codec)

    @app.on_before_shutdown.connect  # type: ignore[arg-type]
    async def _close_resources(_app: faust.App, **_: Any) -> None:
        await resources.close()

    def already_done(event_id: str) -> bool:
        return seen.get(ingest_seen_key(settings, event_id)) is not None

    async def process(handler: IngestHandler, event: faust.EventT[bytes]) -> None:
        record = source_record(event)
        result = await handler.handle(record, already_done)
        done_id = None if result.repeated else result.dedupe_id
        entry = (
            None
            if done_id is None
            else ingest_done(codec, settings, topics, record, result.outgoing)
        )
        # Outputs and the ledger entry are delivered before the event counts as
        # done, so a crash in between re-processes it: byte-identical repeats.
        # The entry only tells replays what ran, so it may land with them.
        if entry is None:
            await sender.send_all(result.outgoing)
        else:
            await asyncio.gather(sender.send_all(result.outgoing), ledger.write(entry))
        if done_id is not None:
            seen[ingest_seen_key(settings, done_id)] = b"1"

    @app.agent(uploaded, concurrency=settings.agent_concurrency)
    async def ingest(stream: faust.StreamT[bytes]) -> None:
        handler = await resources.handler()
        async for event in stream.events():
            with gate.live():
                await process(handler, event)

    # Replays: one at a time, and only while no live upload is in progress or
    # just finished, so a backfill of any size never delays a live upload.
    @app.agent(backfill, concurrency=1)
    async def ingest_backfill(stream: faust.StreamT[bytes]) -> None:
        handler = await resources.handler()
        async for event in stream.events():
            await gate.wait_quiet()
            await process(handler, event)
