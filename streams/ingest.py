"""Ingest: an upload event in; a metadata event and a vision request (or a dead letter) out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, replace

from processors.errors import BadInput, NeedMoreBytes, TransientError, UnreadablePhoto
from processors.events import metadata_event, vision_request
from processors.metadata import PhotoMetadata, extract_metadata
from schemas import (
    Codec,
    InvalidEvent,
    MediaType,
    PhotoUploaded,
    Record,
    RegistryUnavailable,
    UndecodableEvent,
    validate,
)

from .deadletter import dead_letter_for
from .object_keys import object_refusal
from .observability import stage_timer, with_upload_time
from .records import Outgoing, SourceRecord
from .retry import RetryPolicy, TransientExhausted, retry_transient
from .s3 import ObjectHead, ObjectReader
from .settings import Settings
from .topics import TopicNames

__all__ = ["IngestHandler", "IngestResult"]

logger = logging.getLogger(__name__)

STAGE = "ingest"

# Ranged reads past the head one object may cost (a trailing movie header takes one or
# two); past that, the head grows instead, within max_head_bytes.
_MAX_PIECES = 4


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What handling one upload produced; ``dedupe_id`` is None for dead letters."""

    outgoing: list[Outgoing]
    dedupe_id: str | None
    dead_letter: bool = False
    repeated: bool = False


class IngestHandler:
    """Turns one ``photos.uploaded`` record into the records to produce.

    It never raises for a bad record: anything that cannot be processed comes
    back as a dead letter, so the caller can always commit the offset.
    """

    def __init__(
        self,
        settings: Settings,
        topics: TopicNames,
        codec: Codec,
        reader: ObjectReader,
        executor: Executor,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._settings = settings
        self._topics = topics
        self._codec = codec
        self._reader = reader
        self._executor = executor
        self._retry = retry or RetryPolicy.from_settings(settings, STAGE)

    def decode(self, record: SourceRecord) -> PhotoUploaded:
        """Decode and check an upload event.

        Raises :class:`BadInput`, ``UndecodableEvent`` or ``InvalidEvent`` for
        a record that can never be processed, :class:`TransientError` when
        the schema registry cannot be reached.
        """
        if record.value is None:
            raise UnreadablePhoto("empty_event", "upload event has no value (tombstone)")
        try:
            upload = self._codec.decode(record.value)
        except RegistryUnavailable as exc:
            raise TransientError(f"schema registry unavailable: {exc}") from exc
        if not isinstance(upload, PhotoUploaded):
            raise UnreadablePhoto(
                "wrong_event_type", f"expected PhotoUploaded, got {type(upload).__name__}"
            )
        validate(upload)
        if record.key != upload.user_id.encode():
            raise UnreadablePhoto("key_mismatch", "message key differs from the event's user_id")
        refusal = object_refusal(self._settings, upload.user_id, upload.bucket, upload.key)
        if refusal is not None:
            raise UnreadablePhoto(*refusal)
        return upload

    async def _decode_async(self, record: SourceRecord) -> PhotoUploaded:
        return self.decode(record)

    async def handle(
        self, record: SourceRecord, already_done: Callable[[str], bool] = lambda _: False
    ) -> IngestResult:
        """Process one record; ``already_done(event_id)`` says it was processed before."""
        try:
            upload = await retry_transient(
                lambda: self._decode_async(record), self._retry, what=f"decode {record.where}"
            )
            if already_done(upload.event_id):
                logger.info(
                    "skipping repeated upload event %s at %s",
                    upload.event_id,
                    record.where,
                    extra={
                        "event_id": upload.event_id,
                        "user_id": upload.user_id,
                        "photo_id": upload.photo_id,
                        "topic": record.topic,
                        "partition": record.partition,
                        "offset": record.offset,
                    },
                )
                return IngestResult([], upload.event_id, repeated=True)
            outgoing = await self._process(upload)
        except (BadInput, UndecodableEvent, InvalidEvent) as exc:
            return self._dead_letter(record, exc, getattr(exc, "reason", "undecodable_event"))
        except TransientExhausted as exc:
            return self._dead_letter(record, exc.last, "transient_exhausted", exc.attempts)
        if record.topic == self._topics.uploaded:
            # A replayed upload's age is not the pipeline's latency.
            outgoing = with_upload_time(outgoing, upload.uploaded_at)
        return IngestResult(outgoing, upload.event_id)

    async def _process(self, upload: PhotoUploaded) -> list[Outgoing]:
        meta = await retry_transient(
            lambda: self._extract(upload),
            self._retry,
            what=f"extract {upload.photo_id}",
        )
        # Geocoding and zone lookup are CPU work too (and load data on first use).
        metadata = await asyncio.get_running_loop().run_in_executor(
            self._executor, metadata_event, upload, meta
        )
        if self._settings.redact_gps:
            metadata = replace(
                metadata,
                gps_latitude=None,
                gps_longitude=None,
                gps_altitude=None,
                gps_null_island=False,
            )
        key = upload.user_id.encode()
        logger.debug("photo %s of user %s extracted", upload.photo_id, upload.user_id)
        records: list[tuple[str, Record]] = [(self._topics.metadata, metadata)]
        version = self._settings.vision_model_version
        if version and metadata.media_type is MediaType.PHOTO:
            records.append((self._topics.vision_requested, vision_request(metadata, version)))
        return await retry_transient(
            lambda: self._encode_all(key, records), self._retry, what="encode outputs"
        )

    async def _encode_all(self, key: bytes, records: list[tuple[str, Record]]) -> list[Outgoing]:
        try:
            return [Outgoing(topic, key, self._codec.encode(topic, rec)) for topic, rec in records]
        except RegistryUnavailable as exc:
            raise TransientError(f"schema registry unavailable: {exc}") from exc

    async def _extract(self, upload: PhotoUploaded) -> PhotoMetadata:
        loop = asyncio.get_running_loop()
        head: ObjectHead = await self._reader.read_head(
            upload.bucket, upload.key, self._settings.head_bytes
        )
        pieces: list[tuple[int, bytes]] = []  # ranges read past the head (a trailing moov)
        while True:
            try:
                # Parsing is CPU work; on the loop it would starve heartbeats.
                return await loop.run_in_executor(
                    self._executor,
                    _extract_sync,
                    head,
                    upload.filename,
                    tuple(pieces),
                )
            except NeedMoreBytes as more:
                if head.complete:
                    raise UnreadablePhoto(
                        "truncated", "metadata runs past the end of the object"
                    ) from more
                if more.start > len(head.data) and len(pieces) < _MAX_PIECES:
                    pieces.append(await self._read_piece(upload, more))
                    continue
                if more.needed_bytes > self._settings.max_head_bytes:
                    raise UnreadablePhoto(
                        "metadata_too_large",
                        f"metadata needs {more.needed_bytes} bytes, over the "
                        f"{self._settings.max_head_bytes} byte limit",
                    ) from more
                # Grow geometrically too, so a parser that asks for a little
                # more each time still finishes in a few round trips.
                target = max(more.needed_bytes, 2 * len(head.data))
                head = await self._reader.extend(upload.bucket, upload.key, head, target)

    async def _read_piece(self, upload: PhotoUploaded, more: NeedMoreBytes) -> tuple[int, bytes]:
        length = more.needed_bytes - more.start
        if length > self._settings.max_head_bytes:
            raise UnreadablePhoto(
                "metadata_too_large",
                f"metadata needs bytes {more.start} to {more.needed_bytes}, over the "
                f"{self._settings.max_head_bytes} byte limit",
            ) from more
        data = await self._reader.read_piece(upload.bucket, upload.key, more.start, length)
        return more.start, data

    def _dead_letter(
        self, record: SourceRecord, exc: BaseException, reason: str, attempts: int = 1
    ) -> IngestResult:
        out = dead_letter_for(record, exc, reason, STAGE, self._topics.deadletter, attempts)
        return IngestResult([out], None, dead_letter=True)


def _extract_sync(
    head: ObjectHead, filename: str, pieces: tuple[tuple[int, bytes], ...] = ()
) -> PhotoMetadata:
    with stage_timer("ingest_extract"):
        return extract_metadata(head.data, object_size=head.size, filename=filename, pieces=pieces)
