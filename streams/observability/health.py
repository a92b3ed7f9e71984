"""Liveness and readiness as the worker's probes report them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from faust.exceptions import ConsumerNotStarted

__all__ = ["Readiness", "assigned_partitions", "readiness"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    reason: str


def assigned_partitions(app: Any) -> set[tuple[str, int]]:
    """The partitions the app's consumer holds now, or none before it has started."""
    consumer = getattr(app, "_consumer", None)
    if consumer is None or not getattr(app, "started", False):
        return set()
    try:
        return {(tp.topic, tp.partition) for tp in consumer.assignment()}
    # The consumer thread is starting or stopping, or the assignment changed under us.
    except (ConsumerNotStarted, RuntimeError):
        return set()


def readiness(app: Any) -> Readiness:
    """Ready once the app has partitions and its tables have recovered; not during a rebalance.

    A rebalance revokes everything first, so a worker in one cannot promise to
    process what it is sent; Faust ends the rebalance only after the tables
    of the new assignment are recovered and the streams resume.
    """
    if not getattr(app, "started", False):
        return Readiness(False, "starting")
    if getattr(app, "should_stop", False):
        return Readiness(False, "stopping")
    if getattr(app, "rebalancing", False):
        return Readiness(False, "rebalancing")
    if getattr(app, "in_recovery", False):
        return Readiness(False, "recovering tables")
    recovery = getattr(app.tables, "recovery", None)
    if recovery is not None and not recovery.completed.is_set():
        return Readiness(False, "recovering tables")
    if not assigned_partitions(app):
        return Readiness(False, "no partitions assigned")
    return Readiness(True, "ready")
