"""The worker's HTTP endpoints: ``/livez``, ``/readyz`` and ``/metrics``.

Served from the worker's own event loop: a loop that no longer runs its
callbacks no longer answers ``/livez``, which is what the probe is for.
"""

from __future__ import annotations

import logging
from typing import Any

import mode
import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from .collectors import WorkerCollector
from .health import readiness

__all__ = ["ObservabilityServer", "make_web_app"]

logger = logging.getLogger(__name__)


def make_web_app(app: Any, registry: CollectorRegistry = REGISTRY) -> web.Application:
    """The aiohttp application serving the endpoints of Faust ``app``."""

    async def livez(_request: web.Request) -> web.Response:
        return _json(200, {"status": "alive"})

    async def readyz(_request: web.Request) -> web.Response:
        state = readiness(app)
        return _json(200 if state.ready else 503, {"ready": state.ready, "reason": state.reason})

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    web_app = web.Application()
    web_app.router.add_get("/livez", livez)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics)
    return web_app


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")


class ObservabilityServer(mode.Service):
    """Starts with the worker, before the app, so ``/livez`` answers during start-up."""

    def __init__(self, app: Any, *, host: str, port: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._app = app
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._collector: WorkerCollector | None = None
        self.bound_port: int | None = None

    async def on_start(self) -> None:
        self._collector = WorkerCollector(self._app)
        REGISTRY.register(self._collector)
        runner = web.AppRunner(make_web_app(self._app), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        try:
            await site.start()
        except OSError as exc:
            logger.error("cannot serve http endpoints on %s:%d: %s", self._host, self._port, exc)
            await runner.cleanup()
            raise
        self._runner = runner
        self.bound_port = int(runner.addresses[0][1])
        logger.info(
            "http endpoints on port %d: /livez /readyz /metrics",
            self.bound_port,
            extra={"port": self.bound_port},
        )

    async def on_stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._collector is not None:
            REGISTRY.unregister(self._collector)
            self._collector = None
