"""What the codec needs from a schema registry, and how subjects are named.

Any Confluent-compatible registry (Confluent, Karapace, Apicurio) can sit
behind :class:`SchemaRegistry`; :class:`~schemas.local_registry.LocalSchemaRegistry`
is the in-process one. An HTTP client implements the two calls as
``POST /subjects/{subject}/versions`` and ``GET /schemas/ids/{id}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from .records import Record

__all__ = ["SchemaRegistry", "SubjectStrategy", "topic_record_subject", "topic_subject"]


@runtime_checkable
class SchemaRegistry(Protocol):
    """Schema ids for writers, writer schemas for readers.

    Errors: :class:`~schemas.errors.SchemaNotFound` for an unknown id,
    :class:`~schemas.errors.IncompatibleSchema` or
    :class:`~schemas.errors.InvalidSchema` when registering is refused,
    :class:`~schemas.errors.RegistryUnavailable` when the registry cannot be
    reached (transient). Implementations must be safe to call from several
    threads.
    """

    def register(self, subject: str, schema: str) -> int:
        """Register ``schema`` (Avro JSON) under ``subject``; returns its id.

        Registering a schema the subject already has returns the existing id.
        """
        ...

    def schema_by_id(self, schema_id: int) -> str:
        """The schema text (Avro JSON) registered under ``schema_id``."""
        ...


SubjectStrategy = Callable[[str, type[Record]], str]
"""Maps (topic, record class) to a registry subject."""


def topic_subject(topic: str, record_type: type[Record]) -> str:
    """Confluent's TopicNameStrategy: ``<topic>-value``.

    ``photos.timeline`` carries two record types under this one subject; a
    Confluent-compatible server needs that subject's compatibility set to NONE
    (photostream checks evolution per record type in its own tests).
    """
    return f"{topic}-value"


def topic_record_subject(topic: str, record_type: type[Record]) -> str:
    """Confluent's TopicRecordNameStrategy: ``<topic>-<record full name>``."""
    return f"{topic}-{record_type.schema_name}"
