"""Vision: batches of score requests in, ``VisionScored`` events (or dead letters) out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Protocol

from processors.errors import BadInput, TransientError, UnreadablePhoto
from schemas import (
    Codec,
    InvalidEvent,
    RegistryUnavailable,
    UndecodableEvent,
    VisionRequested,
    VisionScored,
)

from .batcher import MicroBatcher
from .deadletter import dead_letter_for
from .object_keys import object_refusal
from .observability import stage_timer
from .records import Outgoing, SourceRecord
from .retry import RetryPolicy, TransientExhausted, retry_transient
from .s3 import ObjectReader
from .settings import Settings
from .topics import TopicNames

__all__ = ["BatchScorer", "VisionHandler", "VisionResult"]

logger = logging.getLogger(__name__)

STAGE = "vision"


class BatchScorer(Protocol):
    def score_batch(
        self, items: Sequence[tuple[bytes, VisionRequested]]
    ) -> list[VisionScored | UnreadablePhoto]: ...


@dataclass(frozen=True, slots=True)
class VisionResult:
    outgoing: list[Outgoing]
    #: The request event id, when the photo was scored.
    done_id: str | None


class VisionHandler:
    """Fetches a requested photo whole, scores it in a micro-batch off the loop, emits the scores.

    A bad request or an unreadable photo becomes a dead letter for that record
    alone; the rest of its batch goes on.
    """

    def __init__(
        self,
        settings: Settings,
        topics: TopicNames,
        codec: Codec,
        reader: ObjectReader,
        executor: Executor,
        scorer: Callable[[], BatchScorer],
    ) -> None:
        self._settings = settings
        self._topics = topics
        self._codec = codec
        self._reader = reader
        self._executor = executor
        self._scorer = scorer
        self._retry = RetryPolicy.from_settings(settings, STAGE)
        self.batcher: MicroBatcher[tuple[bytes, VisionRequested], VisionScored | UnreadablePhoto]
        self.batcher = MicroBatcher(
            self._score_batch,
            max_size=settings.vision_batch_size,
            window_s=settings.vision_batch_window_s,
        )

    async def _score_batch(
        self, items: Sequence[tuple[bytes, VisionRequested]]
    ) -> list[VisionScored | UnreadablePhoto]:
        loop = asyncio.get_running_loop()
        with stage_timer("vision_score"):
            return await loop.run_in_executor(
                self._executor, lambda: self._scorer().score_batch(list(items))
            )

    def decode(self, record: SourceRecord) -> VisionRequested:
        if record.value is None:
            raise BadInput("request has no value", reason="empty_event")
        request = self._codec.decode(record.value)
        if not isinstance(request, VisionRequested):
            raise BadInput(
                f"expected VisionRequested, got {type(request).__name__}",
                reason="wrong_event_type",
            )
        if record.key != request.user_id.encode():
            raise BadInput("message key differs from the event's user_id", reason="key_mismatch")
        refusal = object_refusal(self._settings, request.user_id, request.bucket, request.key)
        if refusal is not None:
            raise BadInput(refusal[1], reason=refusal[0])
        return request

    async def handle(
        self, record: SourceRecord, already_done: Callable[[str], bool]
    ) -> VisionResult:
        fetched = await self._fetch(record, already_done)
        if fetched is None:
            return VisionResult([], None)
        if isinstance(fetched, Outgoing):
            return VisionResult([fetched], None)
        request, data = fetched
        score = await self.batcher.submit((data, request))
        if isinstance(score, UnreadablePhoto):
            return VisionResult([self._dead_letter(record, score, score.reason)], None)
        try:
            value = await retry_transient(
                lambda: self._encode(score), self._retry, what="encode scores"
            )
        except TransientExhausted as exc:
            return VisionResult(
                [self._dead_letter(record, exc.last, "transient_exhausted", exc.attempts)], None
            )
        return VisionResult(
            [Outgoing(self._topics.vision_scored, record.key, value)], request.event_id
        )

    async def _encode(self, scored: VisionScored) -> bytes:
        try:
            return self._codec.encode(self._topics.vision_scored, scored)
        except RegistryUnavailable as exc:
            raise TransientError(f"schema registry unavailable: {exc}") from exc

    async def _fetch(
        self, record: SourceRecord, already_done: Callable[[str], bool]
    ) -> Outgoing | tuple[VisionRequested, bytes] | None:
        try:
            request = self.decode(record)
            if already_done(request.event_id):
                logger.info("skipping repeated vision request %s", request.event_id)
                return None
            limit = self._settings.max_image_bytes
            head = await retry_transient(
                lambda: self._reader.read_head(request.bucket, request.key, limit),
                self._retry,
                what=f"fetch {request.photo_id}",
            )
            if not head.complete:
                raise UnreadablePhoto(
                    "too_large", f"{head.size} bytes is over the {limit} byte image limit"
                )
            return request, head.data
        except (BadInput, UndecodableEvent, InvalidEvent) as exc:
            return self._dead_letter(record, exc, getattr(exc, "reason", "bad_input"))
        except TransientExhausted as exc:
            return self._dead_letter(record, exc.last, "transient_exhausted", exc.attempts)

    def _dead_letter(
        self, record: SourceRecord, exc: BaseException, reason: str, attempts: int = 1
    ) -> Outgoing:
        return dead_letter_for(record, exc, reason, STAGE, self._topics.deadletter, attempts)
