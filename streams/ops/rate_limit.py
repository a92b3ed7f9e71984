"""A token bucket: at most ``rate`` records per second, in bursts of at most ``burst``."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["TokenBucket"]


class TokenBucket:
    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._rate = rate
        # A small burst keeps the rate even over short windows too.
        self._burst = burst if burst is not None else max(1.0, rate / 10)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self._burst
        self._at = clock()

    def acquire(self) -> None:
        """Take one token, sleeping until one is there."""
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return
        wait = (1 - self._tokens) / self._rate
        self._sleep(wait)
        # The token earned while sleeping is spent at once; counting from the
        # planned wake-up (not re-reading the clock in a loop) keeps float
        # rounding from ever asking for a zero-length sleep.
        self._tokens = 0.0
        self._at = now + wait
