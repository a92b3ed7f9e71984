"""Does this broker really have Kafka transactions? Asked before ``exactly_once`` is used.

A broker can accept the transactional calls and still hand aborted records
to ``read_committed`` consumers (the embedded broker does). The probe writes
one record in a transaction, aborts it, commits a second one, and reads the
topic back with ``read_committed``: only the committed record may come back.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from .kafka_security import client_config

__all__ = ["PROBE_TOPIC", "TransactionProbe", "TransactionsUnsupported", "probe_transactions"]

logger = logging.getLogger(__name__)

PROBE_TOPIC = "photostream.txn-probe"
_TIMEOUT_S = 15.0


class TransactionsUnsupported(RuntimeError):
    """``exactly_once`` was asked for on a broker without working transactions."""


@dataclass(frozen=True, slots=True)
class TransactionProbe:
    supported: bool
    detail: str


def probe_transactions(
    kafka: str | Mapping[str, Any], *, topic: str = PROBE_TOPIC
) -> TransactionProbe:
    """Does an aborted transactional record stay invisible? ``kafka``: client config."""
    config = client_config(kafka)
    try:
        _ensure_topic(config, topic)
        marker = uuid.uuid4().hex.encode()
        producer = Producer(
            {
                **config,
                "transactional.id": f"photostream-probe-{uuid.uuid4()}",
                "transaction.timeout.ms": 10_000,
            }
        )
        producer.init_transactions(_TIMEOUT_S)
        producer.begin_transaction()
        producer.produce(topic, key=marker, value=b"aborted", partition=0)
        producer.flush(_TIMEOUT_S)
        producer.abort_transaction(_TIMEOUT_S)
        producer.begin_transaction()
        producer.produce(topic, key=marker, value=b"committed", partition=0)
        producer.commit_transaction(_TIMEOUT_S)
    except KafkaException as exc:
        return TransactionProbe(False, f"transactional producer failed: {exc}")
    seen = _read_marked(config, topic, marker)
    if seen == [b"committed"]:
        return TransactionProbe(True, "an aborted record stayed invisible to read_committed")
    return TransactionProbe(
        False, f"read_committed consumer saw {[v.decode() for v in seen]} instead of ['committed']"
    )


def _ensure_topic(config: Mapping[str, Any], topic: str) -> None:
    admin = AdminClient(dict(config))
    if topic in admin.list_topics(timeout=_TIMEOUT_S).topics:
        return
    futures = admin.create_topics([NewTopic(topic, 1, 1)])
    try:
        futures[topic].result(_TIMEOUT_S)
    except KafkaException as exc:
        if "TOPIC_ALREADY_EXISTS" not in str(exc):
            raise


def _read_marked(config: Mapping[str, Any], topic: str, marker: bytes) -> list[bytes]:
    consumer = Consumer(
        {
            **config,
            "group.id": f"photostream-probe-{uuid.uuid4()}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    consumer.assign([TopicPartition(topic, 0, 0)])
    values: list[bytes] = []
    deadline = time.monotonic() + _TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF and values:
                    break
                continue
            if message.key() == marker:
                values.append(message.value() or b"")
                if message.value() == b"committed":
                    break
    finally:
        consumer.close()
    return values
