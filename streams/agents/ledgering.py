"""Ledger entries for the steps the agents complete (see ``streams.ops.ledger``)."""

from __future__ import annotations

from collections.abc import Sequence

from processors.events import EXTRACTOR_VERSION
from schemas import Codec, PhotoUploaded, VisionRequested

from ..ops.ledger import LedgerEntry, ingest_entry, vision_entry
from ..records import Outgoing, SourceRecord
from ..settings import Settings
from ..topics import TopicNames

__all__ = ["ingest_done", "ingest_seen_key", "vision_done"]


def ingest_seen_key(settings: Settings, event_id: str) -> bytes:
    """The ingest dedupe key of an upload event: its id *and* the step versions.

    An upload already handled by this extractor and vision model version is
    skipped; after an upgrade of either, a replayed upload is processed again
    (same metadata event id when only the model changed, so curation sees no
    change; a new vision request id, so vision scores it anew).
    """
    return f"{event_id}|{EXTRACTOR_VERSION}|{settings.vision_model_version}".encode()


def ingest_done(
    codec: Codec,
    settings: Settings,
    topics: TopicNames,
    record: SourceRecord,
    outgoing: Sequence[Outgoing],
) -> LedgerEntry | None:
    if record.value is None:
        return None
    upload = codec.decode(record.value)
    if not isinstance(upload, PhotoUploaded):
        return None
    requested = any(out.topic == topics.vision_requested for out in outgoing)
    return ingest_entry(
        upload.user_id,
        upload.photo_id,
        EXTRACTOR_VERSION,
        upload.event_id,
        record.value,
        settings.vision_model_version if requested else None,
    )


def vision_done(codec: Codec, record: SourceRecord) -> LedgerEntry | None:
    if record.value is None:
        return None
    request = codec.decode(record.value)
    if not isinstance(request, VisionRequested):
        return None
    return vision_entry(request.user_id, request.photo_id, request.model_version, request.event_id)
