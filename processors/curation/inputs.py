"""What the curate stage consumes: three event types and a daily tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas import MetadataExtracted, PhotoDeleted, VisionScored, derive_event_id

__all__ = ["CurationInput", "OnThisDayTick"]


@dataclass(frozen=True, slots=True)
class OnThisDayTick:
    """A daily timer fired for ``user_id`` on ``date`` (the user's local calendar day)."""

    user_id: str
    date: date

    @property
    def event_id(self) -> str:
        """Deterministic: the same user and date always give the same id."""
        return derive_event_id(self.user_id, "on-this-day", self.date.isoformat())


CurationInput = MetadataExtracted | VisionScored | PhotoDeleted | OnThisDayTick
"""Every input of :func:`processors.curation.apply`."""
