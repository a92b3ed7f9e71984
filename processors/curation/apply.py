"""The curate state machine: ``apply(state, input, settings) -> (state, outputs)``.

Pure apart from updating ``state`` in place: no I/O, no clock, no randomness.
The same state and input always give the same outputs, byte for byte, so an
input processed again after a crash reproduces exactly what it produced
before; an input whose effect the state already holds produces nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from schemas import MetadataExtracted, PhotoDeleted, Record, VisionScored

from ..errors import BadInput
from ._albums import Journal
from ._build import retune
from ._engine import photo_changed
from ._facts import EPOCH, from_metadata, from_vision
from ._memories import add_tick
from .inputs import CurationInput, OnThisDayTick
from .settings import CurationSettings
from .state import UserState

__all__ = ["apply"]


def _default_at(event: CurationInput) -> datetime:
    if isinstance(event, PhotoDeleted):
        return event.deleted_at
    if isinstance(event, OnThisDayTick):
        return datetime.combine(event.date, time(), UTC)
    return EPOCH


def apply(
    state: UserState,
    event: CurationInput,
    settings: CurationSettings | None = None,
    *,
    at: datetime | None = None,
) -> tuple[UserState, list[Record]]:
    """Fold one input into ``state``; returns the state and the events to publish, in order.

    ``state`` is updated in place and returned (copying a user with 200k
    photos per input would cost more than the work itself); on
    :class:`~processors.errors.BadInput` it is left untouched.

    ``settings``: when given and different from the state's, the state is
    first switched to them and the outputs start with the album changes that
    follow. ``at`` becomes ``occurred_at``/``removed_at`` of the outputs: pass
    the input record's log timestamp, which is the same every time the
    record is processed, so repeated outputs stay byte-identical. Without it,
    a deletion uses ``deleted_at``, a tick its date at 00:00 UTC, and
    anything else the Unix epoch.
    """
    if event.user_id != state.user_id:
        raise BadInput(
            f"input for user {event.user_id!r} reached the state of {state.user_id!r}",
            reason="user_mismatch",
        )
    when = at if at is not None else _default_at(event)
    outputs: list[Record] = []
    if settings is not None and settings != state.settings:
        outputs += retune(state, settings, event.event_id, when)
    if isinstance(event, MetadataExtracted | VisionScored):
        if event.photo_id in state.deleted:
            return state, outputs
        old = state.photos.get(event.photo_id)
        if isinstance(event, MetadataExtracted):
            new = from_metadata(old, event)
        else:
            new = from_vision(old, event)
        if new is not None:
            outputs += photo_changed(state, old, new, event.photo_id, event.event_id, when)
    elif isinstance(event, PhotoDeleted):
        if event.photo_id not in state.deleted:
            state.deleted.add(event.photo_id)
            state.mark("d:" + event.photo_id)
            old = state.photos.get(event.photo_id)
            outputs += photo_changed(state, old, None, event.photo_id, event.event_id, when)
    elif isinstance(event, OnThisDayTick):
        journal = Journal(state.albums)
        if add_tick(state, journal, event.date):
            outputs += journal.events(state.user_id, event.event_id, when)
    else:
        raise BadInput(f"curation does not take {type(event).__name__}", reason="unexpected_event")
    return state, outputs
