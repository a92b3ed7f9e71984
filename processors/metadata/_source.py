"""The bytes of an object a caller has read: its head, and ranges from further on."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ByteSource"]


class ByteSource:
    """The head of an object of ``size`` bytes plus pieces ``(offset, bytes)`` read elsewhere."""

    __slots__ = ("head", "pieces", "size")

    def __init__(self, head: bytes, size: int, pieces: Sequence[tuple[int, bytes]] = ()) -> None:
        self.head = head
        self.size = size
        self.pieces = tuple(pieces)

    def holding(self, start: int, end: int) -> tuple[bytes, int] | None:
        """A buffer that holds bytes ``start..end`` and the object offset of its first byte."""
        if end <= len(self.head):
            return self.head, 0
        for offset, data in self.pieces:
            if offset <= start and end <= offset + len(data):
                return data, offset
        return None

    def read(self, start: int, end: int) -> bytes | None:
        """Bytes ``start..end`` of the object, when the caller has read them."""
        found = self.holding(start, end)
        if found is None:
            return None
        data, offset = found
        return data[start - offset : end - offset]
