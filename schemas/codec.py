"""Records to Confluent-framed Avro and back.

A frame is ``[0][schema id, 4 bytes big-endian][Avro binary body]``, the
Confluent wire format, so any Kafka tool or language with a schema registry
client reads photostream topics.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass
from typing import Any

from fastavro import parse_schema, schemaless_reader, schemaless_writer

from .catalog import current_schema, schema_fingerprint
from .compatibility import reader_incompatibilities
from .errors import (
    BadMagicByte,
    CorruptBody,
    FrameTooShort,
    InvalidEvent,
    SchemaNotFound,
    UnknownSchemaId,
    UnsupportedSchema,
)
from .records import EVENT_TYPES, Record, event_type
from .registry import SchemaRegistry, SubjectStrategy, topic_subject
from .validation import validate

__all__ = ["MAGIC_BYTE", "Codec"]

MAGIC_BYTE = 0
_HEADER_SIZE = 5


@dataclass(frozen=True, slots=True)
class _Reader:
    record_type: type[Record]
    writer: Any
    reader: Any  # None when the writer schema is the current one: no resolution needed


class Codec:
    """Encodes records for a topic and decodes frames from any topic.

    Schema ids are looked up once per (topic, record class) and once per id,
    then cached for the life of the codec; parsed schemas are shared.
    """

    def __init__(
        self,
        registry: SchemaRegistry,
        *,
        subject_strategy: SubjectStrategy = topic_subject,
        validate_on_encode: bool = True,
    ) -> None:
        self._registry = registry
        self._subject = subject_strategy
        self._validate = validate_on_encode
        self._headers: dict[tuple[str, type[Record]], bytes] = {}
        # Shared between threads without a lock: a race only repeats a lookup.
        self._readers: dict[int, _Reader] = {}

    @property
    def validate_on_encode(self) -> bool:
        """Whether :meth:`encode` checks each record's contract first."""
        return self._validate

    def encode(self, topic: str, record: Record) -> bytes:
        """The framed bytes of ``record`` for ``topic``.

        Raises :class:`InvalidEvent` naming the bad field when the record
        breaks its contract, ``TypeError`` for a class that is not an event.
        """
        record_type = type(record)
        if self._validate:
            validate(record)
        header = self._headers.get((topic, record_type))
        if header is None:
            header = self._header(topic, record_type)
        out = io.BytesIO()
        out.write(header)
        try:
            schemaless_writer(out, _writer_schema(record_type), record.to_avro_dict())
        except Exception as exc:
            validate(record)
            raise InvalidEvent(record.schema_name, f"cannot be encoded: {exc}") from exc
        return out.getvalue()

    def decode(self, data: bytes | bytearray | memoryview) -> Record:
        """The record in a frame, resolved into the current schema of its type.

        Raises :class:`~schemas.errors.UndecodableEvent` (a subclass naming
        the reason) for anything that is not a readable frame, and lets
        :class:`~schemas.errors.RegistryUnavailable` through (transient).
        """
        if len(data) < _HEADER_SIZE:
            raise FrameTooShort(f"{len(data)} bytes, a frame needs at least {_HEADER_SIZE}")
        data = bytes(data)
        if data[0] != MAGIC_BYTE:
            raise BadMagicByte(f"magic byte is {data[0]}, expected {MAGIC_BYTE}")
        schema_id = int.from_bytes(data[1:_HEADER_SIZE], "big")
        reader = self._readers.get(schema_id)
        if reader is None:
            reader = self._reader(schema_id)
        body = io.BytesIO(data)
        body.seek(_HEADER_SIZE)
        try:
            value: Any = schemaless_reader(body, reader.writer, reader.reader)
        except EOFError as exc:
            raise CorruptBody(f"schema id {schema_id}: body is truncated") from exc
        except Exception as exc:
            raise CorruptBody(f"schema id {schema_id}: {type(exc).__name__}: {exc}") from exc
        if body.tell() != len(data):
            raise CorruptBody(f"schema id {schema_id}: {len(data) - body.tell()} stray bytes")
        try:
            return reader.record_type.from_avro_dict(value)
        except Exception as exc:
            raise CorruptBody(f"schema id {schema_id}: {type(exc).__name__}: {exc}") from exc

    def _header(self, topic: str, record_type: type[Record]) -> bytes:
        if record_type not in EVENT_TYPES:
            raise TypeError(f"{record_type.__name__} is not an event type")
        subject = self._subject(topic, record_type)
        schema_id = self._registry.register(subject, current_schema(record_type).text)
        header = bytes([MAGIC_BYTE]) + schema_id.to_bytes(4, "big")
        self._headers[(topic, record_type)] = header
        return header

    def _reader(self, schema_id: int) -> _Reader:
        try:
            text = self._registry.schema_by_id(schema_id)
        except SchemaNotFound as exc:
            raise UnknownSchemaId(schema_id) from exc
        reader = _resolver(text)
        self._readers[schema_id] = reader
        return reader


_WRITERS: dict[type[Record], Any] = {}


def _writer_schema(record_type: type[Record]) -> Any:
    parsed = _WRITERS.get(record_type)
    if parsed is None:
        parsed = _WRITERS[record_type] = _parse(current_schema(record_type).schema)
    return parsed


def _parse(schema: Any) -> Any:
    return parse_schema(_plain_uuids(schema), named_schemas={})


def _plain_uuids(node: Any) -> Any:
    # A uuid is a plain string on the wire, and the records hold text: letting
    # fastavro build uuid.UUID objects only to turn them back costs more than
    # the rest of a field's decoding.
    if isinstance(node, dict):
        if node.get("logicalType") == "uuid" and node.get("type") == "string":
            return "string"
        return {key: _plain_uuids(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain_uuids(value) for value in node]
    return node


@functools.lru_cache(maxsize=256)
def _resolver(writer_text: str) -> _Reader:
    try:
        writer_data = json.loads(writer_text)
        writer: Any = _parse(writer_data)
        fingerprint = schema_fingerprint(writer_text)
    except Exception as exc:
        raise UnsupportedSchema(f"writer schema does not parse: {exc}") from exc
    record_type = _event_type_of(writer)
    current = current_schema(record_type)
    if current.fingerprint == fingerprint:
        return _Reader(record_type, writer, None)
    problems = reader_incompatibilities(current.schema, writer_data)
    if problems:
        detail = "; ".join(str(p) for p in problems)
        raise UnsupportedSchema(f"{record_type.__name__} writer does not resolve: {detail}")
    return _Reader(record_type, writer, _writer_schema(record_type))


def _event_type_of(writer: Any) -> type[Record]:
    name = writer.get("name") if isinstance(writer, dict) else None
    if isinstance(name, str) and writer.get("type") == "record":
        try:
            return event_type(name)
        except KeyError:
            pass
    raise UnsupportedSchema(f"writer schema {name!r} is not a photostream event")
