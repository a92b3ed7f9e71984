"""End offsets for table recovery, on a broker whose ListOffsets answer can be short."""

from __future__ import annotations

import uuid

import aiokafka
import pytest
from confluent_kafka import Producer
from faust.types import TP

from streams.devstack import DevStack
from streams.faust_transport import true_end_offsets

pytestmark = pytest.mark.integration


async def test_true_end_offsets_count_every_record_of_a_batch(stack: DevStack) -> None:
    topic = f"batched-{uuid.uuid4().hex[:8]}"
    stack.create_topics({topic: 2})
    bootstrap = stack.endpoints.bootstrap_servers
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 100})
    # Many records per batch is what a busy changelog looks like.
    for i in range(300):
        producer.produce(topic, value=b"v%d" % i, partition=0)
    for i in range(7):
        producer.produce(topic, value=b"w%d" % i, partition=1)
    assert producer.flush(10) == 0

    consumer = aiokafka.AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        tps = [aiokafka.TopicPartition(topic, p) for p in (0, 1)]
        listed = await consumer.end_offsets(tps)
    finally:
        await consumer.stop()

    ends = await true_end_offsets(
        {TP(tp.topic, tp.partition): offset for tp, offset in listed.items()},
        bootstrap_servers=[bootstrap],
        client_kwargs={},
    )
    assert ends == {TP(topic, 0): 300, TP(topic, 1): 7}


async def test_true_end_offsets_of_empty_partitions_are_zero(stack: DevStack) -> None:
    topic = f"empty-{uuid.uuid4().hex[:8]}"
    stack.create_topics({topic: 1})
    ends = await true_end_offsets(
        {TP(topic, 0): 0},
        bootstrap_servers=[stack.endpoints.bootstrap_servers],
        client_kwargs={},
    )
    assert ends == {TP(topic, 0): 0}
