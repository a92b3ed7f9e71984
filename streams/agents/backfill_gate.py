"""Live uploads before backfill: the backfill lane runs only while the live lane is quiet.

A replay can put millions of upload events in ``photos.uploaded.backfill``;
they must never delay a user's fresh upload. The backfill agent runs one
event at a time and, before each, waits until no live upload is being
processed and none finished within ``quiet_s``. A live upload therefore
waits for at most the one backfill event already in progress. While the lane
waits, its buffer (:mod:`.backfill_buffer`) pauses the backfill fetch rather
than the delivery of live records.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["LiveGate"]


class LiveGate:
    def __init__(self, quiet_s: float = 0.25, clock: Callable[[], float] = time.monotonic) -> None:
        self._quiet_s = quiet_s
        self._clock = clock
        self._active = 0
        self._last_live = float("-inf")
        self.waits = 0

    @contextmanager
    def live(self) -> Iterator[None]:
        """Wrap the handling of one live event."""
        self._active += 1
        self._last_live = self._clock()
        try:
            yield
        finally:
            self._active -= 1
            self._last_live = self._clock()

    def quiet(self) -> bool:
        return self._active == 0 and self._clock() - self._last_live >= self._quiet_s

    async def wait_quiet(self) -> None:
        """Return once the live lane is quiet; call before each backfill event."""
        while not self.quiet():
            self.waits += 1
            await asyncio.sleep(self._quiet_s / 4)
