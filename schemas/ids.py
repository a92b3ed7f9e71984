"""Deterministic event ids: the same input always yields the same output id."""

from __future__ import annotations

import json
import uuid

__all__ = ["EVENT_ID_NAMESPACE", "derive_event_id"]

EVENT_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:photostream:event-id")
"""UUIDv5 namespace of photostream event ids; changing it changes every id."""


def derive_event_id(*parts: str) -> str:
    """A UUIDv5 (canonical text) derived from ``parts``, in order.

    Pass what identifies the output, e.g. ``derive_event_id(photo_id, "metadata",
    extractor_version, upload.event_id)``. The parts are encoded as a JSON list,
    so ``("a:b",)`` and ``("a", "b")`` give different ids.
    """
    if not parts:
        raise ValueError("derive_event_id needs at least one part")
    for part in parts:
        if not isinstance(part, str):
            raise TypeError(f"event id parts must be str, got {type(part).__name__}")
    name = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, name))
