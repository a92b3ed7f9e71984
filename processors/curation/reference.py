"""The expected end state, and the fold a downstream consumer does.

:func:`materialise` computes, from a set of inputs (any users, any order,
repeats allowed), what every consumer should end up holding: the live
timeline items and the automatic albums. It never runs the incremental path,
so tests (and the crash test) can hold the streaming result against it.

:class:`ConsumerFold` is the consumer side: it folds the published
``TimelineItemUpserted`` / ``TimelineItemRemoved`` / ``AlbumUpdated`` events,
dropping repeats by event id within a bounded window, into the same shape.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from schemas import (
    AlbumChange,
    AlbumKind,
    AlbumUpdated,
    MetadataExtracted,
    PhotoDeleted,
    Record,
    TimelineItemRemoved,
    TimelineItemUpserted,
    VisionScored,
)

from ._build import build
from ._facts import from_metadata, from_vision
from ._memories import live_ticks
from .inputs import CurationInput, OnThisDayTick
from .settings import CurationSettings
from .state import UserState
from .timeline import TimelineItem, upsert_for

__all__ = ["AlbumView", "ConsumerFold", "Curated", "fold", "materialise", "view_of"]


@dataclass(frozen=True, slots=True)
class AlbumView:
    """An album as a consumer holds it."""

    user_id: str
    kind: AlbumKind
    title: str | None
    cover_photo_id: str | None
    photo_ids: frozenset[str]


class Curated(NamedTuple):
    """Live timeline items by photo id, and albums by album id (both ids are global)."""

    timeline: dict[str, TimelineItem]
    albums: dict[str, AlbumView]


def view_of(state: UserState) -> Curated:
    """What a consumer of ``state``'s events holds once it has read them all."""
    timeline = {}
    for photo in state.order:
        upsert = upsert_for(
            state.user_id, photo, state.highlighted(photo), cause_event_id=state.user_id
        )
        timeline[photo.pid] = TimelineItem.from_upsert(upsert)
    albums = {
        aid: AlbumView(state.user_id, a.kind, a.title, a.cover, frozenset(a.members))
        for aid, a in state.albums.items()
    }
    return Curated(timeline, albums)


def materialise(
    inputs: Iterable[CurationInput], settings: CurationSettings | None = None
) -> Curated:
    """The timeline and albums that ``inputs`` must lead to, computed from scratch."""
    settings = settings or CurationSettings()
    states: dict[str, UserState] = {}
    for event in inputs:
        state = states.get(event.user_id)
        if state is None:
            state = states[event.user_id] = UserState.new(event.user_id, settings)
        if isinstance(event, OnThisDayTick):
            state.ticks = live_ticks([*state.ticks, event.date], settings.on_this_day_keep_days)
        elif isinstance(event, PhotoDeleted):
            state.deleted.add(event.photo_id)
            state.photos.pop(event.photo_id, None)
        elif isinstance(event, MetadataExtracted | VisionScored):
            if event.photo_id in state.deleted:
                continue
            old = state.photos.get(event.photo_id)
            if isinstance(event, MetadataExtracted):
                new = from_metadata(old, event)
            else:
                new = from_vision(old, event)
            if new is not None:
                state.photos[event.photo_id] = new
    out = Curated({}, {})
    for state in states.values():
        build(state)
        part = view_of(state)
        out.timeline.update(part.timeline)
        out.albums.update(part.albums)
    return out


class _Album:
    __slots__ = ("cover", "kind", "members", "title", "user_id")

    def __init__(self, event: AlbumUpdated) -> None:
        self.user_id, self.kind = event.user_id, event.album_kind
        self.title: str | None = None
        self.cover: str | None = None
        self.members: set[str] = set()


class ConsumerFold:
    """Folds curate outputs into a :class:`Curated` view, as a downstream service would.

    Repeats are dropped by event id within the last ``dedupe_window`` events;
    a repeat older than that is applied again, which is harmless because
    every event sets a fact (present, absent, title, cover) rather than
    counting.
    """

    def __init__(self, dedupe_window: int = 100_000) -> None:
        self._seen: set[str] = set()
        self._window: deque[str] = deque()
        self._limit = dedupe_window
        self._timeline: dict[str, TimelineItem] = {}
        self._albums: dict[str, _Album] = {}
        self.applied = 0
        self.duplicates = 0

    def apply(self, event: Record) -> bool:
        """Fold one event; False when it was a repeat and was dropped."""
        if not isinstance(event, TimelineItemUpserted | TimelineItemRemoved | AlbumUpdated):
            raise TypeError(f"not a curate output: {type(event).__name__}")
        event_id = event.event_id
        if event_id in self._seen:
            self.duplicates += 1
            return False
        self._seen.add(event_id)
        self._window.append(event_id)
        if len(self._window) > self._limit:
            self._seen.discard(self._window.popleft())
        self.applied += 1
        if isinstance(event, TimelineItemUpserted):
            self._timeline[event.photo_id] = TimelineItem.from_upsert(event)
        elif isinstance(event, TimelineItemRemoved):
            self._timeline.pop(event.photo_id, None)
        else:
            self._album(event)
        return True

    def _album(self, event: AlbumUpdated) -> None:
        if event.change is AlbumChange.DELETED:
            self._albums.pop(event.album_id, None)
            return
        album = self._albums.get(event.album_id)
        if album is None:
            album = self._albums[event.album_id] = _Album(event)
        if event.change in (AlbumChange.CREATED, AlbumChange.RETITLED):
            album.title = event.title
        elif event.change is AlbumChange.PHOTO_ADDED and event.photo_id is not None:
            album.members.add(event.photo_id)
        elif event.change is AlbumChange.PHOTO_REMOVED and event.photo_id is not None:
            album.members.discard(event.photo_id)
        elif event.change is AlbumChange.COVER_CHANGED:
            album.cover = event.cover_photo_id

    @property
    def view(self) -> Curated:
        albums = {
            aid: AlbumView(a.user_id, a.kind, a.title, a.cover, frozenset(a.members))
            for aid, a in self._albums.items()
        }
        return Curated(dict(self._timeline), albums)


def fold(events: Iterable[Record], dedupe_window: int = 100_000) -> Curated:
    """The view a consumer holds after reading ``events`` in order."""
    consumer = ConsumerFold(dedupe_window)
    for event in events:
        consumer.apply(event)
    return consumer.view
