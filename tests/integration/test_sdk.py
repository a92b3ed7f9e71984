"""The upload-service producer and the downstream consumer SDKs on the real broker."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiokafka.partitioner import DefaultPartitioner
from confluent_kafka import Consumer, Producer, TopicPartition

from schemas import (
    HEADER_ATTEMPT,
    HEADER_ERROR_CLASS,
    HEADER_ERROR_MESSAGE,
    HEADER_ERROR_REASON,
    HEADER_FIRST_FAILURE_AT,
    HEADER_LAST_FAILURE_AT,
    HEADER_SOURCE_OFFSET,
    HEADER_SOURCE_PARTITION,
    HEADER_SOURCE_TOPIC,
    HEADER_STAGE,
    Codec,
    InvalidEvent,
    PhotoDeleted,
    PhotoUploaded,
    RegistryUnavailable,
)
from streams.devstack import free_port
from streams.registry_client import HttpSchemaRegistry
from streams.retry import RetryPolicy
from streams.sdk import ConsumedEvent, DeliveryFailed, EventConsumer, UploadProducer

from .conftest import Pipeline

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

_QUICK_RETRY = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.05)
_Records = list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]]


def _upload(user_id: str = "alice", **changes: object) -> PhotoUploaded:
    event = PhotoUploaded(
        event_id=str(uuid.uuid4()),
        user_id=user_id,
        photo_id=str(uuid.uuid4()),
        bucket="photos",
        key=f"users/{user_id}/photo.jpg",
        size=2048,
        content_type="image/jpeg",
        sha256="ab" * 32,
        filename="photo.jpg",
        uploaded_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC),
    )
    return dataclasses.replace(event, **changes)  # type: ignore[arg-type]


def _consumer(pipeline: Pipeline, group: str, topics: list[str], **kwargs: object) -> EventConsumer:
    return EventConsumer(
        pipeline.settings.bootstrap_servers,
        group,
        topics,
        kwargs.pop("codec", pipeline.codec),  # type: ignore[arg-type]
        deadletter_topic=pipeline.topics.deadletter,
        config={"session.timeout.ms": 3000},
        **kwargs,  # type: ignore[arg-type]
    )


def _take(events: Iterator[ConsumedEvent | None], count: int, timeout_s: float = 30) -> list:
    """The next ``count`` events (idle polls last 0.2 s each)."""
    taken: list[ConsumedEvent] = []
    for _ in range(int(timeout_s / 0.2)):
        if len(taken) == count:
            return taken
        consumed = next(events)
        if consumed is not None:
            taken.append(consumed)
    raise AssertionError(f"got {len(taken)} of {count} events in {timeout_s}s")


def _send(pipeline: Pipeline, events: list[PhotoUploaded]) -> None:
    with UploadProducer(
        pipeline.settings.bootstrap_servers, pipeline.codec, pipeline.topics
    ) as producer:
        for event in events:
            producer.send_upload(event)
        assert producer.flush() == []


def _committed(pipeline: Pipeline, group: str, topic: str) -> dict[int, int]:
    consumer = Consumer(
        {"bootstrap.servers": pipeline.settings.bootstrap_servers, "group.id": group}
    )
    try:
        partitions = [TopicPartition(topic, p) for p in range(pipeline.settings.partitions)]
        found = consumer.committed(partitions, timeout=10)
    finally:
        consumer.close()
    return {tp.partition: tp.offset for tp in found if tp.offset >= 0}


def _headers(record: tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]) -> dict[str, str]:
    return {key: value.decode() for key, value in record[2]}


# -- UploadProducer -----------------------------------------------------------------


def test_an_invalid_event_raises_naming_the_field_and_is_not_sent(pipeline: Pipeline) -> None:
    with UploadProducer(
        pipeline.settings.bootstrap_servers, pipeline.codec, pipeline.topics
    ) as producer:
        with pytest.raises(InvalidEvent) as raised:
            producer.send_upload(_upload(sha256="not-a-digest"))
        assert raised.value.field == "sha256"
        with pytest.raises(InvalidEvent) as raised:
            producer.send_upload(_upload(uploaded_at=datetime(2024, 7, 1, 12, 0)))
        assert raised.value.field == "uploaded_at"
        with pytest.raises(TypeError):
            producer.send_upload(_deletion())  # type: ignore[arg-type]
        good = producer.send_upload(_upload())
        assert producer.flush() == []
    # Same user, same partition: the good event is the first record there.
    assert good.result(timeout=1).offset == 0


def test_every_send_gets_a_delivery_and_keys_pick_the_java_partition(pipeline: Pipeline) -> None:
    users = [f"user-{n}" for n in range(12)]
    events = [_upload(user) for user in users for _ in range(2)]
    with UploadProducer(
        pipeline.settings.bootstrap_servers, pipeline.codec, pipeline.topics
    ) as producer:
        futures = [producer.send_upload(event) for event in events]
        deletion = producer.send_deletion(_deletion("user-3"))
        assert producer.flush() == []
    deliveries = [future.result(timeout=1) for future in futures]
    partitions = list(range(pipeline.settings.partitions))
    java = DefaultPartitioner()
    for event, delivery in zip(events, deliveries, strict=True):
        assert delivery.ok and delivery.event_id == event.event_id
        assert delivery.topic == pipeline.topics.uploaded
        assert delivery.partition == java(event.user_id.encode(), partitions, partitions)
    assert len({(d.partition, d.offset) for d in deliveries}) == len(events)
    assert len({d.partition for d in deliveries}) > 1
    assert deletion.result(timeout=1).topic == pipeline.topics.deleted

    records = pipeline.read(pipeline.topics.uploaded, until=lambda rs: len(rs) >= len(events))
    assert sorted(key or b"" for key, _, _ in records) == sorted(u.encode() for u in users * 2)


def test_a_refused_event_is_reported_by_its_future_and_by_flush(pipeline: Pipeline) -> None:
    with UploadProducer(
        pipeline.settings.bootstrap_servers,
        pipeline.codec,
        pipeline.topics,
        config={"message.max.bytes": 1000},
    ) as producer:
        fits = producer.send_upload(_upload())
        huge = _upload(key="k" * 2000)
        too_big = producer.send_upload(huge)
        failed = producer.flush()
    assert fits.result(timeout=1).ok
    assert [d.event_id for d in failed] == [huge.event_id]
    assert too_big.result(timeout=1) == failed[0]
    assert failed[0].error is not None and "too large" in failed[0].error.lower()

    # Failures nobody collected do not vanish when the block ends.
    with pytest.raises(DeliveryFailed) as unchecked:  # noqa: SIM117 - the raise is __exit__'s
        with UploadProducer(
            pipeline.settings.bootstrap_servers,
            pipeline.codec,
            pipeline.topics,
            config={"message.max.bytes": 1000},
        ) as producer:
            producer.send_upload(huge)
    assert [d.event_id for d in unchecked.value.deliveries] == [huge.event_id]


def test_undelivered_events_come_back_from_flush(pipeline: Pipeline) -> None:
    nowhere = f"127.0.0.1:{free_port()}"
    events = [_upload(f"user-{n}") for n in range(3)]
    producer = UploadProducer(
        nowhere,
        pipeline.codec,
        pipeline.topics,
        config={"delivery.timeout.ms": 1500, "log_level": 0},
    )
    futures = [producer.send_upload(event) for event in events]
    failed = producer.flush(timeout_s=20)
    assert sorted(d.event_id for d in failed) == sorted(e.event_id for e in events)
    assert all(not f.result(timeout=1).ok for f in futures)
    assert producer.close() == []


# -- EventConsumer ------------------------------------------------------------------


def test_repeats_inside_the_window_are_dropped_and_the_window_stays_bounded(
    pipeline: Pipeline,
) -> None:
    a, b, c, d, e = (_upload() for _ in range(5))
    # One user, so one partition and this order. Window of 3: the second A is
    # a repeat; by the third, B..E have pushed A out and it counts as new.
    _send(pipeline, [a, b, a, c, d, e, a])
    with _consumer(
        pipeline, f"g-{uuid.uuid4()}", [pipeline.topics.uploaded], dedupe_window=3
    ) as consumer:
        events = consumer.events(timeout_s=0.2)
        taken = _take(events, 6)
        assert [t.event.event_id for t in taken] == [  # type: ignore[attr-defined]
            x.event_id for x in (a, b, c, d, e, a)
        ]
        assert consumer.duplicates_dropped == 1
        assert len(consumer.window) == 3


def test_an_offset_commits_only_once_its_event_was_handled(pipeline: Pipeline) -> None:
    first, second, third = (_upload() for _ in range(3))
    _send(pipeline, [first, second, third])
    group = f"g-{uuid.uuid4()}"
    topic = pipeline.topics.uploaded
    with _consumer(pipeline, group, [topic]) as consumer:
        events = consumer.events(timeout_s=0.2)
        handled, crashed_on = _take(events, 2)
        assert handled.event == first and crashed_on.event == second
        # The handler of `second` never finished: no next() call, consumer closed.
    with _consumer(pipeline, group, [topic]) as consumer:
        seen: list[ConsumedEvent] = []
        consumer.run(seen.append, should_stop=lambda: len(seen) == 2, timeout_s=0.2)
        assert [s.event for s in seen] == [second, third]
    assert _committed(pipeline, group, topic) == {seen[0].partition: 3}


def test_a_failing_handler_is_retried_then_dead_lettered_with_the_envelope(
    pipeline: Pipeline,
) -> None:
    topic = pipeline.topics.uploaded
    poison, flaky = _upload("carol"), _upload("carol")
    poison_bytes = pipeline.codec.encode(topic, poison)
    producer = Producer({"bootstrap.servers": pipeline.settings.bootstrap_servers})
    producer.produce(topic, key=b"carol", value=poison_bytes, headers=[("trace-id", b"t-1")])
    producer.produce(topic, key=b"carol", value=pipeline.codec.encode(topic, flaky))
    assert producer.flush(30) == 0

    calls: dict[str, int] = {}
    done: list[ConsumedEvent] = []

    def handler(consumed: ConsumedEvent) -> None:
        event_id = consumed.event.event_id  # type: ignore[attr-defined]
        calls[event_id] = calls.get(event_id, 0) + 1
        if event_id == poison.event_id or calls[event_id] == 1:
            raise ValueError(f"cannot handle {event_id}")
        done.append(consumed)

    group = f"g-{uuid.uuid4()}"
    with _consumer(pipeline, group, [topic], retry=_QUICK_RETRY) as consumer:
        consumer.run(handler, should_stop=lambda: bool(done), timeout_s=0.2)
    assert calls == {poison.event_id: 3, flaky.event_id: 2}
    assert [d.event for d in done] == [flaky]

    (letter,) = pipeline.read(pipeline.topics.deadletter, until=lambda rs: len(rs) >= 1)
    key, value, _ = letter
    headers = _headers(letter)
    assert (key, value) == (b"carol", poison_bytes)
    assert headers["trace-id"] == "t-1"
    assert headers[HEADER_ERROR_CLASS] == "ValueError"
    assert headers[HEADER_ERROR_REASON] == "handler_failed"
    assert poison.event_id in headers[HEADER_ERROR_MESSAGE]
    assert headers[HEADER_STAGE] == "consumer"
    assert headers[HEADER_SOURCE_TOPIC] == topic
    assert int(headers[HEADER_SOURCE_PARTITION]) == done[0].partition
    assert headers[HEADER_SOURCE_OFFSET] == "0"
    assert headers[HEADER_ATTEMPT] == "3"
    assert headers[HEADER_FIRST_FAILURE_AT] < headers[HEADER_LAST_FAILURE_AT]
    assert _committed(pipeline, group, topic) == {done[0].partition: 2}


def test_hostile_bytes_on_any_topic_are_dead_lettered_and_never_stop_the_consumer(
    pipeline: Pipeline,
) -> None:
    topics = pipeline.topics
    good = pipeline.codec.encode(topics.uploaded, _upload("dave"))
    unknown_id = b"\x00" + (987_654).to_bytes(4, "big") + good[5:]
    hostile: dict[str, tuple[str, bytes | None]] = {
        topics.timeline: ("bad_magic_byte", b"\x01" + good[1:]),
        topics.albums: ("unknown_schema_id", unknown_id),
        topics.metadata: ("corrupt_body", good[:-7]),
        topics.vision_scored: ("frame_too_short", b"\x00\x00"),
        topics.deleted: ("corrupt_body", good[:5] + b"\xff" * 40),
        topics.vision_requested: ("frame_too_short", None),
    }
    producer = Producer({"bootstrap.servers": pipeline.settings.bootstrap_servers})
    for topic, (_, value) in hostile.items():
        producer.produce(topic, key=b"dave", value=value)
    assert producer.flush(30) == 0
    _send(pipeline, [_upload("dave")])

    done: list[ConsumedEvent] = []
    stop = threading.Event()
    with _consumer(
        pipeline, f"g-{uuid.uuid4()}", [*hostile, topics.uploaded], retry=_QUICK_RETRY
    ) as consumer:
        runner = threading.Thread(
            target=consumer.run, args=(done.append,), kwargs={"should_stop": stop.is_set}
        )
        runner.start()
        try:
            letters = pipeline.read(topics.deadletter, until=lambda rs: len(rs) >= len(hostile))
            deadline = time.monotonic() + 30
            while not done and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            runner.join(30)
        assert not runner.is_alive()
    assert done[0].event.user_id == "dave"  # type: ignore[attr-defined]
    found = {_headers(r)[HEADER_SOURCE_TOPIC]: r for r in letters}
    assert set(found) == set(hostile)
    for topic, (reason, value) in hostile.items():
        assert _headers(found[topic])[HEADER_ERROR_REASON] == reason
        assert found[topic][1] == value
        assert found[topic][0] == b"dave"


def test_an_unreachable_registry_is_retried_then_raised_with_nothing_lost(
    pipeline: Pipeline,
) -> None:
    event = _upload("erin")
    _send(pipeline, [event])
    group = f"g-{uuid.uuid4()}"
    blind = Codec(HttpSchemaRegistry(f"http://127.0.0.1:{free_port()}", retries=0))
    with (
        _consumer(
            pipeline, group, [pipeline.topics.uploaded], codec=blind, retry=_QUICK_RETRY
        ) as consumer,
        pytest.raises(RegistryUnavailable),
    ):
        _take(consumer.events(timeout_s=0.2), 1)
    with _consumer(pipeline, group, [pipeline.topics.uploaded]) as consumer:
        (consumed,) = _take(consumer.events(timeout_s=0.2), 1)
    assert consumed.event == event


def _deletion(user_id: str = "alice") -> PhotoDeleted:
    return PhotoDeleted(
        event_id=str(uuid.uuid4()),
        user_id=user_id,
        photo_id=str(uuid.uuid4()),
        deleted_at=datetime(2024, 7, 2, tzinfo=UTC),
    )
