"""Topic names and partition counts, one place for the app, the tools and the stack."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .settings import Settings

__all__ = ["TopicNames", "topic_names"]


@dataclass(frozen=True, slots=True)
class TopicNames:
    """The pipeline's topics; every one is keyed by ``user_id``."""

    uploaded: str
    deleted: str
    metadata: str
    vision_requested: str
    vision_scored: str
    timeline: str
    albums: str
    deadletter: str
    #: Internal: the daily on-this-day ticks, keyed by user like the rest.
    curate_ticks: str
    #: Internal: every curate input (metadata, scores, deletions, ticks) in one log.
    curate_inputs: str
    #: Replayed upload events; ingest reads them only while live uploads are quiet.
    uploaded_backfill: str
    #: Compacted: the version each step last completed per photo (``streams.ops.ledger``).
    ledger: str

    def all(self) -> tuple[str, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))


def topic_names(settings: Settings) -> TopicNames:
    prefix = settings.topic_prefix
    return TopicNames(
        uploaded=f"{prefix}photos.uploaded",
        deleted=f"{prefix}photos.deleted",
        metadata=f"{prefix}photos.metadata",
        vision_requested=f"{prefix}photos.vision.requested",
        vision_scored=f"{prefix}photos.vision.scored",
        timeline=f"{prefix}photos.timeline",
        albums=f"{prefix}photos.albums",
        deadletter=f"{prefix}photos.deadletter",
        curate_ticks=f"{prefix}photos.curate.ticks",
        curate_inputs=f"{prefix}photos.curate.inputs",
        uploaded_backfill=f"{prefix}photos.uploaded.backfill",
        ledger=f"{prefix}photos.ledger",
    )
