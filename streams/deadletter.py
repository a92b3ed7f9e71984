"""The dead-letter envelope: the original key, value and headers plus why it failed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from schemas import deadletter

__all__ = ["DeadLetter", "Failure", "dead_letter_for"]

from .observability import count_dead_letter

if TYPE_CHECKING:
    from .records import Outgoing, SourceRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a record could not be processed, and where it came from."""

    error_class: str
    reason: str
    message: str
    stage: str
    source_topic: str
    source_partition: int
    source_offset: int
    attempt: int = 1
    first_failure_at: datetime | None = None
    last_failure_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record bound for the dead-letter topic, ready to produce."""

    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]

    @classmethod
    def of(
        cls,
        failure: Failure,
        *,
        key: bytes | None,
        value: bytes | None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> DeadLetter:
        now = datetime.now(UTC)
        # A redriven record carries the attempts and first failure of its
        # earlier rounds; counting on from them is what lets the redrive tool
        # stop sending a record that never succeeds.
        earlier = dict(headers)
        prior = _int_header(earlier.get(deadletter.HEADER_ATTEMPT))
        first = failure.first_failure_at or now
        first_bytes = earlier.get(deadletter.HEADER_FIRST_FAILURE_AT) or first.isoformat().encode()
        last = failure.last_failure_at or now
        # Keep the record's own headers, minus an earlier envelope: a redriven
        # record that fails again gets one fresh envelope, not two.
        kept = [(k, v) for k, v in headers if k not in deadletter.DEADLETTER_HEADERS]
        envelope = [
            (deadletter.HEADER_ERROR_CLASS, failure.error_class.encode()),
            (deadletter.HEADER_ERROR_REASON, failure.reason.encode()),
            (deadletter.HEADER_ERROR_MESSAGE, failure.message.encode("utf-8", "replace")[:4096]),
            (deadletter.HEADER_STAGE, failure.stage.encode()),
            (deadletter.HEADER_SOURCE_TOPIC, failure.source_topic.encode()),
            (deadletter.HEADER_SOURCE_PARTITION, str(failure.source_partition).encode()),
            (deadletter.HEADER_SOURCE_OFFSET, str(failure.source_offset).encode()),
            (deadletter.HEADER_ATTEMPT, str(prior + failure.attempt).encode()),
            (deadletter.HEADER_FIRST_FAILURE_AT, first_bytes),
            (deadletter.HEADER_LAST_FAILURE_AT, last.isoformat().encode()),
        ]
        return cls(key=key, value=value, headers=kept + envelope)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode("utf-8", "replace")
        return None


def _int_header(raw: bytes | None) -> int:
    try:
        return max(int(raw or b"0"), 0)
    except ValueError:
        return 0


def _log_ids(record: SourceRecord, stage: str, reason: str) -> dict[str, object]:
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "stage": stage,
        "reason": reason,
    }


def dead_letter_for(
    record: SourceRecord,
    exc: BaseException,
    reason: str,
    stage: str,
    deadletter_topic: str,
    attempts: int = 1,
) -> Outgoing:
    """The dead-letter record for ``record``, which failed in ``stage`` with ``exc``."""
    from .records import Outgoing

    now = datetime.now(UTC)
    logger.warning(
        "dead-lettering %s in %s: %s (%s)",
        record.where,
        stage,
        reason,
        type(exc).__name__,
        extra=_log_ids(record, stage, reason),
    )
    count_dead_letter(reason, stage)
    letter = DeadLetter.of(
        Failure(
            error_class=type(exc).__name__,
            reason=reason,
            message=str(exc),
            stage=stage,
            source_topic=record.topic,
            source_partition=record.partition,
            source_offset=record.offset,
            attempt=attempts,
            first_failure_at=now,
            last_failure_at=now,
        ),
        key=record.key,
        value=record.value,
        headers=record.headers,
    )
    return Outgoing(deadletter_topic, letter.key, letter.value, letter.headers)
