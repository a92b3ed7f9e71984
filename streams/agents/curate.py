"""The curate agent: per-user timeline and albums from metadata, scores and deletions.

It reads them from one log, ``photos.curate.inputs``, that the relay in
:mod:`.curate_relay` fills from their topics.

State lives in a Faust table keyed by user id (the changelog makes it
survive restarts); decoded states are cached in memory between events and
dropped at every rebalance, so a partition that moves away and back is read
from the table again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import faust
import orjson

from processors.curation import CurationSettings, OnThisDayTick, UserState, apply
from processors.errors import BadInput
from schemas import (
    AlbumUpdated,
    Codec,
    InvalidEvent,
    MetadataExtracted,
    PhotoDeleted,
    Record,
    TimelineItemRemoved,
    TimelineItemUpserted,
    UndecodableEvent,
    VisionScored,
)

from ..app import PhotostreamApp, bytes_table
from ..deadletter import dead_letter_for
from ..observability import observe_timeline_latency, stage_timer
from ..records import Outgoing, SourceRecord
from ..settings import Settings
from ..topics import TopicNames
from .curate_relay import origin_of, register_curate_relay
from .sending import Sender, source_record

__all__ = ["CURATE_TABLE", "register_curate"]

logger = logging.getLogger(__name__)

CURATE_TABLE = "curate-users"
STAGE = "curate"


class _StateCache:
    """Decoded user states, each valid only in the assignment that read it.

    An event still in flight when a rebalance starts may finish after the
    revocation cleared the cache; tagging entries with the assignment keeps
    such a late entry from being trusted once the partition comes back.
    Bounded in users and in photos: the least recently used states go first.
    """

    def __init__(
        self,
        table: Any,
        settings: CurationSettings,
        epoch: Callable[[], int | None],
        *,
        max_users: int,
        max_photos: int,
    ) -> None:
        self._table = table
        self._settings = settings
        self._epoch = epoch
        self._max_users, self._max_photos = max_users, max_photos
        self._states: OrderedDict[str, tuple[int | None, UserState]] = OrderedDict()
        # Photos per cached state when last counted; states grow in place
        # between a get and the put that follows it.
        self._sizes: dict[str, int] = {}
        self.photos = 0

    def get(self, user_id: str) -> UserState:
        epoch = self._epoch()
        cached = self._states.get(user_id)
        if cached is not None and epoch is not None and cached[0] == epoch:
            state = cached[1]
        else:
            stored = self._table.get(user_id.encode())
            state = (
                UserState.from_bytes(stored)
                if stored is not None
                else UserState.new(user_id, self._settings)
            )
        self._states[user_id] = (epoch, state)
        self._states.move_to_end(user_id)
        self._count(user_id, state)
        return state

    def put(self, state: UserState) -> None:
        self._table[state.user_id.encode()] = state.to_bytes()
        if state.user_id in self._states:
            self._count(state.user_id, state)

    def forget(self, user_id: str) -> None:
        self._states.pop(user_id, None)
        self.photos -= self._sizes.pop(user_id, 0)

    def clear(self) -> None:
        self._states.clear()
        self._sizes.clear()
        self.photos = 0

    def __len__(self) -> int:
        return len(self._states)

    def _count(self, user_id: str, state: UserState) -> None:
        size = len(state.photos)
        self.photos += size - self._sizes.get(user_id, 0)
        self._sizes[user_id] = size
        # The newest entry stays even alone over the limit: it is in use.
        while len(self._states) > 1 and (
            len(self._states) > self._max_users or self.photos > self._max_photos
        ):
            oldest, _ = self._states.popitem(last=False)
            self.photos -= self._sizes.pop(oldest, 0)


def _decode_input(
    codec: Codec, topics: TopicNames, record: SourceRecord
) -> MetadataExtracted | VisionScored | PhotoDeleted | OnThisDayTick:
    if record.value is None:
        raise BadInput("record has no value", reason="empty_event")
    if record.topic == topics.curate_ticks:
        body = orjson.loads(record.value)
        return OnThisDayTick(user_id=str(body["user_id"]), date=date.fromisoformat(body["date"]))
    event = codec.decode(record.value)
    if not isinstance(event, MetadataExtracted | VisionScored | PhotoDeleted):
        raise BadInput(f"curate does not take {type(event).__name__}", reason="wrong_event_type")
    if record.key != event.user_id.encode():
        raise BadInput("message key differs from the event's user_id", reason="key_mismatch")
    return event


def _output_topic(topics: TopicNames, event: Record) -> str:
    if isinstance(event, TimelineItemUpserted | TimelineItemRemoved):
        return topics.timeline
    if isinstance(event, AlbumUpdated):
        return topics.albums
    raise TypeError(f"curate produced {type(event).__name__}")


def register_curate(
    app: PhotostreamApp, settings: Settings, topics: TopicNames, codec: Codec
) -> None:
    inputs = app.topic(topics.curate_inputs, key_type=bytes, value_type=bytes)
    table = bytes_table(app, CURATE_TABLE, settings)
    curation = CurationSettings()
    # Bounded in photos too: a count of users alone lets a few large libraries
    # (tens of thousands of photos each) take gigabytes.
    cache = _StateCache(
        table,
        curation,
        lambda: app.fenced_consumer.assignment_epoch,
        max_users=settings.curate_cache_users,
        max_photos=settings.curate_cache_photos,
    )
    app.curate_cache = cache
    sender = Sender(app, topics.all())
    register_curate_relay(app, settings, topics, sender)

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]
    async def _drop_cache(_app: faust.App, _revoked: object, **_: Any) -> None:
        cache.clear()

    @app.agent(inputs)
    async def curate(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            record = origin_of(source_record(event))
            outgoing, state = _handle(record)
            # Outputs first, state second: a crash in between re-applies the
            # input to the old state, which gives the same outputs again. The
            # other order would lose them (the new state says nothing is due).
            try:
                await sender.send_all(outgoing)
            except BaseException:
                if state is not None:
                    cache.forget(state.user_id)  # updated in place, never stored
                raise
            if state is not None:
                if app.is_current(event):
                    cache.put(state)
                else:
                    # A rebalance began while in flight: the partition's next
                    # owner (maybe this worker) reads this input again from the
                    # committed offset and the state it recovers. A write from
                    # here could reach the changelog after that owner's own
                    # writes and replace them for the recovery after next.
                    cache.forget(state.user_id)
            observe_timeline_latency(record, outgoing, topics.timeline)

    def _handle(record: SourceRecord) -> tuple[list[Outgoing], UserState | None]:
        try:
            data = _decode_input(codec, topics, record)
            state = cache.get(data.user_id)
            at = (
                datetime.fromtimestamp(record.timestamp_ms / 1000, UTC)
                if record.timestamp_ms is not None
                else None
            )
            try:
                with stage_timer("curate_apply"):
                    state, outputs = apply(state, data, at=at)
            except Exception:
                # apply() updates the state in place: a failure must not
                # leave a half-applied state in the cache.
                cache.forget(data.user_id)
                raise
        except (BadInput, UndecodableEvent, InvalidEvent, ValueError, KeyError) as exc:
            return [_dead_letter(record, exc, getattr(exc, "reason", "bad_input"))], None
        except Exception as exc:
            logger.exception("curation failed at %s", record.where)
            return [_dead_letter(record, exc, "curation_failed")], None
        key = state.user_id.encode()
        outgoing = [
            Outgoing(_output_topic(topics, out), key, codec.encode(_output_topic(topics, out), out))
            for out in outputs
        ]
        return outgoing, state

    def _dead_letter(record: SourceRecord, exc: BaseException, reason: str) -> Outgoing:
        return dead_letter_for(record, exc, reason, STAGE, topics.deadletter)

    ticks = app.topic(topics.curate_ticks, key_type=bytes, value_type=bytes)

    @app.timer(interval=settings.memories_interval_s)  # type: ignore[untyped-decorator]
    async def _on_this_day() -> None:
        # Every worker ticks the users whose state it holds; a tick's event id
        # is deterministic, so a repeat (two workers, a restart) changes nothing.
        today = datetime.now(UTC).date().isoformat()
        for key in list(table.keys()):
            user = key.decode()
            await ticks.send(key=key, value=orjson.dumps({"user_id": user, "date": today}))
