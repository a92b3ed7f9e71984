"""Thresholds and titles of the automatic albums, with defaults users of photo apps expect.

Every default is chosen to match what people already see in the big photo apps:

======================== ============ ==================================================
setting                  default      why
======================== ============ ==================================================
event_gap                3 h          a pause longer than an afternoon coffee ends a
                                      moment ("Moments" in most apps split at 1-3 h)
event_min_photos         5            fewer photos are a snapshot, not an event
trip_min_distance_km     100          a day out in the next town is not a trip
trip_max_gap             2 days       a quiet day on holiday does not end the trip
trip_min_nights          1            a trip sleeps away from home at least once
trip_min_photos          3
trip_title_places        2            "Lisbon and Porto, May 2024"
home_window_months       12           home is where most days were shot in the trailing
                                      year, so moving house moves home within months
home_cell_degrees        0.5          ~50 km cells: a whole metro area counts as one home
stack_window             10 s         bursts and "take three to be safe" shots
stack_phash_distance     8            of 64 pHash bits: re-encodes and tiny reframes,
                                      not two different scenes
best_of_size             20           a screenful per month or trip
best_of_min_photos       3            a "best of" one photo is not a selection
best_of_min_quality      None         ``quality`` has no fixed scale; rank only
highlights_per_day       3            the day's best three light up on the timeline
highlight_min_quality    None
nsfw_threshold           0.5          at or above: never in best-of, covers, memories
on_this_day_keep_days    1            yesterday's memory leaves when today's arrives
======================== ============ ==================================================

Changing a setting changes albums: :func:`processors.curation.apply` notices a
state built with other settings and first emits the changes that take the
albums from the old settings to the new ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

__all__ = ["CurationSettings"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CurationSettings:
    """How photos become timeline highlights and automatic albums (see the module table)."""

    event_gap: timedelta = timedelta(hours=3)
    event_min_photos: int = 5
    trip_min_distance_km: float = 100.0
    trip_max_gap: timedelta = timedelta(days=2)
    trip_min_nights: int = 1
    trip_min_photos: int = 3
    trip_title_places: int = 2
    home_window_months: int = 12
    home_cell_degrees: float = 0.5
    stack_window: timedelta = timedelta(seconds=10)
    stack_phash_distance: int = 8
    best_of_size: int = 20
    best_of_min_photos: int = 3
    best_of_min_quality: float | None = None
    highlights_per_day: int = 3
    highlight_min_quality: float | None = None
    nsfw_threshold: float = 0.5
    on_this_day_keep_days: int = 1
    trip_fallback_title: str = "Trip"
    stack_title: str = "Similar photos"
    on_this_day_title: str = "On this day"
    best_of_prefix: str = "Best of"

    def __post_init__(self) -> None:
        for name in ("event_gap", "trip_max_gap", "stack_window"):
            if getattr(self, name) < timedelta(0):
                raise ValueError(f"{name} must not be negative")
        for name in (
            "event_min_photos",
            "trip_min_photos",
            "trip_title_places",
            "home_window_months",
            "best_of_size",
            "best_of_min_photos",
            "on_this_day_keep_days",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.trip_min_nights < 0 or self.highlights_per_day < 0:
            raise ValueError("trip_min_nights and highlights_per_day must not be negative")
        if self.home_cell_degrees <= 0 or self.trip_min_distance_km < 0:
            raise ValueError("home_cell_degrees must be positive, trip distance not negative")
        if self.best_of_min_photos > self.best_of_size:
            raise ValueError("best_of_min_photos must not exceed best_of_size")
        if not 0 <= self.stack_phash_distance <= 64:
            raise ValueError("stack_phash_distance must be in 0..64")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values; durations in seconds."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            out[field.name] = value.total_seconds() if isinstance(value, timedelta) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CurationSettings:
        """Inverse of :meth:`to_dict`; unknown keys are ignored, missing ones take defaults."""
        kwargs: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            if field.name in data:
                value = data[field.name]
                if isinstance(field.default, timedelta):
                    value = timedelta(seconds=value)
                kwargs[field.name] = value
        return cls(**kwargs)
