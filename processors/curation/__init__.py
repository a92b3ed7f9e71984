"""Curation: a user's photos become a timeline and automatic albums.

A per-user state machine, pure (no Kafka, no clock), meant to sit behind a
stream agent keyed by user id::

    state = UserState.new(user_id)                       # or UserState.from_bytes(...)
    state, outputs = apply(state, event, settings, at=record_timestamp)
    # publish outputs (TimelineItemUpserted / TimelineItemRemoved / AlbumUpdated) in order

Inputs are ``MetadataExtracted``, ``VisionScored``, ``PhotoDeleted`` and a
daily :class:`OnThisDayTick`. The albums and the live timeline are a function
of the *set* of inputs: any arrival order, and any repeats, end in the same
state (:func:`materialise` computes it from scratch; :class:`ConsumerFold`
is the consumer-side fold of the outputs).

Modules: ``settings`` (thresholds and titles), ``inputs``, ``state``
(facts, storage), ``apply`` (the state machine), ``timeline`` (items and
sort keys), ``reference`` (materialise and the consumer fold); the private
modules hold one album rule each.
"""

from __future__ import annotations

from ._albums import ALBUM_VERSION, album_id
from .apply import apply
from .inputs import CurationInput, OnThisDayTick
from .reference import AlbumView, ConsumerFold, Curated, fold, materialise, view_of
from .settings import CurationSettings
from .state import FORMAT_VERSION, UserState
from .timeline import TIMELINE_VERSION, TimelineItem, sort_key, upsert_for

__all__ = [
    "ALBUM_VERSION",
    "FORMAT_VERSION",
    "TIMELINE_VERSION",
    "AlbumView",
    "ConsumerFold",
    "Curated",
    "CurationInput",
    "CurationSettings",
    "OnThisDayTick",
    "TimelineItem",
    "UserState",
    "album_id",
    "apply",
    "fold",
    "materialise",
    "sort_key",
    "upsert_for",
    "view_of",
]
