"""Kafka admin calls of the stack: clients, topic creation and its verification."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from ._errors import DevStackError, TopicLayoutError

__all__ = ["admin_client", "create_topics"]

logger = logging.getLogger(__name__)

_REQUEST_TIMEOUT_S = 10.0
_METADATA_TIMEOUT_S = 2.0
_POLL_S = 0.05


def admin_client(bootstrap_servers: str) -> AdminClient:
    # librdkafka logs connection refusals to stderr by default; route them
    # through logging so a broker that is still starting stays quiet.
    return AdminClient({"bootstrap.servers": bootstrap_servers}, logger=logger)


def create_topics(
    bootstrap_servers: str, topics: Mapping[str, int], *, timeout: float = _REQUEST_TIMEOUT_S
) -> None:
    """Create ``{name: partitions}`` and wait until metadata shows each count.

    A topic that already exists with the same partition count is fine; one
    with a different count raises TopicLayoutError (the embedded broker
    cannot add partitions).
    """
    for name, partitions in topics.items():
        if partitions < 1:
            raise ValueError(f"topic {name!r}: partitions must be at least 1, not {partitions}")
    if not topics:
        return
    admin = admin_client(bootstrap_servers)
    new = [NewTopic(name, num_partitions=n, replication_factor=1) for name, n in topics.items()]
    futures = admin.create_topics(new, request_timeout=timeout)
    for name, future in futures.items():
        try:
            future.result()
        except KafkaException as exc:
            error: KafkaError = exc.args[0]
            if error.code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise DevStackError(f"cannot create topic {name!r}: {error.str()}") from exc
    _await_partitions(admin, topics, deadline=time.monotonic() + timeout)
    logger.debug("topics ready: %s", dict(topics))


def _await_partitions(admin: AdminClient, topics: Mapping[str, int], *, deadline: float) -> None:
    while True:
        try:
            metadata = admin.list_topics(timeout=_METADATA_TIMEOUT_S)
        except KafkaException as exc:
            raise DevStackError(f"metadata request failed: {exc}") from exc
        missing = []
        for name, wanted in topics.items():
            found = metadata.topics.get(name)
            if found is None or found.error is not None:
                missing.append(name)
            elif len(found.partitions) != wanted:
                raise TopicLayoutError(
                    f"topic {name!r} has {len(found.partitions)} partitions, not {wanted}"
                )
        if not missing:
            return
        if time.monotonic() >= deadline:
            raise DevStackError(f"topics not visible in metadata: {', '.join(sorted(missing))}")
        time.sleep(_POLL_S)
