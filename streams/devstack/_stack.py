"""DevStack: the embedded broker, S3 server and schema registry, started and stopped as one."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from ._child import Child
from ._endpoints import StackEndpoints
from ._errors import DevStackError
from ._kafka import create_topics
from ._ports import LOOPBACK
from ._s3 import S3_ENV, create_buckets
from ._services import BROKER, REGISTRY, S3, Service

__all__ = ["DevStack"]

logger = logging.getLogger(__name__)

_RESERVED_NAMES = frozenset({BROKER.name, S3.name, REGISTRY.name})


class DevStack:
    """The embedded Tansu broker, moto's S3 server and the schema registry on free 127.0.0.1 ports.

    ``start()`` returns once all three answer (the registry with every
    shipped schema registered under ``<topic>-value``), every topic in ``topics``
    (``{name: partitions}``) exists with that partition count, and every
    bucket in ``buckets`` exists. ``stop()`` (also on ``with`` exit and at
    interpreter exit) stops spawned children first, then the registry,
    the S3 server and the broker: SIGTERM, a bounded wait, SIGKILL.

    Every child leads its own process group and gets SIGKILL when the
    thread that started it dies, so call ``start()`` and ``spawn()`` from a
    long-lived thread (normally the main thread). Logs and pid files
    (``<name>.log``, ``<name>.pid``) go to ``run_dir``; without one a
    temporary directory is used and removed after a clean stop, or kept
    when starting failed so its logs can be read.

    S3 clients must use the credentials in ``endpoints.env()``
    (``AWS_ACCESS_KEY_ID=AWS_SECRET_ACCESS_KEY=testing``, region
    ``us-east-1``); children get them in their environment.
    """

    def __init__(
        self,
        *,
        topics: Mapping[str, int],
        buckets: Sequence[str],
        run_dir: Path | None = None,
        start_timeout: float = 30.0,
    ) -> None:
        self._topics = dict(topics)
        self._buckets = tuple(buckets)
        self._requested_run_dir = run_dir
        self._start_timeout = start_timeout
        self._lock = threading.RLock()
        self._run_dir: Path | None = None
        self._owns_run_dir = False
        self._keep_run_dir = False
        self._services: list[Service] = []
        self._extras: list[tuple[Child, float]] = []
        self._endpoints: StackEndpoints | None = None
        self._stopped = False

    @property
    def endpoints(self) -> StackEndpoints:
        if self._endpoints is None:
            raise DevStackError("the dev stack is not running")
        return self._endpoints

    def start(self) -> StackEndpoints:
        with self._lock:
            if self._run_dir is not None:
                raise DevStackError("a DevStack starts once; create a new one")
            _warn_off_main_thread("start")
            began = time.monotonic()
            run_dir = self._prepare_run_dir()
            atexit.register(self.stop)
            try:
                endpoints = self._start_services(run_dir, deadline=began + self._start_timeout)
                create_topics(endpoints.bootstrap_servers, self._topics)
                create_buckets(endpoints.s3_endpoint_url, self._buckets)
            except Exception:
                self._keep_run_dir = True
                logger.error("dev stack failed to start; logs kept in %s", run_dir)
                self.stop()
                raise
            except BaseException:
                self.stop()
                raise
            self._endpoints = endpoints
            logger.info(
                "dev stack ready in %.2f s: kafka %s, s3 %s, schema registry %s, run dir %s",
                time.monotonic() - began,
                endpoints.bootstrap_servers,
                endpoints.s3_endpoint_url,
                endpoints.schema_registry_url,
                run_dir,
            )
            return endpoints

    def _prepare_run_dir(self) -> Path:
        if self._requested_run_dir is None:
            self._run_dir = Path(tempfile.mkdtemp(prefix="photostream-devstack-"))
            self._owns_run_dir = True
        else:
            self._run_dir = self._requested_run_dir
            self._run_dir.mkdir(parents=True, exist_ok=True)
        return self._run_dir

    def _start_services(self, run_dir: Path, *, deadline: float) -> StackEndpoints:
        env = {**os.environ, **S3_ENV}
        # All start before any is awaited: moto takes about a second to
        # import, the registry a fraction of one, the broker milliseconds.
        services = []
        for spec in (BROKER, S3, REGISTRY):
            services.append(Service(spec, run_dir=run_dir, env=env))
            self._services.append(services[-1])
        for service in services:
            service.wait_ready(deadline=deadline, timeout=self._start_timeout)
        broker, s3, registry = services
        return StackEndpoints(
            bootstrap_servers=f"{LOOPBACK}:{broker.port}",
            s3_endpoint_url=f"http://{LOOPBACK}:{s3.port}",
            schema_registry_url=f"http://{LOOPBACK}:{registry.port}",
            run_dir=run_dir,
        )

    def create_topics(self, topics: Mapping[str, int]) -> None:
        """Create more topics on the running broker (``{name: partitions}``)."""
        create_topics(self.endpoints.bootstrap_servers, topics)

    def spawn(
        self,
        argv: Sequence[str],
        *,
        name: str,
        env: Mapping[str, str] | None = None,
        stop_timeout: float = 10.0,
        inherit_output: bool = False,
    ) -> subprocess.Popen[bytes]:
        """Start an extra child (a worker, a producer) with the stack's process hygiene.

        Its environment is this process's, plus ``endpoints.env()``, plus
        ``env``. Output goes to ``<run_dir>/<name>.log`` unless
        ``inherit_output``. It is stopped before the servers, so it can
        still commit offsets while shutting down; the returned Popen is for
        reading its state, not for reaping it.
        """
        with self._lock:
            endpoints = self.endpoints
            taken = _RESERVED_NAMES | {child.name for child, _ in self._extras}
            if name in taken or not name or "/" in name:
                raise ValueError(f"child name {name!r} is taken or not a plain file name")
            _warn_off_main_thread("spawn")
            child = Child(
                argv,
                name=name,
                run_dir=endpoints.run_dir,
                env={**os.environ, **endpoints.env(), **(env or {})},
                death_signal=signal.SIGKILL,
                inherit_output=inherit_output,
            )
            self._extras.append((child, stop_timeout))
            return child.process

    def pids(self) -> dict[str, int]:
        """Pid of every child the stack has running (or not yet reaped), by name."""
        with self._lock:
            children = [s.child for s in self._services] + [c for c, _ in self._extras]
            return {child.name: child.pid for child in children}

    def exited_children(self) -> dict[str, int]:
        """Exit code of every child that ended while the stack was meant to be running."""
        with self._lock:
            children = [s.child for s in self._services] + [c for c, _ in self._extras]
            codes = {child.name: child.exit_code() for child in children}
            return {name: code for name, code in codes.items() if code is not None}

    def stop(self) -> None:
        """Stop spawned children (newest first), then the registry, S3, the broker. Idempotent."""
        with self._lock:
            while self._extras:
                child, timeout = self._extras.pop()
                child.stop(timeout)
            while self._services:
                self._services.pop().stop()
            self._endpoints = None
            atexit.unregister(self.stop)
            if self._run_dir is not None and not self._stopped:
                logger.info("dev stack stopped")
                if self._owns_run_dir and not self._keep_run_dir:
                    shutil.rmtree(self._run_dir, ignore_errors=True)
            self._stopped = True

    def __enter__(self) -> DevStack:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _warn_off_main_thread(what: str) -> None:
    if threading.current_thread() is not threading.main_thread():
        logger.warning(
            "DevStack.%s from thread %s: its children die when this thread exits",
            what,
            threading.current_thread().name,
        )
