"""One child process of the stack: own session, parent-death signal, pid file, log file."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from ._parent import pdeathsig_preexec

__all__ = ["Child"]

logger = logging.getLogger(__name__)

_POLL_S = 0.02
_REAP_TIMEOUT_S = 5.0


class Child:
    """A started child process and the files that describe it.

    The child leads its own session and process group, so a terminal's
    Ctrl-C reaches only the launcher, and stopping the child also reaches
    whatever it started in its group.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        name: str,
        run_dir: Path,
        env: Mapping[str, str],
        death_signal: int = signal.SIGKILL,
        inherit_output: bool = False,
    ) -> None:
        self.name = name
        self.log_path = run_dir / f"{name}.log"
        self.pid_path = run_dir / f"{name}.pid"
        with contextlib.ExitStack() as files:
            out: IO[bytes] | None = None
            if not inherit_output:
                out = files.enter_context(self.log_path.open("ab"))
            self.process: subprocess.Popen[bytes] = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=None if out is None else subprocess.STDOUT,
                env=dict(env),
                start_new_session=True,
                preexec_fn=pdeathsig_preexec(death_signal),
            )
        self.pid_path.write_text(f"{self.process.pid}\n")
        logger.debug("started %s (pid %d): %s", name, self.process.pid, " ".join(argv))

    @property
    def pid(self) -> int:
        return self.process.pid

    def exit_code(self) -> int | None:
        """The exit code once the child has exited, else None."""
        return self.process.poll()

    def stop(self, timeout: float) -> None:
        """SIGTERM the child's group, wait up to ``timeout``, then SIGKILL what is left."""
        if self.process.returncode is None:
            self._signal_group(signal.SIGTERM)
            if not self._exited_within(timeout):
                logger.warning(
                    "%s (pid %d) ignored SIGTERM for %.1f s; killing it",
                    self.name,
                    self.pid,
                    timeout,
                )
        # Unless a caller reaped it through poll(), the leader is a zombie
        # now, so its pid still names this group and cannot have been
        # reused: the SIGKILL reaches only stragglers of our own group.
        self._signal_group(signal.SIGKILL)
        try:
            self.process.wait(_REAP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            logger.error("%s (pid %d) survived SIGKILL", self.name, self.pid)
            return
        with contextlib.suppress(FileNotFoundError):
            self.pid_path.unlink()
        logger.debug("stopped %s (pid %d, exit %s)", self.name, self.pid, self.process.returncode)

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def _exited_within(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            try:
                # WNOWAIT leaves the child a zombie so its pid stays ours.
                if os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
                    return True
            except ChildProcessError:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)
