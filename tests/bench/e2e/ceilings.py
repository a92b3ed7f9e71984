"""Ceilings, measured in the same run as the pipeline: broker, S3 server and the pure processors.

- broker: consume N records of the upload event's size and produce one of the
  metadata event's size for each (a read-process-write loop doing no work),
  with confluent-kafka and with aiokafka (what Faust uses);
- S3: ranged GETs of the head the ingest stage reads, through the worker's
  own ``ObjectReader`` (aiobotocore), many in flight;
- processors, one thread: ``extract_metadata`` on those heads, the same
  plus building the metadata event (reverse geocoding, time zone), and
  curation (``apply`` and the state write the agent does after each input).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka import TopicPartition as AioPartition
from confluent_kafka import Consumer, Producer, TopicPartition

from processors.curation import UserState, apply
from processors.events import metadata_event
from processors.metadata import extract_metadata
from schemas import MetadataExtracted, PhotoUploaded
from streams.devstack import DevStack
from streams.s3 import ObjectReader
from streams.settings import Settings

from .dataset import BUCKET, PhotoObject

__all__ = ["broker_ceilings", "processor_ceilings", "s3_ceiling"]

_PARTITIONS = 4


def _fill(bootstrap: str, topic: str, count: int, size: int) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all"})
    value = b"u" * size
    for index in range(count):
        while True:
            try:
                producer.produce(topic, key=f"user-{index % 997}".encode(), value=value)
                break
            except BufferError:
                producer.poll(0.01)
    producer.flush(60)


def _confluent_relay(bootstrap: str, source: str, sink: str, count: int, size: int) -> float:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"ceiling-{uuid.uuid4()}",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 10,
        }
    )
    consumer.assign([TopicPartition(source, p, 0) for p in range(_PARTITIONS)])
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all"})
    value = b"m" * size
    done = 0
    start = time.perf_counter()
    while done < count:
        for message in consumer.consume(1000, 0.1):
            if message.error():
                continue
            while True:
                try:
                    producer.produce(sink, key=message.key(), value=value)
                    break
                except BufferError:
                    producer.poll(0.01)
            done += 1
        producer.poll(0)
    producer.flush(60)
    elapsed = time.perf_counter() - start
    consumer.close()
    return count / elapsed


async def _aiokafka_relay(bootstrap: str, source: str, sink: str, count: int, size: int) -> float:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        partitions = [AioPartition(source, p) for p in range(_PARTITIONS)]
        consumer.assign(partitions)
        for partition in partitions:
            consumer.seek(partition, 0)
        value = b"m" * size
        done = 0
        pending: list[asyncio.Future[Any]] = []
        start = time.perf_counter()
        while done < count:
            batches = await consumer.getmany(timeout_ms=100, max_records=1000)
            for records in batches.values():
                for record in records:
                    pending.append(await producer.send(sink, key=record.key, value=value))
                    done += 1
            if len(pending) > 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        return count / (time.perf_counter() - start)
    finally:
        await producer.stop()
        await consumer.stop()


def broker_ceilings(
    stack: DevStack, *, count: int, in_size: int, out_size: int
) -> dict[str, float]:
    """Records/s relayed (consumed and produced) by each client on the embedded broker."""
    bootstrap = stack.endpoints.bootstrap_servers
    rates: dict[str, float] = {}
    for client in ("confluent-kafka", "aiokafka"):
        run = uuid.uuid4().hex[:6]
        source, sink = f"ceiling-{run}.in", f"ceiling-{run}.out"
        stack.create_topics({source: _PARTITIONS, sink: _PARTITIONS})
        n = count if client == "confluent-kafka" else count // 2
        _fill(bootstrap, source, n, in_size)
        if client == "confluent-kafka":
            rates[client] = _confluent_relay(bootstrap, source, sink, n, out_size)
        else:
            rates[client] = asyncio.run(_aiokafka_relay(bootstrap, source, sink, n, out_size))
    return rates


async def _ranged_gets(settings: Settings, keys: list[str], count: int, parallel: int) -> float:
    async with ObjectReader(settings) as reader:
        await reader.read_head(BUCKET, keys[0], settings.head_bytes)
        queue = iter(range(count))

        async def loop() -> None:
            for index in queue:
                await reader.read_head(BUCKET, keys[index % len(keys)], settings.head_bytes)

        start = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(parallel)))
        return count / (time.perf_counter() - start)


def s3_ceiling(settings: Settings, objects: list[PhotoObject], *, count: int) -> float:
    """Ranged GETs/s of the ingest head size, 16 in flight, one process."""
    return asyncio.run(_ranged_gets(settings, [o.key for o in objects], count, parallel=16))


def _rate(run: Callable[[], int], seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        done += run()
    return done / (time.perf_counter() - start)


def processor_ceilings(
    objects: list[PhotoObject],
    uploads: list[PhotoUploaded],
    *,
    head_bytes: int,
    seconds: float,
) -> dict[str, float]:
    """Items/s on one thread for each pure stage, on the pipeline's own photos and events."""
    by_key = {o.key: o for o in objects}
    heads = [(by_key[u.key].data[:head_bytes], len(by_key[u.key].data), u) for u in uploads]

    def extract() -> int:
        for head, size, upload in heads:
            extract_metadata(head, object_size=size, filename=upload.filename)
        return len(heads)

    events: list[MetadataExtracted] = []

    def extract_and_event() -> int:
        events.clear()
        for head, size, upload in heads:
            meta = extract_metadata(head, object_size=size, filename=upload.filename)
            events.append(metadata_event(upload, meta))
        return len(heads)

    at = datetime.now(UTC)

    def curate(persist: bool) -> Callable[[], int]:
        def run() -> int:
            states: dict[str, UserState] = {}
            for event in events:
                state = states.get(event.user_id) or UserState.new(event.user_id)
                state, _ = apply(state, event, at=at)
                states[event.user_id] = state
                if persist:
                    state.to_bytes()
            return len(events)

        return run

    extract()  # first use loads nothing, but warms caches
    extract_and_event()  # loads the geocoder and zone data
    return {
        "extract_metadata": _rate(extract, seconds),
        "extract_and_event": _rate(extract_and_event, seconds),
        "curate_apply": _rate(curate(False), seconds),
        "curate_apply_persist": _rate(curate(True), seconds),
    }
