"""The backfill lane waits while live uploads are being handled or just were."""

from __future__ import annotations

import asyncio

from streams.agents.backfill_gate import LiveGate


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_quiet_only_after_live_work_ends_and_the_quiet_time_passes() -> None:
    clock = Clock()
    gate = LiveGate(quiet_s=0.25, clock=clock)
    assert gate.quiet()
    with gate.live():
        assert not gate.quiet()
        clock.now += 10
        assert not gate.quiet()
    assert not gate.quiet()
    clock.now += 0.3
    assert gate.quiet()


async def test_backfill_resumes_once_live_uploads_stop() -> None:
    gate = LiveGate(quiet_s=0.05)
    order: list[str] = []

    async def live() -> None:
        for _ in range(5):
            with gate.live():
                order.append("live")
                await asyncio.sleep(0.02)

    async def backfill() -> None:
        await asyncio.sleep(0.001)
        await gate.wait_quiet()
        order.append("backfill")

    await asyncio.gather(live(), backfill())
    assert order == ["live"] * 5 + ["backfill"]
