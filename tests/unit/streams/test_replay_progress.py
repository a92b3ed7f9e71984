"""Progress lines: rate and ETA; plain lines when stderr is not a terminal."""

from __future__ import annotations

import io

from streams.ops.progress import Progress, format_duration


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_with_rate_and_eta_when_not_a_terminal() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(1000, out, interval_s=2.0, clock=clock)
    for _ in range(250):
        clock.now += 0.01
        progress.advance(1, 1)
    clock.now = 5.0
    progress.advance(0)
    progress.finish("done: 250 published")
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[0] == "replay: 200/1000 (20.0%) scanned, 200 published, 100.0/s, ETA 0:00:08"
    assert lines[-2] == "replay: 250/1000 (25.0%) scanned, 250 published, 50.0/s, ETA 0:00:15"
    assert lines[-1] == "replay: done: 250 published in 0:00:05"


def test_one_rewritten_line_on_a_terminal() -> None:
    out, clock = Tty(), Clock()
    progress = Progress(10, out, interval_s=0.2, clock=clock)
    for _ in range(10):
        clock.now += 0.5
        progress.advance(1)
    progress.finish("done")
    text = out.getvalue()
    assert text.count("\r\x1b[K") == 11
    assert text.count("\n") == 1


def test_format_duration() -> None:
    assert format_duration(0) == "0:00:00"
    assert format_duration(3725.4) == "1:02:05"
