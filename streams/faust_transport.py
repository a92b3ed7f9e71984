"""Faust's aiokafka transport with the corrections that crashes and small brokers need.

1. Fetch wait. Faust hard-codes ``fetch_max_wait_ms=1500`` for its worker
   consumer. Brokers that re-check a pending fetch after half its wait (the
   embedded broker does) then add ~700 ms per hop; the configured value
   (``Settings.fetch_max_wait_ms``) keeps a hop within ~10 ms.
2. End offsets. Table recovery reads each changelog up to its end offset. Some
   brokers answer ``ListOffsets(latest)`` with the first offset of the newest
   batch + 1 instead of the true end, so recovery stops early and loses every
   later record of that batch. The high watermark in a fetch response is
   correct everywhere, so the end offset is taken from a fetch of the newest
   batch. On Apache Kafka both agree and the fetch costs one round trip per
   recovery.
3. Start position of partitions with no committed offset. Faust drops the
   records of a fetch that a rebalance (or a recovery pause) overtakes, after
   the client has already moved past them, and relies on "seek to committed"
   to fetch them again. With nothing committed yet that seek does nothing, so
   those records were never processed by the group: a partition stalled for
   good after a worker died before its first commit. Such partitions are
   sent back to where the reset policy says a group starts, and records
   dropped that way are read again from the committed offset.
4. Commits past work not done. Faust may commit over the lowest offset
   still being processed, or let go, when higher ones are acked (see
   :meth:`FencedConsumer._new_offset`).
5. Late work. An event delivered before a rebalance started may finish after
   it. Its ack would land in the next assignment's fresh bookkeeping, where
   Faust commits the first run of consecutive acked offsets wherever it
   starts: past records the rebalance dropped. Each message is stamped with
   the assignment it was delivered in (none while a rebalance is under way),
   and only messages of the current assignment are acked; agents ask the same
   question before they write state (:meth:`is_current`).
6. Buffers cleared by a resume that resumes nothing. Every ``resume()`` of
   Faust's flow control clears every stream buffer, and a recovery calls it
   again after flow is already on: after the seek that ends recovery, with
   the fetcher running. Records delivered in between were dropped after the
   client had moved past them, with no seek left to read them again; they
   waited, unprocessed, for the next rebalance and held their partition's
   commit back (:class:`SteadyFlowControl`).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Mapping
from typing import Any, cast

import aiokafka
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from mode.utils.queues import FlowControlEvent

__all__ = ["FencedConsumer", "SteadyFlowControl", "TunedTransport", "true_end_offsets"]

logger = logging.getLogger(__name__)

#: Set on the app by :func:`streams.app.create_app`; read by the consumer thread.
FETCH_MAX_WAIT_ATTR = "photostream_fetch_max_wait_ms"
_END_OFFSET_DEADLINE_S = 15.0


async def true_end_offsets(
    listed: Mapping[TP, int],
    *,
    bootstrap_servers: list[str],
    client_kwargs: Mapping[str, Any],
) -> dict[TP, int]:
    """Return each partition's end offset as a fetch response reports it.

    ``listed`` is what ``ListOffsets(latest)`` said; it is never more than
    the true end, and ``listed - 1`` always names a stored record when
    ``listed > 0``, so one fetch from there returns the true high watermark.
    """
    result = dict(listed)
    pending = {tp: offset for tp, offset in listed.items() if offset > 0}
    if not pending:
        return result
    consumer = aiokafka.AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
        **client_kwargs,
    )
    await consumer.start()
    try:
        assigned = [aiokafka.TopicPartition(tp.topic, tp.partition) for tp in pending]
        consumer.assign(assigned)
        for tp, offset in pending.items():
            consumer.seek(aiokafka.TopicPartition(tp.topic, tp.partition), offset - 1)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _END_OFFSET_DEADLINE_S
        unresolved = set(pending)
        while unresolved and loop.time() < deadline:
            await consumer.getmany(*assigned, timeout_ms=200)
            for tp in list(unresolved):
                high = consumer.highwater(aiokafka.TopicPartition(tp.topic, tp.partition))
                if high is not None:
                    result[tp] = max(high, pending[tp])
                    unresolved.discard(tp)
        if unresolved:
            raise TimeoutError(f"no fetch answered for the end offset of {sorted(unresolved)}")
    finally:
        await consumer.stop()
    corrected = {tp: result[tp] for tp in pending if result[tp] != pending[tp]}
    if corrected:
        logger.info("end offsets corrected from fetch high watermarks: %s", corrected)
    return result


class SteadyFlowControl(FlowControlEvent):
    """Flow control whose buffers are cleared when flow resumes, not on every resume call.

    Clearing on resume drops what was delivered before a suspension (a
    rebalance), which the seek that follows reads again. Records delivered
    while flow is on belong to the current assignment and stay.
    """

    def resume(self) -> None:
        if self.is_active():
            return
        super().resume()


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(
        self, transport: faust_aiokafka.Transport
    ) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        wait_ms = getattr(self.app, FETCH_MAX_WAIT_ATTR, None)
        if wait_ms is not None:
            # The constructor keeps it until start() builds the fetcher.
            consumer._fetch_max_wait_ms = int(wait_ms)
        return consumer

    async def _highwaters(self, partitions: list[TP]) -> Mapping[TP, int]:
        if self.consumer.in_transaction:
            # Transactional reads stop at the last stable offset; that answer
            # comes from the fetch path already.
            return await super()._highwaters(partitions)
        consumer = self._ensure_consumer()
        listed = cast(Mapping[TP, int], await consumer.end_offsets(partitions))
        conf = self.app.conf
        transport = cast(faust_aiokafka.Transport, self.transport)
        return await true_end_offsets(
            listed,
            bootstrap_servers=faust_aiokafka.server_list(transport.url, transport.default_port),
            client_kwargs={
                "request_timeout_ms": int(conf.broker_request_timeout * 1000.0),
                **faust_aiokafka.credentials_to_aiokafka_auth(
                    conf.broker_credentials, conf.ssl_context
                ),
            },
        )

    async def seek_to_committed(self) -> Mapping[TP, int]:
        committed = await super().seek_to_committed()
        changelogs = self.app.tables.changelog_topics
        # Table changelogs are positioned by recovery, never by commits.
        uncommitted = [
            tp for tp, offset in committed.items() if not offset and tp.topic not in changelogs
        ]
        if uncommitted:
            await self.seek_to_reset_position(uncommitted)
            # Where reading starts is where their first commit must start
            # (see FencedConsumer._new_offset): looked up once per assignment.
            consumer = self._ensure_consumer()
            latest = self.app.conf.consumer_auto_offset_reset == "latest"
            lookup = consumer.end_offsets if latest else consumer.beginning_offsets
            starts = await self.call_thread(lookup, uncommitted)
            fenced = cast(FencedConsumer, self.consumer)
            fenced._reset_start.update(
                {TP(tp.topic, tp.partition): int(o) for tp, o in starts.items()}
            )
        return committed

    async def seek_to_reset_position(self, partitions: list[TP]) -> None:
        """Move partitions without a committed offset to where a new group starts."""
        consumer = self._ensure_consumer()
        if self.app.conf.consumer_auto_offset_reset == "latest":
            await self.call_thread(consumer.seek_to_end, *partitions)
        else:
            await self.call_thread(consumer.seek_to_beginning, *partitions)


class FencedConsumer(faust_aiokafka.Consumer):
    """The aiokafka consumer with the corrections above."""

    _fetched: Mapping[TP, list[Any]] | None = None
    #: The generation of the current assignment; None from the moment a rebalance starts.
    _assignment: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._delivered_in: weakref.WeakKeyDictionary[Any, int | None] = weakref.WeakKeyDictionary()
        #: Per partition without a committed offset: where this assignment
        #: started reading it (the log's start, or end), so its first commit too.
        self._reset_start: dict[TP, int] = {}

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    @property
    def assignment_epoch(self) -> int | None:
        """The generation of the current assignment; None while a rebalance is under way."""
        return self._assignment

    def on_rebalance_start(self) -> None:
        """Called from the consumer thread before anything else of a rebalance."""
        self._assignment = None
        self._reset_start.clear()

    async def on_partitions_assigned(self, assigned: set[TP], generation_id: int = 0) -> None:
        self._assignment = generation_id
        self._reset_start.clear()
        await super().on_partitions_assigned(assigned, generation_id)

    def is_current(self, message: Any) -> bool:
        """Whether ``message`` was delivered in the assignment that still holds.

        False once a rebalance has started since its delivery: its partition
        may already belong to another worker, which reads it again from the
        committed offset, so neither its ack nor a state write may count.
        """
        try:
            delivered_in = self._delivered_in[message]
        except KeyError:
            return bool(message.generation_id == self.app.consumer_generation_id)
        return delivered_in is not None and delivered_in == self._assignment

    def ack(self, message: Any) -> bool:
        # Faust also acks the records its streams skip while flow control is
        # off (from a revocation until recovery resumes it); they were never
        # processed, and the seek that ends recovery reads them again.
        if not self.is_current(message) or not self.app.flow_control.is_active():
            # The next owner reads it again from the committed offset.
            message.acked = True
            self._unacked_messages.discard(message)
            return False
        return bool(super().ack(message))

    def _new_offset(self, tp: TP) -> int | None:
        """Commit only a run of done offsets that starts where reading started.

        Faust commits the first run of acked offsets wherever it starts when
        nothing is committed yet, and lets it start one past the committed
        offset otherwise (a single missing offset is taken for a compacted
        record). Either skips an offset that is still being processed, or
        one whose work was let go because a rebalance overtook it: a crash
        after such a commit loses it for good. Transactions keep Faust's
        rule: there a missing offset may be a transaction marker.
        """
        acked = self._acked.get(tp)
        if acked and not self.in_transaction:
            start = self._committed_offset.get(tp)
            if start is None:
                start = self._reset_start.get(tp)
            if start is None:
                # Not positioned yet in this assignment: records delivered now
                # come from wherever the client was, not from the commit.
                return None
            lowest = min(acked)
            gaps = self._gap.get(tp)
            if gaps:
                lowest = min(lowest, min(interval.begin for interval in gaps))
            if lowest > start:
                return None
            in_flight = [
                message.offset
                for message in list(self._unacked_messages)
                if message.tp == tp and not message.acked and self.is_current(message)
            ]
            if in_flight and lowest > min(in_flight):
                return None
        return super()._new_offset(tp)

    async def _wait_next_records(
        self,
        timeout: float,  # noqa: ASYNC109 - Faust's signature
    ) -> tuple[Mapping[TP, list[Any]] | None, set[TP] | None]:
        records, active = await super()._wait_next_records(timeout)
        self._fetched = records
        return records, active

    async def getmany(
        self,
        timeout: float,  # noqa: ASYNC109 - Faust's signature
    ) -> AsyncIterator[tuple[TP, Any]]:
        delivered: dict[TP, int] = {}
        async for tp, message in super().getmany(timeout):
            delivered[tp] = message.offset
            self._delivered_in[message] = self._assignment
            yield tp, message
        fetched, self._fetched = self._fetched or {}, None
        dropped = {
            tp
            for tp, records in fetched.items()
            if records and delivered.get(tp, -1) < records[-1].offset
        }
        if dropped:
            await self._rewind(dropped)

    async def _rewind(self, partitions: set[TP]) -> None:
        """Fetch again what Faust dropped: from the committed offset, or the reset position.

        A rebalance (or a flow stop) that overtakes a fetched batch makes
        Faust drop the rest of it after the client has moved past it. Left
        there, a partition with no commit yet would skip those records and a
        later commit would cover them: lost. Reading again from the committed
        offset repeats at most what was fetched, which the pipeline absorbs.
        """
        thread = cast(_ConsumerThread, self._thread)
        consumer = thread._ensure_consumer()
        # Table recovery positions changelogs itself, and starts over on a rebalance.
        changelogs = self.app.tables.changelog_topics
        for tp in partitions:
            if tp.topic in changelogs:
                continue
            try:
                if tp not in consumer.assignment():
                    continue  # the next owner starts from the committed offset
                committed = await thread.call_thread(consumer.committed, tp)
                logger.info(
                    "fetched records of %s were dropped; reading again from %s", tp, committed
                )
                if committed:
                    await self.seek(tp, committed)
                else:
                    await thread.seek_to_reset_position([tp])
                    self._read_offset[tp] = None
            except aiokafka.errors.IllegalStateError:
                # Revoked meanwhile: its next owner starts from the committed offset.
                logger.info("%s was revoked before it could be read again", tp)


class TunedTransport(faust_aiokafka.Transport):
    """The aiokafka transport with a configurable fetch wait and true end offsets."""

    Consumer = FencedConsumer
