"""Upload-to-timeline latency: the upload time rides a header from ingest to curate.

``MetadataExtracted`` does not carry the upload time, and the record's own
timestamp is when ingest produced it; so ingest copies the upload event's
``uploaded_at`` into a header and curate, once the timeline item is
produced, observes now minus that.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from ..records import Outgoing, SourceRecord
from .instruments import observe_upload_to_timeline

__all__ = ["UPLOADED_AT_HEADER", "observe_timeline_latency", "with_upload_time"]

#: Milliseconds since the epoch, as ASCII digits.
UPLOADED_AT_HEADER = "ps.uploaded_at_ms"


def with_upload_time(outgoing: Sequence[Outgoing], uploaded_at: datetime) -> list[Outgoing]:
    """``outgoing`` with the upload time header added to each record."""
    header = (UPLOADED_AT_HEADER, str(int(uploaded_at.timestamp() * 1000)).encode())
    return [replace(out, headers=[*out.headers, header]) for out in outgoing]


def uploaded_at_ms(record: SourceRecord) -> int | None:
    for name, value in record.headers:
        if name == UPLOADED_AT_HEADER:
            try:
                return int(value)
            except ValueError:
                return None
    return None


def observe_timeline_latency(
    source: SourceRecord,
    produced: Sequence[Outgoing],
    timeline_topic: str,
    *,
    now_ms: float | None = None,
) -> None:
    """Observe the latency once, if ``produced`` (delivered) put the upload on the timeline."""
    if not any(out.topic == timeline_topic for out in produced):
        return
    uploaded = uploaded_at_ms(source)
    if uploaded is None:
        return
    now = time.time() * 1000 if now_ms is None else now_ms
    observe_upload_to_timeline((now - uploaded) / 1000)
