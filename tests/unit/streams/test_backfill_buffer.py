"""The backfill buffer pauses the fetch of its partitions instead of making delivery wait."""

from __future__ import annotations

import asyncio

import pytest
from mode.utils.queues import FlowControlEvent

from streams.agents.backfill_buffer import BackfillBuffer


class Partition:
    """What the consumer does for one partition: fetch it or not."""

    def __init__(self) -> None:
        self.fetching = True

    def pause(self) -> None:
        self.fetching = False

    def resume(self) -> None:
        self.fetching = True


def deliver(buffer: BackfillBuffer, partition: Partition, count: int) -> None:
    """What Faust's conductor does with fetched records: wait while full, else put."""
    for i in range(count):
        assert not buffer.full(), "delivery would wait here, and every live record behind it"
        buffer.put_nowait_enhanced(
            i, on_pressure_high=partition.pause, on_pressure_drop=partition.resume
        )


def test_records_already_fetched_are_taken_past_the_high_mark_and_stop_the_fetch() -> None:
    buffer = BackfillBuffer(high=4, low=2, flow_control=FlowControlEvent())
    partition = Partition()
    deliver(buffer, partition, 3)
    assert partition.fetching
    # A whole fetch response arrives at once, far more than the buffer's mark.
    deliver(buffer, partition, 500)
    assert buffer.qsize() == 503
    assert not partition.fetching


async def test_the_fetch_resumes_once_the_lane_has_taken_the_buffer_down_to_low() -> None:
    buffer = BackfillBuffer(high=4, low=2, flow_control=FlowControlEvent())
    partition = Partition()
    deliver(buffer, partition, 6)
    for _ in range(4):
        await buffer.get()
    assert buffer.qsize() == 2
    assert not partition.fetching
    await buffer.get()
    assert partition.fetching


async def test_every_paused_partition_resumes_when_the_lane_waits_for_more() -> None:
    buffer = BackfillBuffer(high=2, low=0, flow_control=FlowControlEvent())
    partitions = [Partition() for _ in range(3)]
    for partition in partitions:
        deliver(buffer, partition, 3)
    assert not any(p.fetching for p in partitions)
    for _ in range(9):
        await buffer.get()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(buffer.get(), 0.05)
    assert all(p.fetching for p in partitions)


def test_after_a_rebalance_clears_the_buffer_the_high_mark_pauses_again() -> None:
    flow = FlowControlEvent()
    buffer = BackfillBuffer(high=2, low=1, flow_control=flow)
    partition = Partition()
    deliver(buffer, partition, 3)
    assert not partition.fetching
    # Faust clears stream buffers when a rebalance ends and fetches every
    # assigned partition again.
    flow.suspend()
    flow.resume()
    assert buffer.empty()
    partition.resume()
    deliver(buffer, partition, 3)
    assert not partition.fetching


def test_low_must_be_below_high() -> None:
    with pytest.raises(ValueError, match="low < high"):
        BackfillBuffer(high=2, low=2, flow_control=FlowControlEvent())
