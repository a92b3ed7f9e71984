"""Errors raised by the schemas package.

Every error carries a short machine-readable ``reason`` (used in the
dead-letter ``ps.error.reason`` header) and a human message::

    SchemaError
     ├── UndecodableEvent          bytes that cannot become a record: dead-letter them
     │    ├── FrameTooShort        fewer than the 5 framing bytes (empty included)
     │    ├── BadMagicByte         first byte is not 0: not Confluent-framed Avro
     │    ├── UnknownSchemaId      the registry has no schema with that id
     │    ├── UnsupportedSchema    the writer schema is not a photostream record,
     │    │                        or does not resolve into the current one
     │    └── CorruptBody          the Avro body is truncated or malformed
     ├── InvalidEvent              a record breaks its contract; ``field`` names where
     └── RegistryError             the schema registry could not do what was asked
          ├── InvalidSchema        the text is not a valid Avro schema
          ├── SchemaNotFound       no such schema id / subject / version
          ├── IncompatibleSchema   registering would break readers or writers
          └── RegistryUnavailable  transport failure: transient, worth a retry

``RegistryUnavailable`` is the one transient error here: a consumer should
retry it rather than dead-letter the record it was decoding.
"""

from __future__ import annotations

__all__ = [
    "BadMagicByte",
    "CorruptBody",
    "FrameTooShort",
    "IncompatibleSchema",
    "InvalidEvent",
    "InvalidSchema",
    "RegistryError",
    "RegistryUnavailable",
    "SchemaError",
    "SchemaNotFound",
    "UndecodableEvent",
    "UnknownSchemaId",
    "UnsupportedSchema",
]


class SchemaError(Exception):
    """Root of every error this package raises."""

    reason: str = "schema_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UndecodableEvent(SchemaError):
    """The bytes cannot be decoded into a photostream record."""

    reason = "undecodable_event"


class FrameTooShort(UndecodableEvent):
    """Fewer bytes than the magic byte plus the 4-byte schema id."""

    reason = "frame_too_short"


class BadMagicByte(UndecodableEvent):
    """The first byte is not the Confluent wire-format magic byte 0."""

    reason = "bad_magic_byte"


class UnknownSchemaId(UndecodableEvent):
    """The frame names a schema id the registry does not know."""

    reason = "unknown_schema_id"

    def __init__(self, schema_id: int) -> None:
        super().__init__(f"schema id {schema_id} is not registered")
        self.schema_id = schema_id

    def __reduce__(self) -> tuple[type[UnknownSchemaId], tuple[int]]:
        return (type(self), (self.schema_id,))


class UnsupportedSchema(UndecodableEvent):
    """The writer schema is not a photostream record or cannot be resolved into it."""

    reason = "unsupported_schema"


class CorruptBody(UndecodableEvent):
    """The Avro body is truncated, malformed or followed by stray bytes."""

    reason = "corrupt_body"


class InvalidEvent(SchemaError):
    """A record breaks its contract; ``field`` is the dotted path of the bad field."""

    reason = "invalid_event"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem

    def __reduce__(self) -> tuple[type[InvalidEvent], tuple[str, str]]:
        return (type(self), (self.field, self.problem))


class RegistryError(SchemaError):
    """The schema registry refused or failed a request."""

    reason = "registry_error"


class InvalidSchema(RegistryError):
    """The schema text is not valid JSON or not a valid Avro schema."""

    reason = "invalid_schema"


class SchemaNotFound(RegistryError):
    """No schema with that id, or no such subject or version."""

    reason = "schema_not_found"


class IncompatibleSchema(RegistryError):
    """The schema breaks the subject's compatibility rules."""

    reason = "incompatible_schema"


class RegistryUnavailable(RegistryError):
    """The registry could not be reached or answered with a server error."""

    reason = "registry_unavailable"
