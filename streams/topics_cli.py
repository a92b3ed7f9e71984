"""``photostream topics``: what the cluster lacks or holds differently, and creating it."""

from __future__ import annotations

from confluent_kafka.admin import AdminClient

from .kafka_security import confluent_config
from .settings import Settings
from .topic_admin import check_topics, create_missing, desired_topics

__all__ = ["run_topics"]


def run_topics(settings: Settings, *, create: bool) -> int:
    """Print each topic's state; exit 0 when nothing drifts, 1 otherwise."""
    admin = AdminClient(confluent_config(settings))
    specs = desired_topics(settings)
    if create:
        for name in create_missing(admin, specs):
            print(f"created {name}")
    drifts = check_topics(admin, specs)
    drifted = {d.topic for d in drifts}
    for spec in specs:
        state = "drift" if spec.name in drifted else "ok"
        print(f"{state:<6} {spec.name} partitions={spec.partitions} replication={spec.replication}")
    for drift in drifts:
        print(f"  {drift}")
    return 1 if drifts else 0
