"""Turn SIGINT, SIGTERM and SIGHUP into one clean shutdown of the main thread."""

from __future__ import annotations

import signal
from types import FrameType

__all__ = ["SHUTDOWN_SIGNALS", "ShutdownRequested", "ignore_shutdown_signals", "raise_on_shutdown"]

SHUTDOWN_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class ShutdownRequested(BaseException):
    """A shutdown signal arrived; unwinding runs the ``finally`` blocks that stop the stack.

    A BaseException, like KeyboardInterrupt, so ``except Exception`` does not
    swallow it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"received {signal.Signals(signum).name}")
        self.signum = signum


def _raise_once(signum: int, frame: FrameType | None) -> None:
    # A second Ctrl-C must not interrupt the shutdown the first one began;
    # stopping is bounded by its own timeouts.
    ignore_shutdown_signals()
    raise ShutdownRequested(signum)


def raise_on_shutdown() -> None:
    """From the main thread: the first shutdown signal raises ShutdownRequested there."""
    for sig in SHUTDOWN_SIGNALS:
        signal.signal(sig, _raise_once)


def ignore_shutdown_signals() -> None:
    """Ignore further shutdown signals, e.g. while a shutdown is in progress."""
    for sig in SHUTDOWN_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
