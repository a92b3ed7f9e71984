"""An in-process schema registry whose ids agree across processes.

Every shipped schema file is known from the start under its id in
:data:`~schemas.manifest.SCHEMA_IDS`, so a process that never registered
anything still decodes what another process wrote. Schemas outside the
manifest (a newer writer, a test's own schema) get an id hashed from their
fingerprint in ``[2**30, 2**31)``: deterministic too, and apart from the
manifest's small ids.

Besides the :class:`~schemas.registry.SchemaRegistry` calls it answers the
rest of what Confluent clients ask, one method per REST call, so an HTTP
front end can stay a thin translation layer.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Literal

import fastavro

from .catalog import schema_files, schema_fingerprint, schema_versions
from .compatibility import CompatibilityLevel, Incompatibility, incompatibilities
from .errors import IncompatibleSchema, InvalidSchema, RegistryError, SchemaNotFound
from .manifest import SCHEMA_IDS
from .registry import SubjectStrategy, topic_subject
from .topics import TOPIC_RECORDS

__all__ = ["LocalSchemaRegistry", "RegisteredSchema"]

_HASHED_IDS = 0x4000_0000


@dataclass(frozen=True, slots=True)
class RegisteredSchema:
    """One version of a subject."""

    subject: str
    version: int
    schema_id: int
    schema: str


@dataclass(frozen=True, slots=True)
class _Parsed:
    text: str
    fingerprint: str
    name: str


class LocalSchemaRegistry:
    """Thread-safe, in-memory; compatibility is checked per record name within a subject.

    ``level`` is the global compatibility level; :meth:`set_config` overrides
    it for one subject, as Confluent's ``/config/{subject}`` does.
    """

    def __init__(self, level: CompatibilityLevel = CompatibilityLevel.FULL) -> None:
        self.level = level
        self._lock = threading.Lock()
        self._levels: dict[str, CompatibilityLevel] = {}
        self._texts: dict[int, str] = {}
        self._ids: dict[str, int] = {}
        self._subjects: dict[str, list[tuple[RegisteredSchema, _Parsed]]] = {}
        for file in schema_files():
            entry = SCHEMA_IDS.get(file.filename)
            parsed = _parse(file.text)
            if entry is not None and parsed.fingerprint.startswith(entry[1]):
                self._remember(entry[0], parsed)
            else:
                self._id_for(parsed)

    # -- SchemaRegistry --------------------------------------------------

    def register(self, subject: str, schema: str) -> int:
        """``POST /subjects/{subject}/versions``."""
        parsed = _parse(schema)
        with self._lock:
            versions = self._subjects.get(subject, [])
            for registered, known in versions:
                if known.fingerprint == parsed.fingerprint:
                    return registered.schema_id
            same_record = [known for _, known in versions if known.name == parsed.name]
            level = self._levels.get(subject, self.level)
            if same_record and level is not CompatibilityLevel.NONE:
                problems = incompatibilities(parsed.text, same_record[-1].text, level)
                if problems:
                    detail = "; ".join(str(p) for p in problems)
                    raise IncompatibleSchema(f"{subject}: {detail}")
            schema_id = self._id_for(parsed)
            registered = RegisteredSchema(subject, len(versions) + 1, schema_id, parsed.text)
            self._subjects.setdefault(subject, []).append((registered, parsed))
            return schema_id

    def schema_by_id(self, schema_id: int) -> str:
        """``GET /schemas/ids/{id}``."""
        with self._lock:
            text = self._texts.get(schema_id)
        if text is None:
            raise SchemaNotFound(f"schema id {schema_id} is not registered")
        return text

    # -- the rest of the REST surface ----------------------------------------

    def subjects(self) -> list[str]:
        """``GET /subjects``."""
        with self._lock:
            return sorted(self._subjects)

    def versions(self, subject: str) -> list[int]:
        """``GET /subjects/{subject}/versions``."""
        with self._lock:
            return [registered.version for registered, _ in self._versions(subject)]

    def get_version(
        self, subject: str, version: int | Literal["latest"] = "latest"
    ) -> RegisteredSchema:
        """``GET /subjects/{subject}/versions/{version}``."""
        with self._lock:
            versions = self._versions(subject)
            if version == "latest":
                return versions[-1][0]
            if isinstance(version, int) and 1 <= version <= len(versions):
                return versions[version - 1][0]
        raise SchemaNotFound(f"{subject} has no version {version}")

    def lookup(self, subject: str, schema: str) -> RegisteredSchema:
        """``POST /subjects/{subject}``: the version holding this schema."""
        parsed = _parse(schema)
        with self._lock:
            for registered, known in self._versions(subject):
                if known.fingerprint == parsed.fingerprint:
                    return registered
        raise SchemaNotFound(f"{subject} has no such schema")

    def check_compatibility(
        self, subject: str, schema: str, version: int | Literal["latest"] = "latest"
    ) -> list[Incompatibility]:
        """``POST /compatibility/subjects/{subject}/versions/{version}``; empty means compatible."""
        parsed = _parse(schema)
        with self._lock:
            if subject not in self._subjects:
                return []
            level = self._levels.get(subject, self.level)
        against = self.get_version(subject, version)
        return incompatibilities(parsed.text, against.schema, level)

    def config(self, subject: str | None = None) -> CompatibilityLevel | None:
        """``GET /config`` (the global level) or ``GET /config/{subject}`` (None if unset)."""
        with self._lock:
            return self.level if subject is None else self._levels.get(subject)

    def set_config(self, level: CompatibilityLevel, subject: str | None = None) -> None:
        """``PUT /config`` or ``PUT /config/{subject}``; later registrations obey it."""
        with self._lock:
            if subject is None:
                self.level = level
            else:
                self._levels[subject] = level

    def delete_config(self, subject: str) -> CompatibilityLevel | None:
        """``DELETE /config/{subject}``: back to the global level; returns the level removed."""
        with self._lock:
            return self._levels.pop(subject, None)

    def register_topics(self, prefix: str = "", strategy: SubjectStrategy = topic_subject) -> None:
        """Register every version of every topic's records, oldest first."""
        for topic, record_types in TOPIC_RECORDS.items():
            for record_type in record_types:
                subject = strategy(f"{prefix}{topic}", record_type)
                for file in schema_versions(record_type):
                    self.register(subject, file.text)

    # -- internals -----------------------------------------------------------

    def _versions(self, subject: str) -> list[tuple[RegisteredSchema, _Parsed]]:
        versions = self._subjects.get(subject)
        if not versions:
            raise SchemaNotFound(f"subject {subject} is not registered")
        return versions

    def _id_for(self, parsed: _Parsed) -> int:
        known = self._ids.get(parsed.fingerprint)
        if known is not None:
            return known
        schema_id = _HASHED_IDS | (int(parsed.fingerprint[:8], 16) & (_HASHED_IDS - 1))
        if schema_id in self._texts:
            raise RegistryError(f"schema id {schema_id} collides; give this schema a manifest id")
        self._remember(schema_id, parsed)
        return schema_id

    def _remember(self, schema_id: int, parsed: _Parsed) -> None:
        self._texts.setdefault(schema_id, parsed.text)
        self._ids.setdefault(parsed.fingerprint, schema_id)


def _parse(schema: str) -> _Parsed:
    try:
        data: Any = json.loads(schema)
        fastavro.parse_schema(data, named_schemas={})
    except Exception as exc:
        raise InvalidSchema(f"not a valid Avro schema: {exc}") from exc
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    name = _name_of(data)
    return _Parsed(text, schema_fingerprint(text), name)


def _name_of(data: Any) -> str:
    if isinstance(data, dict) and "name" in data:
        name = str(data["name"])
        namespace = data.get("namespace")
        return name if "." in name or not namespace else f"{namespace}.{name}"
    return json.dumps(data, sort_keys=True)
