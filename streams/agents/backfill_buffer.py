"""The backfill lane's buffer: it stops the fetch instead of the whole consumer.

One Faust consumer delivers every fetched record, one at a time, to the
buffer of the stream that reads its topic. When a buffer is full, delivery
waits for it, and so does every record fetched behind the one waiting: live
uploads included. The backfill lane holds back while live uploads flow
(:class:`~streams.agents.backfill_gate.LiveGate`), so its buffer is full
exactly when live uploads arrive. Faust's own high-water mark stops further
fetches of a partition, but a fetch already in memory (up to a fetch
response per partition, thousands of small records) is still delivered into
the buffer, and that is what overflows it.

So this buffer never reports full: delivery never waits on the backfill
lane. At ``high`` buffered events it asks the consumer to stop fetching
backfill partitions (Faust's ``on_buffer_full``, which still delivers the
records already fetched without dropping any), and once the lane has taken
it down to ``low`` the fetch resumes. The backfill holds at most ``high``
events plus what was already fetched, which the client held in memory
anyway; nothing is dropped or read twice, so a paused partition has nothing
to catch up on.
"""

from __future__ import annotations

from typing import Any

import faust
from mode.utils.queues import FlowControlEvent, ThrowableQueue

__all__ = ["BackfillBuffer", "BackfillTopic"]


class BackfillBuffer(ThrowableQueue[Any]):
    """A stream buffer that never makes delivery wait; it pauses the fetch instead."""

    def __init__(
        self,
        *,
        high: int,
        low: int,
        flow_control: FlowControlEvent,
        clear_on_resume: bool = True,
    ) -> None:
        if not 0 <= low < high:
            raise ValueError(f"need 0 <= low < high, got low={low} high={high}")
        self._high = high
        self._low = low
        # Unbounded underneath: the bound is the fetch pause, not a blocking put.
        super().__init__(0, flow_control=flow_control, clear_on_resume=clear_on_resume)

    def full(self) -> bool:
        return False

    @property
    def pressure_high_size(self) -> int:
        return self._high

    @property
    def pressure_drop_size(self) -> int:
        return self._low

    def clear(self) -> None:
        # Faust clears stream buffers when a rebalance ends and rebuilds the
        # fetched partitions from the new assignment. A resume callback kept
        # from before would mark its partition as already paused, and the
        # next high-water mark would no longer pause it.
        super().clear()
        self._pending_pressure_drop_callbacks.clear()


class BackfillTopic(faust.Topic):
    """A topic whose streams buffer in a :class:`BackfillBuffer`.

    ``high`` is how many events the lane keeps ready; the fetch resumes at
    half of it, so the next events arrive before the lane runs dry.
    """

    def __init__(self, *args: Any, high: int = 16, **kwargs: Any) -> None:
        self._high = high
        super().__init__(*args, **kwargs)

    def _clone_args(self) -> Any:
        return {**super()._clone_args(), "high": self._high}

    @property
    def queue(self) -> ThrowableQueue[Any]:
        if self._queue is None:
            self._queue = BackfillBuffer(
                high=self._high, low=self._high // 2, flow_control=self.app.flow_control
            )
        return self._queue
