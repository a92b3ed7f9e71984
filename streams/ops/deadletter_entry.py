"""One record of the dead-letter topic, its envelope decoded (see ``schemas/DEADLETTER.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schemas import deadletter

__all__ = ["HEADER_REDRIVE_OF", "DeadLetterEntry"]

#: Set by redrive on the record it sends back: the dead letter (``PARTITION:OFFSET``)
#: it came from. Not an envelope header, so a record that fails again keeps it,
#: and its new dead letter supersedes the old one.
HEADER_REDRIVE_OF = "ps.redrive.of"


@dataclass(frozen=True, slots=True)
class DeadLetterEntry:
    """Where a dead letter sits, why it is there, and the original record."""

    partition: int
    offset: int
    time: datetime
    key: bytes | None
    value: bytes | None
    #: The original record's own headers, envelope removed.
    original_headers: tuple[tuple[str, bytes], ...]
    envelope: dict[str, str]

    @classmethod
    def of(
        cls,
        *,
        partition: int,
        offset: int,
        timestamp_ms: int,
        key: bytes | None,
        value: bytes | None,
        headers: list[tuple[str, bytes]],
    ) -> DeadLetterEntry:
        envelope: dict[str, str] = {}
        original = []
        for name, raw in headers:
            if name in deadletter.DEADLETTER_HEADERS:
                envelope[name] = raw.decode("utf-8", "replace")
            else:
                original.append((name, raw))
        return cls(
            partition=partition,
            offset=offset,
            time=datetime.fromtimestamp(max(timestamp_ms, 0) / 1000, UTC),
            key=key,
            value=value,
            original_headers=tuple(original),
            envelope=envelope,
        )

    @property
    def position(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def user(self) -> str:
        # Every photostream topic is keyed by user_id.
        return self.key.decode("utf-8", "replace") if self.key is not None else ""

    @property
    def reason(self) -> str:
        return self.envelope.get(deadletter.HEADER_ERROR_REASON, "")

    @property
    def error_class(self) -> str:
        return self.envelope.get(deadletter.HEADER_ERROR_CLASS, "")

    @property
    def message(self) -> str:
        return self.envelope.get(deadletter.HEADER_ERROR_MESSAGE, "")

    @property
    def stage(self) -> str:
        return self.envelope.get(deadletter.HEADER_STAGE, "")

    @property
    def source_topic(self) -> str:
        return self.envelope.get(deadletter.HEADER_SOURCE_TOPIC, "")

    @property
    def source_partition(self) -> int | None:
        return _int(self.envelope.get(deadletter.HEADER_SOURCE_PARTITION))

    @property
    def source_offset(self) -> int | None:
        return _int(self.envelope.get(deadletter.HEADER_SOURCE_OFFSET))

    @property
    def attempts(self) -> int:
        return _int(self.envelope.get(deadletter.HEADER_ATTEMPT)) or 1

    @property
    def first_failure_at(self) -> str | None:
        return self.envelope.get(deadletter.HEADER_FIRST_FAILURE_AT)

    @property
    def redrive_of(self) -> str | None:
        """The earlier dead letter this one is a failed redrive of."""
        for name, raw in self.original_headers:
            if name == HEADER_REDRIVE_OF:
                return raw.decode("utf-8", "replace")
        return None

    @property
    def last_failure_at(self) -> str | None:
        return self.envelope.get(deadletter.HEADER_LAST_FAILURE_AT)

    def summary(self) -> dict[str, Any]:
        """The fields ``deadletter list`` prints."""
        return {
            "partition": self.partition,
            "offset": self.offset,
            "time": self.time.isoformat(),
            "stage": self.stage,
            "reason": self.reason,
            "error_class": self.error_class,
            "user": self.user,
            "source_topic": self.source_topic,
            "source_partition": self.source_partition,
            "source_offset": self.source_offset,
            "attempts": self.attempts,
            "redrive_of": self.redrive_of,
        }

    def summary_line(self) -> str:
        source = f"{self.source_topic}[{self.source_partition}]@{self.source_offset}"
        return (
            f"{self.position:<10} {self.time.isoformat(timespec='seconds')} "
            f"{self.stage:<8} {self.reason}/{self.error_class} user={self.user} "
            f"source={source} attempts={self.attempts}"
        )


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None
