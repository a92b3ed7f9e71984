"""What an agent reads and writes, independent of Faust's own event types."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Outgoing", "SourceRecord", "header_pairs"]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One consumed record with its coordinates, as handlers see it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]] = ()
    timestamp_ms: int | None = None

    @property
    def where(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One record a handler wants produced."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    #: Both None (the usual): the key's partition and the time of sending.
    partition: int | None = None
    timestamp_ms: int | None = None


def header_pairs(raw: object) -> list[tuple[str, bytes]]:
    """Headers as ``(name, bytes)`` pairs, from any client's representation."""
    if not raw:
        return []
    items: Iterable[tuple[object, object]]
    if isinstance(raw, Mapping):
        items = raw.items()
    elif isinstance(raw, Iterable):
        items = raw
    else:
        raise TypeError(f"headers of type {type(raw).__name__}")
    return [(str(k), _header_bytes(v)) for k, v in items]


def _header_bytes(value: object) -> bytes:
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"header value of type {type(value).__name__}")
