"""Which dead letters an operator means: reasons, stages, users and a time window.

Pure: parses command-line values and matches :class:`DeadLetterEntry` values,
no Kafka involved.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .deadletter_entry import DeadLetterEntry

__all__ = ["DeadLetterFilter", "FilterError", "parse_position", "parse_time"]

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class FilterError(ValueError):
    """A filter value that cannot be understood; the message says what is expected."""


def parse_time(text: str, *, now: datetime | None = None) -> datetime:
    """An instant from ISO-8601 (naive means UTC) or a relative age like ``2h``, ``30m``, ``7d``.

    A relative age means that long before ``now``.
    """
    now = now or datetime.now(UTC)
    relative = _RELATIVE.match(text)
    if relative:
        amount, unit = float(relative.group(1)), relative.group(2).lower()
        return now - timedelta(seconds=amount * _UNIT_S[unit])
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise FilterError(
            f"{text!r} is neither ISO-8601 (2024-05-01T12:00:00Z) nor an age (45s, 30m, 2h, 7d)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_position(text: str) -> tuple[int, int]:
    """``PARTITION:OFFSET`` of a record in the dead-letter topic."""
    partition, sep, offset = text.partition(":")
    if not sep or not partition.strip().isdigit() or not offset.strip().isdigit():
        raise FilterError(f"{text!r} is not PARTITION:OFFSET (e.g. 2:117)")
    return int(partition), int(offset)


@dataclass(frozen=True, slots=True)
class DeadLetterFilter:
    """Every given criterion must hold; within one criterion any value may match.

    ``reasons`` match the reason or the error class; ``since`` is inclusive,
    ``until`` exclusive, both compared with the time the record was dead-lettered.
    """

    reasons: frozenset[str] = frozenset()
    stages: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()
    source_topics: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    positions: frozenset[tuple[int, int]] = frozenset()

    @classmethod
    def parse(
        cls,
        *,
        reasons: Collection[str] = (),
        stages: Collection[str] = (),
        users: Collection[str] = (),
        source_topics: Collection[str] = (),
        since: str | None = None,
        until: str | None = None,
        positions: Collection[str] = (),
        now: datetime | None = None,
    ) -> DeadLetterFilter:
        now = now or datetime.now(UTC)
        start = parse_time(since, now=now) if since else None
        end = parse_time(until, now=now) if until else None
        if start is not None and end is not None and start >= end:
            raise FilterError(f"--since {since} is not before --until {until}")
        return cls(
            reasons=_values(reasons),
            stages=_values(stages),
            users=_values(users),
            source_topics=_values(source_topics),
            since=start,
            until=end,
            positions=frozenset(parse_position(p) for p in positions),
        )

    def matches(self, entry: DeadLetterEntry) -> bool:
        if self.positions and (entry.partition, entry.offset) not in self.positions:
            return False
        if self.reasons and not ({entry.reason, entry.error_class} & self.reasons):
            return False
        if self.stages and entry.stage not in self.stages:
            return False
        if self.users and entry.user not in self.users:
            return False
        if self.source_topics and entry.source_topic not in self.source_topics:
            return False
        if self.since is not None and entry.time < self.since:
            return False
        return self.until is None or entry.time < self.until


def _values(given: Collection[str]) -> frozenset[str]:
    # "--reason a,b" and "--reason a --reason b" mean the same.
    return frozenset(v.strip() for item in given for v in item.split(",") if v.strip())
