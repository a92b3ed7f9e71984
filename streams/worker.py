"""Worker processes: an app with the agents of one or more roles."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import faust

from schemas import Codec

from .agents.curate import register_curate
from .agents.ingest import register_ingest
from .agents.vision import register_vision
from .app import PhotostreamApp, create_app, topic_plan
from .kafka_security import confluent_config
from .observability.http import ObservabilityServer
from .observability.logging_json import logging_config
from .registry_client import registry_from_settings
from .settings import Settings
from .topics import topic_names
from .transactions import TransactionsUnsupported, probe_transactions

__all__ = [
    "DEPLOYMENTS",
    "ROLES",
    "build_worker_app",
    "check_processing_guarantee",
    "consumer_group",
    "run_worker",
    "topic_plan_for",
]

logger = logging.getLogger(__name__)

ROLES = ("ingest", "curate", "vision")
#: The role sets the dev stack and the tests run workers with.
DEPLOYMENTS: tuple[tuple[str, ...], ...] = (("ingest", "curate"), ("vision",), ROLES)


def consumer_group(settings: Settings, roles: Sequence[str]) -> str:
    """The group (and changelog prefix) of workers running exactly ``roles``.

    Every worker of a group must run the same agents, or a partition can land
    on a worker with no agent for it; so each role set is its own group.
    """
    return "-".join([settings.app_id, *(role for role in ROLES if role in roles)])


def topic_plan_for(
    settings: Settings, role_sets: Sequence[Sequence[str]] = DEPLOYMENTS
) -> dict[str, int]:
    """Every topic, changelogs included, that workers of ``role_sets`` need."""
    plan: dict[str, int] = {}
    for roles in role_sets:
        plan.update(topic_plan(settings, build_worker_app(settings, roles)))
    return plan


def build_worker_app(
    settings: Settings, roles: Sequence[str] = ROLES, *, worker_name: str = "worker"
) -> PhotostreamApp:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(unknown)}; known: {', '.join(ROLES)}")
    app = create_app(settings, worker_name=worker_name, group=consumer_group(settings, roles))
    topics = topic_names(settings)
    codec = Codec(registry_from_settings(settings))
    if "ingest" in roles:
        register_ingest(app, settings, topics, codec)
    if "curate" in roles:
        register_curate(app, settings, topics, codec)
    if "vision" in roles:
        register_vision(app, settings, topics, codec)
    return app


def check_processing_guarantee(settings: Settings) -> None:
    """Refuse ``exactly_once`` on a broker whose transactions do not hold."""
    if settings.processing_guarantee != "exactly_once":
        return
    probe = probe_transactions(confluent_config(settings))
    if probe.supported:
        logger.info("exactly_once: broker transactions verified (%s)", probe.detail)
        return
    if settings.exactly_once_unverified:
        logger.warning("exactly_once without working transactions: %s", probe.detail)
        return
    raise TransactionsUnsupported(
        "PHOTOSTREAM_PROCESSING_GUARANTEE=exactly_once needs Kafka transactions, and this "
        f"broker does not honour them ({probe.detail}). Use at_least_once (effects stay "
        "exactly-once through idempotent processing), or set "
        "PHOTOSTREAM_EXACTLY_ONCE_UNVERIFIED=true to run anyway."
    )


def run_worker(
    settings: Settings, roles: Sequence[str], *, worker_name: str, loglevel: str
) -> None:
    """Run a worker in this process until it is told to stop."""
    check_processing_guarantee(settings)
    app = build_worker_app(settings, roles, worker_name=worker_name)
    endpoints = ObservabilityServer(app, host="0.0.0.0", port=settings.http_port)
    worker = faust.Worker(
        app,
        endpoints,
        loglevel=loglevel,
        redirect_stdouts=False,
        logging_config=logging_config(settings.log_format, loglevel),
        # The start-up banner is not a log line; JSON log readers would choke on it.
        quiet=settings.log_format == "json",
    )
    worker.execute_from_commandline()
