"""Where a capture time and its timezone came from.

Every metadata and timeline event carries both, so a consumer can tell a
camera clock from a guess, and a later, better source can correct a photo.
The enums are the event contracts' own, so what extraction decides is what
the events say.
"""

from __future__ import annotations

from schemas.enums import TimeSource, TzSource

__all__ = ["TimeSource", "TzSource"]
