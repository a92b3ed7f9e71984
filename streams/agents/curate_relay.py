"""One log of curate inputs per partition, so that curate re-reads them in one order.

Curate takes metadata, scores, deletions and ticks from four topics. Read
again after a crash, four topics interleave differently than they did the
first time: a user's state would take the same inputs in another order and
emit events that differ from the first ones, some under the same event ids,
which consumers then drop as repeats. The relay copies each input, as it
arrives, into one internal topic (same partition, same timestamp, headers
kept) and curate reads only that log. A re-read then meets the inputs in the
order they were first applied and repeats its outputs byte for byte; the
relay's own repeats after a crash land later in the log, where curate's
set semantics make them no-ops.
"""

from __future__ import annotations

import faust

from ..records import Outgoing, SourceRecord
from ..settings import Settings
from ..topics import TopicNames
from .sending import Sender, source_record

__all__ = ["origin_of", "register_curate_relay", "relayed"]

ORIGIN_TOPIC = "ps.origin.topic"
ORIGIN_PARTITION = "ps.origin.partition"
ORIGIN_OFFSET = "ps.origin.offset"
_ORIGIN = (ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET)


def relayed(record: SourceRecord, log_topic: str) -> Outgoing:
    """``record`` as it goes into the curate input log."""
    headers = [*record.headers]
    headers += [
        (ORIGIN_TOPIC, record.topic.encode()),
        (ORIGIN_PARTITION, str(record.partition).encode()),
        (ORIGIN_OFFSET, str(record.offset).encode()),
    ]
    return Outgoing(
        log_topic,
        record.key,
        record.value,
        headers,
        partition=record.partition,
        timestamp_ms=record.timestamp_ms,
    )


def origin_of(record: SourceRecord) -> SourceRecord:
    """The input as it was first published: its topic, position and own headers.

    Dead letters then name where the input really came from, and a redrive
    sends it back there. A record without origin headers is taken as is.
    """
    origin = {name: value for name, value in record.headers if name in _ORIGIN}
    if len(origin) != len(_ORIGIN):
        return record
    try:
        partition = int(origin[ORIGIN_PARTITION])
        offset = int(origin[ORIGIN_OFFSET])
    except ValueError:
        return record
    return SourceRecord(
        topic=origin[ORIGIN_TOPIC].decode(),
        partition=partition,
        offset=offset,
        key=record.key,
        value=record.value,
        headers=[(name, value) for name, value in record.headers if name not in _ORIGIN],
        timestamp_ms=record.timestamp_ms,
    )


def register_curate_relay(
    app: faust.App, settings: Settings, topics: TopicNames, sender: Sender
) -> None:
    sources = app.topic(
        topics.metadata,
        topics.vision_scored,
        topics.deleted,
        topics.curate_ticks,
        key_type=bytes,
        value_type=bytes,
    )

    # The order of the log does not matter, only that it is one log: several
    # copies may be in flight at once. Each is acknowledged before its source
    # record counts as done, so a crash repeats copies and never loses one.
    @app.agent(sources, concurrency=settings.agent_concurrency)
    async def curate_relay(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            await sender.send_all([relayed(source_record(event), topics.curate_inputs)])
