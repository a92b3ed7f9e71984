"""The step ledger: which version of each step last completed for each photo.

Ingest and vision append an entry to ``photos.ledger`` when a step's outputs
are delivered; ``photostream replay --outdated STEP`` reads it to find the
photos an upgrade left behind.

Why a topic of its own and not a Faust table: the replay tool runs outside
the workers and must find the ledger by one stable name, whichever role sets
the workers are deployed in (a table's changelog is named after its worker
group), and must read it with confluent-kafka without recovering a table
(whose recovery on the embedded broker can stop short, see BROKER.md).

Keys: compaction keeps the newest record *per key*, so a key of ``user_id``
alone would keep one photo per user. The key is ``user_id``, photo id and
step joined by NUL bytes, and the record goes to the partition that
``user_id`` alone hashes to (murmur2, as every other topic), so a user's
records still share one partition. Values are JSON (an internal topic, like
the on-this-day ticks); an ingest entry carries the upload event's own bytes,
so a reprocess does not depend on the retention of ``photos.uploaded``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from aiokafka.partitioner import murmur2

__all__ = [
    "STEP_INGEST",
    "STEP_VISION",
    "LedgerEntry",
    "LedgerWriter",
    "ingest_entry",
    "latest_entries",
    "ledger_key",
    "outdated_uploads",
    "user_partition",
    "vision_entry",
]

STEP_INGEST = "ingest"
STEP_VISION = "vision"
_SEP = b"\x00"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One step completed for one photo, at one version, for one input event."""

    user_id: str
    photo_id: str
    step: str
    version: str
    input_event_id: str
    at: datetime
    #: Ingest only: the vision model version it requested (None: none requested).
    vision_requested: str | None = None
    #: Ingest only: the upload event's bytes, as consumed.
    upload: bytes | None = None

    def key(self) -> bytes:
        return ledger_key(self.user_id, self.photo_id, self.step)

    def to_json(self) -> bytes:
        body: dict[str, Any] = {
            "user_id": self.user_id,
            "photo_id": self.photo_id,
            "step": self.step,
            "version": self.version,
            "input_event_id": self.input_event_id,
            "at": self.at.isoformat(),
        }
        if self.step == STEP_INGEST:
            body["vision_requested"] = self.vision_requested
            body["upload"] = base64.b64encode(self.upload or b"").decode()
        return orjson.dumps(body)

    @classmethod
    def from_json(cls, raw: bytes) -> LedgerEntry:
        body = orjson.loads(raw)
        upload = body.get("upload")
        return cls(
            user_id=str(body["user_id"]),
            photo_id=str(body["photo_id"]),
            step=str(body["step"]),
            version=str(body["version"]),
            input_event_id=str(body["input_event_id"]),
            at=datetime.fromisoformat(body["at"]),
            vision_requested=body.get("vision_requested"),
            upload=base64.b64decode(upload) if upload else None,
        )


def ledger_key(user_id: str, photo_id: str, step: str) -> bytes:
    return _SEP.join((user_id.encode(), photo_id.encode(), step.encode()))


def user_partition(user_id: str, partitions: int) -> int:
    """The partition the Java client's default partitioner picks for key ``user_id``."""
    hashed: int = murmur2(user_id.encode())
    return (hashed & 0x7FFFFFFF) % partitions


class _Topic(Protocol):
    async def send(
        self, *, key: bytes | None = ..., value: bytes | None = ..., partition: int | None = ...
    ) -> Any: ...


class LedgerWriter:
    """Appends entries from inside an agent; each send waits for the broker's ack."""

    def __init__(self, topic: _Topic, partitions: int) -> None:
        self._topic = topic
        self._partitions = partitions

    async def write(self, entry: LedgerEntry) -> None:
        pending = await self._topic.send(
            key=entry.key(),
            value=entry.to_json(),
            partition=user_partition(entry.user_id, self._partitions),
        )
        await pending


def now() -> datetime:
    return datetime.now(UTC)


def latest_entries(records: Iterable[tuple[bytes | None, bytes | None]]) -> list[LedgerEntry]:
    """The newest entry per key, as compaction would leave them (the embedded
    broker never compacts, and a real one compacts lazily)."""
    newest: dict[bytes, LedgerEntry | None] = {}
    for key, value in records:
        if key is None:
            continue
        newest[key] = LedgerEntry.from_json(value) if value is not None else None
    return [entry for entry in newest.values() if entry is not None]


def outdated_uploads(entries: Iterable[LedgerEntry], step: str, current: str) -> list[LedgerEntry]:
    """The ingest entries (with their upload bytes) of photos whose ``step`` is not at ``current``.

    For ``vision``, a photo counts when ingest requested vision for it and no
    vision entry at ``current`` exists, so a photo whose scoring never
    finished is included too; videos (no vision requested) are not.
    For ``ingest``, a photo counts when its ingest entry has another version.
    """
    ingest: dict[tuple[str, str], LedgerEntry] = {}
    done: dict[tuple[str, str], str] = {}
    for entry in entries:
        photo = (entry.user_id, entry.photo_id)
        if entry.step == STEP_INGEST:
            ingest[photo] = entry
        if entry.step == step:
            done[photo] = entry.version
    selected = []
    for photo, entry in sorted(ingest.items()):
        if entry.upload is None:
            continue
        if step == STEP_VISION and entry.vision_requested is None and photo not in done:
            continue
        if done.get(photo) != current:
            selected.append(entry)
    return selected


def ingest_entry(
    user_id: str,
    photo_id: str,
    version: str,
    upload_event_id: str,
    upload: bytes,
    vision_requested: str | None,
) -> LedgerEntry:
    return LedgerEntry(
        user_id=user_id,
        photo_id=photo_id,
        step=STEP_INGEST,
        version=version,
        input_event_id=upload_event_id,
        at=now(),
        vision_requested=vision_requested,
        upload=upload,
    )


def vision_entry(user_id: str, photo_id: str, version: str, request_event_id: str) -> LedgerEntry:
    return LedgerEntry(
        user_id=user_id,
        photo_id=photo_id,
        step=STEP_VISION,
        version=version,
        input_event_id=request_event_id,
        at=now(),
    )
