"""The vision agent: batches of ``photos.vision.requested`` scored off the event loop.

Its own role (``photostream worker --role vision``), so vision workers scale
apart from ingest and curate; in production they run on GPU nodes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust

from schemas import Codec

from ..app import bytes_table
from ..ops.ledger import LedgerWriter
from ..s3 import ObjectReader
from ..settings import Settings
from ..topics import TopicNames
from ..vision import BatchScorer, VisionHandler
from .ledgering import vision_done
from .sending import Sender, source_record

__all__ = ["SEEN_TABLE", "register_vision"]

logger = logging.getLogger(__name__)

#: Request event ids already scored: a redelivered request is not scored twice.
SEEN_TABLE = "vision-seen"


class _LazyScorer:
    """Loads the models on first use, in the scoring thread, once."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._scorer: BatchScorer | None = None

    def __call__(self) -> BatchScorer:
        with self._lock:
            if self._scorer is None:
                # Imported here: the models pull in OpenCV and ONNX Runtime,
                # which workers without the vision role never need.
                from processors.vision import VisionScorer, VisionSettings

                settings = VisionSettings(providers=self._settings.vision_providers)
                scorer = VisionScorer.from_settings(settings)
                logger.info(
                    "vision models %s loaded; ONNX Runtime providers in use: %s (requested: %s)",
                    scorer.model_version,
                    scorer.execution_providers,
                    ",".join(settings.providers),
                )
                self._scorer = scorer
            return self._scorer


def register_vision(app: faust.App, settings: Settings, topics: TopicNames, codec: Codec) -> None:
    requested = app.topic(topics.vision_requested, key_type=bytes, value_type=bytes)
    seen = bytes_table(app, SEEN_TABLE, settings)
    sender = Sender(app, topics.all())
    ledger = LedgerWriter(
        app.topic(topics.ledger, key_type=bytes, value_type=bytes), settings.partitions
    )
    scorer = _LazyScorer(settings)
    state: dict[str, Any] = {}
    lock = asyncio.Lock()

    async def handler() -> VisionHandler:
        async with lock:
            if "handler" not in state:
                executor = ThreadPoolExecutor(settings.vision_threads, thread_name_prefix="vision")
                await asyncio.get_running_loop().run_in_executor(executor, scorer)
                reader = await ObjectReader(settings).__aenter__()
                state.update(executor=executor, reader=reader)
                state["handler"] = VisionHandler(settings, topics, codec, reader, executor, scorer)
            handler: VisionHandler = state["handler"]
            return handler

    @app.on_before_shutdown.connect  # type: ignore[arg-type]
    async def _close(_app: faust.App, **_: Any) -> None:
        if "reader" in state:
            await state["reader"].__aexit__(None, None, None)
            state["executor"].shutdown(wait=False, cancel_futures=True)
        state.clear()

    def already_done(event_id: str) -> bool:
        return seen.get(event_id.encode()) is not None

    # Concurrent actors feed one micro-batcher: each request is acked, and its
    # table entry written, in its own event's context. An actor waits for its
    # batch's scores, so one batch's worth of actors per scoring thread, plus
    # one more to fetch and fill the next batch while those score; with only
    # a batch's worth, the threads idled through every fetch and never ran
    # two batches at once.
    concurrency = settings.vision_batch_size * (settings.vision_threads + 1)

    @app.agent(requested, concurrency=concurrency)
    async def vision(stream: faust.StreamT[bytes]) -> None:
        scoring = await handler()
        async for event in stream.events():
            record = source_record(event)
            result = await scoring.handle(record, already_done)
            await sender.send_all(result.outgoing)
            if result.done_id is not None:
                entry = vision_done(codec, record)
                if entry is not None:
                    await ledger.write(entry)
                seen[result.done_id.encode()] = b"1"
