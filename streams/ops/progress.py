"""Progress on stderr: done/total, rate and ETA; one line rewritten on a terminal,
plain lines every few seconds otherwise (logs, CI)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress", "format_duration"]


def format_duration(seconds: float) -> str:
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class Progress:
    def __init__(
        self,
        total: int,
        out: TextIO,
        *,
        label: str = "replay",
        interval_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.done = 0
        self.published = 0
        self._out = out
        self._label = label
        self._tty = out.isatty()
        self._interval_s = interval_s if interval_s is not None else (0.2 if self._tty else 2.0)
        self._clock = clock
        self._started = clock()
        self._shown = self._started

    def advance(self, scanned: int = 1, published: int = 0) -> None:
        self.done += scanned
        self.published += published
        now = self._clock()
        if now - self._shown >= self._interval_s:
            self._shown = now
            self._show(self.line(now))

    def line(self, now: float | None = None) -> str:
        now = self._clock() if now is None else now
        elapsed = max(now - self._started, 1e-9)
        rate = self.done / elapsed
        share = f" ({100 * self.done / self.total:.1f}%)" if self.total else ""
        eta = (
            format_duration((self.total - self.done) / rate)
            if rate > 0 and self.total >= self.done
            else "?"
        )
        return (
            f"{self._label}: {self.done}/{self.total}{share} scanned, "
            f"{self.published} published, {rate:.1f}/s, ETA {eta}"
        )

    def finish(self, message: str) -> None:
        if self._tty:
            self._out.write("\r\x1b[K")
        elapsed = self._clock() - self._started
        self._out.write(f"{self._label}: {message} in {format_duration(elapsed)}\n")
        self._out.flush()

    def _show(self, line: str) -> None:
        if self._tty:
            self._out.write("\r\x1b[K" + line)
        else:
            self._out.write(line + "\n")
        self._out.flush()
