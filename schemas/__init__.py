"""photostream's event contracts: Avro schemas, records, codec, registry seam.

Layout: ``avro/<Record>.v<N>.avsc`` (all versions, highest is current),
``records`` (a frozen dataclass per schema), ``codec`` (Confluent-framed
Avro), ``registry`` / ``local_registry`` (schema ids), ``compatibility``
(Avro resolution rules), ``validation`` (contract checks), ``errors``.
"""

from __future__ import annotations

from .catalog import SchemaFile, current_schema, schema_files, schema_fingerprint, schema_versions
from .codec import MAGIC_BYTE, Codec
from .compatibility import (
    CompatibilityLevel,
    Incompatibility,
    check_evolution,
    incompatibilities,
    reader_incompatibilities,
)
from .deadletter import (
    DEADLETTER_HEADERS,
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
)
from .enums import AlbumChange, AlbumKind, MediaType, TimeSource, TzSource
from .errors import (
    BadMagicByte,
    CorruptBody,
    FrameTooShort,
    IncompatibleSchema,
    InvalidEvent,
    InvalidSchema,
    RegistryError,
    RegistryUnavailable,
    SchemaError,
    SchemaNotFound,
    UndecodableEvent,
    UnknownSchemaId,
    UnsupportedSchema,
)
from .ids import EVENT_ID_NAMESPACE, derive_event_id
from .jsonview import to_json
from .local_registry import LocalSchemaRegistry, RegisteredSchema
from .records import (
    EVENT_TYPES,
    NAMESPACE,
    AlbumUpdated,
    EventId,
    ImageEmbedding,
    MetadataExtracted,
    ModelScore,
    PhotoDeleted,
    PhotoUploaded,
    Record,
    TimelineItemRemoved,
    TimelineItemUpserted,
    VisionRequested,
    VisionScored,
    event_type,
)
from .registry import SchemaRegistry, SubjectStrategy, topic_record_subject, topic_subject
from .topics import DEADLETTER_TOPIC, TOPIC_RECORDS, record_types, topic_of
from .validation import validate

__all__ = [
    "DEADLETTER_HEADERS",
    "DEADLETTER_TOPIC",
    "EVENT_ID_NAMESPACE",
    "EVENT_TYPES",
    "HEADER_ATTEMPT",
    "HEADER_ERROR_CLASS",
    "HEADER_ERROR_MESSAGE",
    "HEADER_ERROR_REASON",
    "HEADER_FIRST_FAILURE_AT",
    "HEADER_LAST_FAILURE_AT",
    "HEADER_SOURCE_OFFSET",
    "HEADER_SOURCE_PARTITION",
    "HEADER_SOURCE_TOPIC",
    "HEADER_STAGE",
    "MAGIC_BYTE",
    "NAMESPACE",
    "TOPIC_RECORDS",
    "AlbumChange",
    "AlbumKind",
    "AlbumUpdated",
    "BadMagicByte",
    "Codec",
    "CompatibilityLevel",
    "CorruptBody",
    "EventId",
    "FrameTooShort",
    "ImageEmbedding",
    "Incompatibility",
    "IncompatibleSchema",
    "InvalidEvent",
    "InvalidSchema",
    "LocalSchemaRegistry",
    "MediaType",
    "MetadataExtracted",
    "ModelScore",
    "PhotoDeleted",
    "PhotoUploaded",
    "Record",
    "RegisteredSchema",
    "RegistryError",
    "RegistryUnavailable",
    "SchemaError",
    "SchemaFile",
    "SchemaNotFound",
    "SchemaRegistry",
    "SubjectStrategy",
    "TimeSource",
    "TimelineItemRemoved",
    "TimelineItemUpserted",
    "TzSource",
    "UndecodableEvent",
    "UnknownSchemaId",
    "UnsupportedSchema",
    "VisionRequested",
    "VisionScored",
    "check_evolution",
    "current_schema",
    "derive_event_id",
    "event_type",
    "incompatibilities",
    "reader_incompatibilities",
    "record_types",
    "schema_files",
    "schema_fingerprint",
    "schema_versions",
    "to_json",
    "topic_of",
    "topic_record_subject",
    "topic_subject",
    "validate",
]
