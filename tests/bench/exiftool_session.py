"""One long-lived ``exiftool -stay_open`` process: the reference reader and the corpus writer."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from types import TracebackType

import orjson

__all__ = ["ExifTool"]

_READY = b"{ready}"


class ExifTool:
    """Send argument lists, get exiftool's stdout for each; one process for all of them."""

    def __init__(self, executable: str = "exiftool") -> None:
        self._process = subprocess.Popen(
            [executable, "-stay_open", "True", "-@", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def execute(self, args: Sequence[str]) -> bytes:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        for arg in args:
            if "\n" in arg:
                raise ValueError(f"exiftool arguments are lines: {arg!r}")
        stdin.write(("\n".join([*args, "-execute"]) + "\n").encode())
        stdin.flush()
        out = bytearray()
        while True:
            line = stdout.readline()
            if not line:
                raise RuntimeError("exiftool exited")
            if line.rstrip() == _READY:
                return bytes(out)
            out += line

    def read_json(self, path: str, *, grouped: bool = True) -> dict[str, object]:
        """``exiftool -j -n [-G1 -a]`` of one file."""
        flags = ["-j", "-n", "-G1", "-a"] if grouped else ["-j", "-n"]
        answer = self.execute([*flags, path])
        found = orjson.loads(answer) if answer.strip() else [{}]
        result: dict[str, object] = found[0]
        return result

    def write(self, path: str, assignments: Sequence[str]) -> None:
        self.execute(["-overwrite_original", "-m", *assignments, path])

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.write(b"-stay_open\nFalse\n")
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self._process.pid, 9)
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> ExifTool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
