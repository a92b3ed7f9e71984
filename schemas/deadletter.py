"""Header names of the dead-letter envelope (see ``schemas/DEADLETTER.md``).

A dead letter keeps the failed record's key, value and headers untouched and
adds these; values are UTF-8 text, times ISO-8601 UTC.
"""

from __future__ import annotations

__all__ = [
    "DEADLETTER_HEADERS",
    "HEADER_ATTEMPT",
    "HEADER_ERROR_CLASS",
    "HEADER_ERROR_MESSAGE",
    "HEADER_ERROR_REASON",
    "HEADER_FIRST_FAILURE_AT",
    "HEADER_LAST_FAILURE_AT",
    "HEADER_SOURCE_OFFSET",
    "HEADER_SOURCE_PARTITION",
    "HEADER_SOURCE_TOPIC",
    "HEADER_STAGE",
]

HEADER_ERROR_CLASS = "ps.error.class"
HEADER_ERROR_REASON = "ps.error.reason"
HEADER_ERROR_MESSAGE = "ps.error.message"
HEADER_STAGE = "ps.stage"
HEADER_SOURCE_TOPIC = "ps.source.topic"
HEADER_SOURCE_PARTITION = "ps.source.partition"
HEADER_SOURCE_OFFSET = "ps.source.offset"
HEADER_ATTEMPT = "ps.attempt"
HEADER_FIRST_FAILURE_AT = "ps.first_failure_at"
HEADER_LAST_FAILURE_AT = "ps.last_failure_at"

DEADLETTER_HEADERS: tuple[str, ...] = (
    HEADER_ERROR_CLASS,
    HEADER_ERROR_REASON,
    HEADER_ERROR_MESSAGE,
    HEADER_STAGE,
    HEADER_SOURCE_TOPIC,
    HEADER_SOURCE_PARTITION,
    HEADER_SOURCE_OFFSET,
    HEADER_ATTEMPT,
    HEADER_FIRST_FAILURE_AT,
    HEADER_LAST_FAILURE_AT,
)
"""Every envelope header, in the order they are written."""
