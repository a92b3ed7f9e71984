"""``photostream topics``: create and verify every topic with its partitions and configs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource  # type: ignore[attr-defined]
from confluent_kafka.cimpl import NewTopic

from .settings import Settings
from .worker import DEPLOYMENTS, topic_plan_for

__all__ = ["Drift", "TopicSpec", "check_topics", "create_missing", "desired_topics"]

_DAY_MS = 24 * 3600 * 1000
_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    replication: int
    config: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Drift:
    topic: str
    what: str
    wanted: str
    found: str

    def __str__(self) -> str:
        return f"{self.topic}: {self.what} is {self.found}, wanted {self.wanted}"


def desired_topics(
    settings: Settings, role_sets: Sequence[Sequence[str]] = DEPLOYMENTS
) -> list[TopicSpec]:
    """Every topic with its partitions, replication and configs."""
    specs = []
    for name, partitions in sorted(topic_plan_for(settings, role_sets).items()):
        if name.endswith("-changelog") or name.endswith("photos.ledger"):
            # Table state and the step ledger: only the latest value per key matters.
            config = {"cleanup.policy": "compact"}
        elif name.endswith("photos.deadletter"):
            config = {"cleanup.policy": "delete", "retention.ms": str(30 * _DAY_MS)}
        else:
            config = {"cleanup.policy": "delete", "retention.ms": str(7 * _DAY_MS)}
        if settings.replication_factor > 1:
            config["min.insync.replicas"] = str(min(2, settings.replication_factor))
        specs.append(TopicSpec(name, partitions, settings.replication_factor, config))
    return specs


def check_topics(admin: AdminClient, specs: Sequence[TopicSpec]) -> list[Drift]:
    """How the cluster differs from ``specs``: missing topics, counts and configs."""
    metadata = admin.list_topics(timeout=_TIMEOUT_S)
    drifts: list[Drift] = []
    present = []
    for spec in specs:
        found = metadata.topics.get(spec.name)
        if found is None or found.error is not None:
            drifts.append(Drift(spec.name, "topic", "present", "missing"))
            continue
        present.append(spec)
        if len(found.partitions) != spec.partitions:
            drifts.append(
                Drift(spec.name, "partitions", str(spec.partitions), str(len(found.partitions)))
            )
        replicas = {len(p.replicas) for p in found.partitions.values()}
        if replicas and replicas != {spec.replication}:
            drifts.append(
                Drift(spec.name, "replication", str(spec.replication), str(sorted(replicas)))
            )
    drifts.extend(_config_drift(admin, present))
    return drifts


def _config_drift(admin: AdminClient, specs: Sequence[TopicSpec]) -> list[Drift]:
    if not specs:
        return []
    resources = [ConfigResource(ConfigResource.Type.TOPIC, spec.name) for spec in specs]
    futures = admin.describe_configs(resources, request_timeout=_TIMEOUT_S)
    drifts = []
    for spec, resource in zip(specs, resources, strict=True):
        entries = futures[resource].result()
        for key, wanted in spec.config.items():
            entry = entries.get(key)
            found = entry.value if entry is not None else None
            if found != wanted:
                drifts.append(Drift(spec.name, key, wanted, str(found)))
    return drifts


def create_missing(admin: AdminClient, specs: Sequence[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet; returns their names."""
    existing = admin.list_topics(timeout=_TIMEOUT_S).topics
    new = [
        NewTopic(
            spec.name,
            num_partitions=spec.partitions,
            replication_factor=spec.replication,
            config=spec.config,
        )
        for spec in specs
        if spec.name not in existing
    ]
    if not new:
        return []
    created = []
    for name, future in admin.create_topics(new, request_timeout=_TIMEOUT_S).items():
        try:
            future.result()
            created.append(name)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    return sorted(created)
