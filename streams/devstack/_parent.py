"""Tie a process's life to its parent's, even when the parent is SIGKILLed.

Linux delivers ``PR_SET_PDEATHSIG`` when the *thread* that forked the child
exits, so children must be started from a thread that lives as long as they
should (normally the main thread). Elsewhere ``prctl`` is missing and only
the polling watchdog of :func:`die_with_parent` applies.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = ["die_with_parent", "pdeathsig_preexec", "start_tied"]

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_WATCHDOG_INTERVAL_S = 0.5
_WATCHDOG_NAME = "photostream-parent-watchdog"
_watchdog_lock = threading.Lock()


@functools.cache
def _prctl() -> Callable[..., int] | None:
    # Loaded once in the parent: a forked child must not load libraries.
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    libc = ctypes.CDLL(name, use_errno=True)
    prctl: Callable[..., int] | None = getattr(libc, "prctl", None)
    return prctl


def _set_pdeathsig(sig: int) -> bool:
    prctl = _prctl()
    if prctl is None:
        return False
    if prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(sig), 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(err)}")
    return True


def pdeathsig_preexec(sig: int) -> Callable[[], None]:
    """A ``preexec_fn`` that makes the child receive ``sig`` when this process dies."""
    parent = os.getpid()
    _prctl()  # resolve libc before forking

    def preexec() -> None:
        _set_pdeathsig(sig)
        # The parent may have died between fork and prctl; the signal would
        # then never come, so deliver it now.
        if os.getppid() != parent:
            os.kill(os.getpid(), sig)

    return preexec


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Have the current process receive ``sig`` when its parent process dies.

    Call it first thing in a command started by ``make`` or a shell: with a
    ``SIGTERM`` handler that shuts down cleanly, killing the parent (even
    with SIGKILL) then stops everything this process started. Sets
    ``PR_SET_PDEATHSIG`` and also starts a daemon thread that polls
    ``getppid()`` every half second, the fallback where ``prctl`` is
    missing. A parent that died before this call goes unnoticed. Calling it
    again changes nothing but the signal used by ``prctl``.
    """
    parent = os.getppid()
    if not _set_pdeathsig(sig):
        logger.debug("prctl unavailable; relying on the parent watchdog alone")
    if os.getppid() != parent:
        os.kill(os.getpid(), sig)
        return
    with _watchdog_lock:
        if any(t.name == _WATCHDOG_NAME for t in threading.enumerate()):
            return
        thread = threading.Thread(
            target=_watch_parent, args=(parent, sig), name=_WATCHDOG_NAME, daemon=True
        )
        thread.start()


def _watch_parent(parent: int, sig: int) -> None:
    while True:
        time.sleep(_WATCHDOG_INTERVAL_S)
        if os.getppid() != parent:
            logger.warning("parent process %d is gone; sending signal %d to self", parent, sig)
            os.kill(os.getpid(), sig)
            return


def start_tied(argv: Sequence[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``argv`` with its output appended to ``log``, killed when this process dies.

    It leads its own session, so a kill of its group reaches whatever it
    starts; SIGKILL on parent death because a child that outlives its
    parent has nobody left to stop it cleanly.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=pdeathsig_preexec(signal.SIGKILL),
        )
