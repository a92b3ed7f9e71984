"""Worker processes: an app with the agents of one or more roles."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import faust

from schemas import Codec, LocalSchemaRegistry

from .agents.ingest import register_ingest
from .app import PhotostreamApp, create_app
from .settings import Settings
from .topics import topic_names

__all__ = ["ROLES", "build_worker_app", "run_worker"]

logger = logging.getLogger(__name__)

ROLES = ("ingest",)


def build_worker_app(
    settings: Settings, roles: Sequence[str] = ROLES, *, worker_name: str = "worker"
) -> PhotostreamApp:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(unknown)}; known: {', '.join(ROLES)}")
    app = create_app(settings, worker_name=worker_name)
    topics = topic_names(settings)
    codec = Codec(LocalSchemaRegistry())
    if "ingest" in roles:
        register_ingest(app, settings, topics, codec)
    return app


def run_worker(
    settings: Settings, roles: Sequence[str], *, worker_name: str, loglevel: str
) -> None:
    """Run a worker in this process until it is told to stop."""
    app = build_worker_app(settings, roles, worker_name=worker_name)
    worker = faust.Worker(app, loglevel=loglevel, redirect_stdouts=False)
    worker.execute_from_commandline()
