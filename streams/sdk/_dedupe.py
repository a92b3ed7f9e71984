"""A bounded memory of recently handled event ids."""

from __future__ import annotations

from collections import OrderedDict

__all__ = ["DedupeWindow"]


class DedupeWindow:
    """The last ``size`` event ids handled; memory stays bounded by ``size``."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("dedupe window size must be at least 1")
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        """Remember ``event_id``, forgetting the oldest id beyond ``size``."""
        self._ids[event_id] = None
        self._ids.move_to_end(event_id)
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)

    def seen(self, event_id: str) -> bool:
        """Record ``event_id``; True when it was already in the window."""
        known = event_id in self._ids
        self.add(event_id)
        return known

    def __len__(self) -> int:
        return len(self._ids)
