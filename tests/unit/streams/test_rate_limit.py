"""The token bucket behind ``replay --rate``."""

from __future__ import annotations

import pytest

from streams.ops.rate_limit import TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize("rate", [5.0, 100.0, 2500.0])
def test_long_runs_hold_the_rate(rate: float) -> None:
    time = FakeTime()
    bucket = TokenBucket(rate, clock=time.clock, sleep=time.sleep)
    burst = max(1.0, rate / 10)
    count = int(rate * 10)
    for _ in range(count):
        bucket.acquire()
    # The first burst goes at once, the rest at the rate.
    assert time.now == pytest.approx((count - burst) / rate, rel=1e-6)


def test_bursts_are_bounded() -> None:
    time = FakeTime()
    bucket = TokenBucket(10, burst=3, clock=time.clock, sleep=time.sleep)
    time.now = 100.0  # a long idle time earns no more than the burst
    start = time.now
    for _ in range(13):
        bucket.acquire()
    assert time.now - start == pytest.approx(1.0)


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(0)
