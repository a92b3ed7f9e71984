"""The next offset each agent will take, per partition, for the consumer-lag gauge."""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping

__all__ = ["TakenOffsets", "consumer_lag", "taken_offsets"]


class TakenOffsets:
    """The offset after the last record an agent took from each partition."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[tuple[str, int], int] = {}

    def taken(self, topic: str, partition: int, offset: int) -> None:
        key = (topic, partition)
        with self._lock:
            # Concurrent actors may take records slightly out of order.
            if offset + 1 > self._next.get(key, -1):
                self._next[key] = offset + 1

    def snapshot(self) -> dict[tuple[str, int], int]:
        with self._lock:
            return dict(self._next)


@functools.cache
def taken_offsets() -> TakenOffsets:
    return TakenOffsets()


def consumer_lag(
    assigned: set[tuple[str, int]],
    highwaters: Mapping[tuple[str, int], int | None],
    taken: Mapping[tuple[str, int], int],
    committed: Mapping[tuple[str, int], int | None],
) -> dict[tuple[str, int], int]:
    """Records not yet taken, per assigned partition whose high watermark and position are known.

    The position is the offset after the last record taken, or the committed
    offset before anything was taken since the partition was assigned,
    whichever is further; a partition with neither (a changelog only read at
    recovery) has no lag to report.
    """
    lag: dict[tuple[str, int], int] = {}
    for tp in assigned:
        high = highwaters.get(tp)
        positions = [p for p in (taken.get(tp), committed.get(tp)) if p is not None]
        if high is None or not positions:
            continue
        lag[tp] = max(high - max(positions), 0)
    return lag
