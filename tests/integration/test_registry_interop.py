"""confluent-kafka's own registry client and Avro serdes against the embedded registry.

What photostream writes, the stock ``AvroDeserializer`` reads, and what the
stock ``AvroSerializer`` writes, photostream decodes: in memory for every
record type on its topic, and through the real broker.
"""

from __future__ import annotations

import json
import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.serialization import MessageField, SerializationContext

from schemas import (
    EVENT_TYPES,
    TOPIC_RECORDS,
    Codec,
    MetadataExtracted,
    PhotoDeleted,
    PhotoUploaded,
    Record,
    TimelineItemUpserted,
    current_schema,
    topic_of,
)
from schemas.manifest import SCHEMA_IDS
from streams.devstack import DevStack
from streams.registry_client import HttpSchemaRegistry
from streams.sdk import EventConsumer, UploadProducer

from ..contract.conftest import _sample_records
from .conftest import Pipeline

with warnings.catch_warnings():
    # authlib, which the registry client imports, warns about its own httpx
    # module, with an "always" filter it installs when imported.
    from authlib.deprecate import AuthlibDeprecationWarning

    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
    from confluent_kafka.schema_registry.error import SchemaRegistryError

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SAMPLES = _sample_records()


@pytest.fixture
def client(stack: DevStack) -> Iterator[SchemaRegistryClient]:
    with SchemaRegistryClient({"url": stack.endpoints.schema_registry_url}) as registry_client:
        yield registry_client


@pytest.fixture
def codec(stack: DevStack) -> Codec:
    return Codec(HttpSchemaRegistry(stack.endpoints.schema_registry_url))


def _value(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


def _plain(value: Any) -> Any:
    """Avro data with uuids as text and arrays as lists, to compare the two sides."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value) if isinstance(value, uuid.UUID) else value


def _id_of(record_type: type[Record]) -> int:
    return SCHEMA_IDS[current_schema(record_type).filename][0]


@pytest.mark.parametrize("record_type", EVENT_TYPES, ids=lambda t: t.__name__)
def test_stock_deserializer_reads_what_photostream_writes(
    record_type: type[Record], codec: Codec, client: SchemaRegistryClient
) -> None:
    record = SAMPLES[record_type]
    topic = topic_of(record_type)
    framed = codec.encode(topic, record)
    assert framed[0] == 0 and int.from_bytes(framed[1:5], "big") == _id_of(record_type)
    deserialize = AvroDeserializer(client)
    read = deserialize(framed, _value(topic))
    assert _plain(read) == _plain(record.to_avro_dict())
    assert record_type.from_avro_dict(read) == record


@pytest.mark.parametrize("record_type", EVENT_TYPES, ids=lambda t: t.__name__)
def test_photostream_decodes_what_the_stock_serializer_writes(
    record_type: type[Record], codec: Codec, client: SchemaRegistryClient
) -> None:
    record = SAMPLES[record_type]
    topic = topic_of(record_type)
    serialize = AvroSerializer(
        client,
        current_schema(record_type).text,
        to_dict=lambda event, ctx: event.to_avro_dict(),
    )
    framed = serialize(record, _value(topic))
    assert framed is not None
    assert int.from_bytes(framed[1:5], "big") == _id_of(record_type)
    assert codec.decode(framed) == record


def _read_all(
    bootstrap: str, topic: str, count: int, partitions: int, deserialize: Callable[..., Any]
) -> list[tuple[bytes | None, Any]]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"stock-{uuid.uuid4()}",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 50,
        }
    )
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    found: list[tuple[bytes | None, Any]] = []
    try:
        for _ in range(300):
            if len(found) >= count:
                break
            message = consumer.poll(0.1)
            if message is None or message.error():
                continue
            found.append((message.key(), deserialize(message.value(), _value(topic))))
    finally:
        consumer.close()
    assert len(found) == count, f"{topic}: read {len(found)} of {count}"
    return found


def test_stock_consumer_reads_every_topic_through_the_broker(
    pipeline: Pipeline, client: SchemaRegistryClient
) -> None:
    bootstrap = pipeline.settings.bootstrap_servers
    prefix = pipeline.settings.topic_prefix
    uploaded, deleted = SAMPLES[PhotoUploaded], SAMPLES[PhotoDeleted]
    assert isinstance(uploaded, PhotoUploaded) and isinstance(deleted, PhotoDeleted)
    with UploadProducer(bootstrap, pipeline.codec, pipeline.topics) as producer:
        producer.send_upload(uploaded)
        producer.send_deletion(deleted)
        assert producer.flush() == []
    # The pipeline's own output topics, written the way its agents write them.
    producer = Producer({"bootstrap.servers": bootstrap})
    for record_type in EVENT_TYPES:
        if record_type not in (PhotoUploaded, PhotoDeleted):
            topic = topic_of(record_type, prefix=prefix)
            record = SAMPLES[record_type]
            key = str(getattr(record, "user_id")).encode()  # noqa: B009
            producer.produce(topic, key=key, value=pipeline.codec.encode(topic, record))
    assert producer.flush(30) == 0

    deserialize = AvroDeserializer(client)
    for topic, record_types in TOPIC_RECORDS.items():
        read = _read_all(
            bootstrap, prefix + topic, len(record_types), pipeline.settings.partitions, deserialize
        )
        for key, value in read:
            assert key == b"user-1"
            matches = [
                t for t in record_types if _plain(value) == _plain(SAMPLES[t].to_avro_dict())
            ]
            assert len(matches) == 1, f"{topic}: {value}"


def test_event_consumer_reads_what_a_stock_producer_wrote(
    pipeline: Pipeline, client: SchemaRegistryClient
) -> None:
    topic = pipeline.topics.timeline
    upserted = SAMPLES[TimelineItemUpserted]
    serialize = AvroSerializer(
        client,
        current_schema(TimelineItemUpserted).text,
        to_dict=lambda event, ctx: event.to_avro_dict(),
    )
    producer = Producer({"bootstrap.servers": pipeline.settings.bootstrap_servers})
    producer.produce(topic, key=b"user-1", value=serialize(upserted, _value(topic)))
    assert producer.flush(30) == 0
    with EventConsumer(
        pipeline.settings.bootstrap_servers,
        f"downstream-{uuid.uuid4()}",
        [topic],
        pipeline.codec,
        deadletter_topic=pipeline.topics.deadletter,
        config={"session.timeout.ms": 3000},
    ) as consumer:
        events = consumer.events(timeout_s=0.2)
        consumed = next(e for _, e in zip(range(100), events, strict=False) if e is not None)
    assert consumed.event == upserted
    assert consumed.key == b"user-1"


def test_registry_rest_surface_as_the_stock_client_sees_it(
    client: SchemaRegistryClient,
) -> None:
    subjects = client.get_subjects()
    assert {f"{topic}-value" for topic in TOPIC_RECORDS} <= set(subjects)
    latest = client.get_latest_version("photos.metadata-value")
    assert latest.schema_id == _id_of(MetadataExtracted)
    assert latest.schema.schema_str is not None
    assert json.loads(latest.schema.schema_str) == current_schema(MetadataExtracted).schema
    timeline = client.get_versions("photos.timeline-value")
    assert len(timeline) == 2
    assert client.get_compatibility("photos.timeline-value") == "NONE"
    assert client.get_version("photos.uploaded-value", 1).schema_id == 1
    assert (
        client.lookup_schema(
            "photos.uploaded-value", Schema(current_schema(PhotoUploaded).text, "AVRO")
        ).version
        == 1
    )


def _error(call: Callable[[], object]) -> tuple[int, int]:
    with pytest.raises(SchemaRegistryError) as raised:
        call()
    return raised.value.http_status_code, raised.value.error_code


def test_registry_errors_carry_confluent_codes(client: SchemaRegistryClient) -> None:
    upload = Schema(current_schema(PhotoUploaded).text, "AVRO")
    assert _error(lambda: client.get_versions("no-such-subject")) == (404, 40401)
    assert _error(lambda: client.get_version("photos.uploaded-value", 99)) == (404, 40402)
    assert _error(lambda: client.get_schema(987_654)) == (404, 40403)
    assert _error(lambda: client.lookup_schema("photos.deleted-value", upload)) == (404, 40403)
    assert _error(lambda: client.lookup_schema("no-such-subject", upload)) == (404, 40401)
    broken = Schema('{"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]}')
    assert _error(lambda: client.register_schema(f"s-{uuid.uuid4()}", broken)) == (422, 42201)
    assert _error(lambda: client.set_compatibility("photos.uploaded-value", "SOMETIMES")) == (
        422,
        42203,
    )


def test_a_breaking_schema_is_refused_and_reported_incompatible(
    client: SchemaRegistryClient,
) -> None:
    schema = current_schema(PhotoUploaded).schema
    schema["fields"] = [field for field in schema["fields"] if field["name"] != "sha256"]
    schema["fields"].append({"name": "checksum", "type": "string"})
    breaking = Schema(json.dumps(schema), "AVRO")
    assert client.test_compatibility("photos.uploaded-value", breaking) is False
    assert _error(lambda: client.register_schema("photos.uploaded-value", breaking)) == (409, 409)
    assert client.get_versions("photos.uploaded-value") == [1]

    compatible = current_schema(PhotoUploaded).schema
    compatible["fields"].append({"name": "extra", "type": ["null", "string"], "default": None})
    subject = f"evolving-{uuid.uuid4()}-value"
    client.register_schema(subject, Schema(current_schema(PhotoUploaded).text, "AVRO"))
    assert client.test_compatibility(subject, Schema(json.dumps(compatible), "AVRO")) is True
    new_id = client.register_schema(subject, Schema(json.dumps(compatible), "AVRO"))
    assert client.get_latest_version(subject).schema_id == new_id
    assert client.get_versions(subject) == [1, 2]
