"""Producing handler outputs from inside a Faust agent."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import faust
from faust.types import EventT, TopicT

from ..observability import count_consumed, count_produced
from ..records import Outgoing, SourceRecord, header_pairs

__all__ = ["Sender", "source_record"]


def source_record(event: EventT[bytes]) -> SourceRecord:
    message = event.message
    count_consumed(message.topic, message.partition, message.offset)
    return SourceRecord(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=event.key,
        value=event.value,
        headers=header_pairs(message.headers),
        timestamp_ms=int(message.timestamp * 1000) if message.timestamp else None,
    )


class Sender:
    """Sends :class:`Outgoing` records and waits until the broker has them."""

    def __init__(self, app: faust.App, topic_names: Sequence[str]) -> None:
        # Declared up front: Faust wants every topic known before it starts.
        self._topics: dict[str, TopicT] = {
            name: app.topic(name, key_type=bytes, value_type=bytes) for name in topic_names
        }

    def _topic(self, name: str) -> TopicT:
        return self._topics[name]

    async def send_all(self, outgoing: Sequence[Outgoing]) -> None:
        pending = [
            await self._topic(out.topic).send(
                key=out.key,
                value=out.value,
                headers=out.headers,
                partition=out.partition,
                timestamp=None if out.timestamp_ms is None else out.timestamp_ms / 1000.0,
            )
            for out in outgoing
        ]
        await asyncio.gather(*pending)
        count_produced(out.topic for out in outgoing)
