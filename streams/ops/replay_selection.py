"""What a replay selects: a topic, partitions, an offset or time range, users, reasons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas import HEADER_ERROR_REASON

__all__ = ["Ranges", "Selection", "clip"]

#: Partition -> (first offset, end offset exclusive).
Ranges = dict[int, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Selection:
    topic: str
    partitions: tuple[int, ...] = ()
    from_offset: int | None = None
    #: Exclusive.
    to_offset: int | None = None
    since: datetime | None = None
    #: Exclusive.
    until: datetime | None = None
    users: frozenset[str] = field(default_factory=frozenset)
    #: Dead-letter reasons (``ps.error.reason``).
    reasons: frozenset[str] = field(default_factory=frozenset)

    @property
    def filters_records(self) -> bool:
        """Whether records inside the offset ranges may still be left out."""
        return bool(self.users or self.reasons or self.since or self.until)

    def wants(
        self, key: bytes | None, headers: Sequence[tuple[str, bytes]], timestamp_ms: int
    ) -> bool:
        if self.users and (key is None or key.decode("utf-8", "replace") not in self.users):
            return False
        if self.reasons:
            reason = next((v for k, v in headers if k == HEADER_ERROR_REASON), None)
            if reason is None or reason.decode("utf-8", "replace") not in self.reasons:
                return False
        # Checked per record too: the broker's time answers are per batch.
        if self.since is not None and timestamp_ms < self.since.timestamp() * 1000:
            return False
        return not (self.until is not None and timestamp_ms >= self.until.timestamp() * 1000)

    def describe(self) -> dict[str, Any]:
        """A stable, JSON-ready account of the selection (checkpoints compare it)."""
        return {
            "topic": self.topic,
            "partitions": list(self.partitions),
            "from_offset": self.from_offset,
            "to_offset": self.to_offset,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "users": sorted(self.users),
            "reasons": sorted(self.reasons),
        }


def clip(
    stored: Mapping[int, tuple[int, int]],
    selection: Selection,
    time_bounds: Mapping[int, tuple[int, int]] | None = None,
) -> Ranges:
    """The offsets to scan per partition: what is stored, narrowed by the selection.

    ``time_bounds`` are the offsets the selection's times resolved to.
    """
    ranges: Ranges = {}
    for partition, (low, high) in sorted(stored.items()):
        if selection.partitions and partition not in selection.partitions:
            continue
        start, end = low, high
        if selection.from_offset is not None:
            start = max(start, selection.from_offset)
        if selection.to_offset is not None:
            end = min(end, selection.to_offset)
        if time_bounds is not None and partition in time_bounds:
            since_at, until_at = time_bounds[partition]
            start, end = max(start, since_at), min(end, until_at)
        ranges[partition] = (start, max(start, end))
    return ranges
