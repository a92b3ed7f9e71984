"""Bounded retries with exponential backoff and full jitter for transient faults."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from processors.errors import TransientError

from .observability import count_retry
from .settings import Settings

__all__ = ["RetryPolicy", "TransientExhausted", "retry_transient"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    base_delay_s: float = 0.1
    max_delay_s: float = 5.0
    #: Where the retries are counted (``photostream_retries_total{stage}``).
    stage: str = "other"

    def delay(self, attempt: int, rng: random.Random) -> float:
        # Full jitter: spreads retries of many workers hitting one throttled prefix.
        return rng.uniform(0.0, min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))

    @classmethod
    def from_settings(cls, settings: Settings, stage: str = "other") -> RetryPolicy:
        return cls(
            attempts=settings.retry_attempts,
            base_delay_s=settings.retry_base_delay_s,
            max_delay_s=settings.retry_max_delay_s,
            stage=stage,
        )


class TransientExhausted(Exception):
    """A transient fault outlasted every retry."""

    def __init__(self, attempts: int, last: TransientError) -> None:
        super().__init__(f"gave up after {attempts} attempts: {last}")
        self.attempts = attempts
        self.last = last


async def retry_transient(
    operation: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    what: str,
    rng: random.Random | None = None,
) -> T:
    """Run ``operation``; retry it on :class:`TransientError` as ``policy`` allows."""
    rng = rng or random.Random()
    for attempt in range(1, policy.attempts + 1):
        try:
            return await operation()
        except TransientError as exc:
            if attempt == policy.attempts:
                raise TransientExhausted(attempt, exc) from exc
            delay = policy.delay(attempt, rng)
            count_retry(policy.stage)
            logger.warning("%s failed (attempt %d, retry in %.2fs): %s", what, attempt, delay, exc)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
