"""Coercing raw EXIF values (whatever type a writer chose) into plain Python values.

A tag can hold the wrong type, a tuple where one value is expected, a zero
denominator or undecodable bytes. These helpers return ``None`` for all of
that, so one bad tag costs one field and never the photo.
"""

from __future__ import annotations

import contextlib
import math
from numbers import Real
from typing import Any

__all__ = ["integer", "number", "positive", "text"]

# A longer camera or lens name is garbage; cap it so it cannot bloat events.
_MAX_TEXT = 256


def _first(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return value[0] if value else None
    return value


def text(value: Any) -> str | None:
    """A trimmed string, cut at the first NUL; ``None`` when empty."""
    value = _first(value)
    if isinstance(value, bytes | bytearray):
        raw = bytes(value).split(b"\x00", 1)[0]
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            # EXIF ASCII from older writers is Latin-1 (or close enough).
            decoded = raw.decode("latin-1")
    elif isinstance(value, str):
        decoded = value.split("\x00", 1)[0]
        # Pillow decodes EXIF ASCII as Latin-1; writers put UTF-8 there.
        with contextlib.suppress(UnicodeError):
            decoded = decoded.encode("latin-1").decode("utf-8")
    else:
        return None
    decoded = decoded.strip()
    return decoded[:_MAX_TEXT] or None


def number(value: Any) -> float | None:
    """A finite float from an int, float or rational; ``None`` otherwise."""
    value = _first(value)
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    try:
        result = float(value)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def positive(value: Any, upper: float) -> float | None:
    """A number in ``(0, upper]``."""
    result = number(value)
    if result is None or not 0.0 < result <= upper:
        return None
    return result


def integer(value: Any, lower: int, upper: int) -> int | None:
    """A whole number in ``[lower, upper]``."""
    result = number(value)
    if result is None or not result.is_integer() or not lower <= result <= upper:
        return None
    return int(result)
