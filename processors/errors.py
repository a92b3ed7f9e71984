"""The one error tree of photostream.

Every error the project raises on purpose derives from :class:`PhotostreamError`
and carries a stable, machine-readable ``reason`` code (dead-letter headers,
metrics labels) next to its human message::

    PhotostreamError            root; never raised itself
    ├── BadInput                dead-letter, never retried
    │   └── UnreadablePhoto     the object is not a photo we can read (reason says why)
    ├── TransientError          retry with backoff, then dead-letter
    ├── Skip                    control flow: nothing to do for this record
    └── NeedMoreBytes           control flow: call again with a longer head

``processors/`` only raises these; ``streams/`` alone decides where each one
goes. Third-party errors are wrapped with ``raise ... from exc`` so the cause
stays on the traceback.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = [
    "BadInput",
    "NeedMoreBytes",
    "PhotostreamError",
    "Reason",
    "Skip",
    "TransientError",
    "UnreadablePhoto",
]


class Reason(StrEnum):
    """Stable reason codes; consumers of the dead-letter topic match on these."""

    EMPTY_FILE = "empty_file"
    TRUNCATED = "truncated"
    NOT_AN_IMAGE = "not_an_image"
    CORRUPT = "corrupt"
    DECOMPRESSION_BOMB = "decompression_bomb"
    UNSUPPORTED_FORMAT = "unsupported_format"
    MISSING_OBJECT = "missing_object"
    METADATA_TOO_LARGE = "metadata_too_large"


class PhotostreamError(Exception):
    """Root of every error photostream raises on purpose."""

    reason: str = "error"

    def __init__(self, message: str = "", *, reason: str | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.__class__.__name__)
        if reason is not None:
            self.reason = str(reason)

    @property
    def message(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle as cls(*args) by default, which would lose
        # ``reason`` and ``needed_bytes``; process pools pickle what they raise.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _rebuild(
    cls: type[PhotostreamError], args: tuple[Any, ...], state: dict[str, Any]
) -> PhotostreamError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class BadInput(PhotostreamError):
    """The input can never be processed as it is: dead-letter it, do not retry."""

    reason = "bad_input"


class UnreadablePhoto(BadInput):
    """The object is not a photo the pipeline can read."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(message or str(reason), reason=reason)


class TransientError(PhotostreamError):
    """A fault that may pass (throttling, timeout): retry with backoff."""

    reason = "transient"


class Skip(PhotostreamError):
    """Nothing to do for this record; not a failure."""

    reason = "skip"


class NeedMoreBytes(PhotostreamError):
    """The head is too short: bytes ``start`` to ``needed_bytes`` are needed; call again."""

    reason = "need_more_bytes"

    def __init__(self, needed_bytes: int, message: str | None = None, *, start: int = 0) -> None:
        """With ``start == 0`` the head must grow to ``needed_bytes``.

        A ``start`` past the head names a range elsewhere in the object (a
        movie header after the media data, PNG text after the pixels): a
        caller may read just that range and pass it back as a piece, or grow
        the head to ``needed_bytes``.
        """
        super().__init__(
            message
            or (
                f"need bytes {start} to {needed_bytes} of the object"
                if start
                else f"need the first {needed_bytes} bytes of the object"
            )
        )
        self.needed_bytes = needed_bytes
        self.start = start
