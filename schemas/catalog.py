"""The checked-in ``.avsc`` files, read as package data.

Files are named ``<RecordName>.v<N>.avsc``; every version stays beside the
others and the highest ``N`` is the current schema, the one this build writes
and reads into.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .errors import SchemaError
from .records import NAMESPACE, Record

__all__ = [
    "SchemaFile",
    "current_schema",
    "schema_files",
    "schema_fingerprint",
    "schema_versions",
]

_FILENAME = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.avsc$")


@dataclass(frozen=True, slots=True)
class SchemaFile:
    """One version of one event schema."""

    filename: str
    name: str
    """Avro full name, e.g. ``io.photostream.events.PhotoUploaded``."""
    version: int
    text: str

    @property
    def schema(self) -> dict[str, Any]:
        """The schema as JSON data; a fresh copy each call, safe to mutate."""
        parsed: dict[str, Any] = json.loads(self.text)
        return parsed

    @property
    def fingerprint(self) -> str:
        return schema_fingerprint(self.text)


def schema_fingerprint(text: str) -> str:
    """SHA-256 of the schema with ``doc`` removed, keys sorted and whitespace dropped.

    Two texts with the same fingerprint are the same schema on the wire and
    for resolution; documentation can be corrected without changing it.
    """
    canonical = json.dumps(_without_docs(json.loads(text)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _without_docs(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_docs(v) for k, v in node.items() if k != "doc"}
    if isinstance(node, list):
        return [_without_docs(v) for v in node]
    return node


@functools.cache
def schema_files() -> tuple[SchemaFile, ...]:
    """Every shipped schema file, ordered by record name, then version."""
    found: list[SchemaFile] = []
    for entry in resources.files("schemas").joinpath("avro").iterdir():
        if not entry.name.endswith(".avsc"):
            continue
        match = _FILENAME.match(entry.name)
        if match is None:
            raise SchemaError(f"{entry.name}: expected <RecordName>.v<N>.avsc")
        text = entry.read_text(encoding="utf-8")
        name = f"{NAMESPACE}.{match['name']}"
        declared = json.loads(text)
        declared_name = f"{declared.get('namespace', '')}.{declared.get('name')}"
        if declared_name != name:
            raise SchemaError(f"{entry.name}: declares {declared_name}, expected {name}")
        found.append(SchemaFile(entry.name, name, int(match["version"]), text))
    return tuple(sorted(found, key=lambda f: (f.name, f.version)))


def schema_versions(record: str | type[Record]) -> tuple[SchemaFile, ...]:
    """All versions of one schema, oldest first; ``KeyError`` if there is none."""
    name = record if isinstance(record, str) else record.schema_name
    versions = tuple(f for f in schema_files() if f.name == name)
    if not versions:
        raise KeyError(name)
    return versions


def current_schema(record: str | type[Record]) -> SchemaFile:
    """The highest version of a schema: what this build writes and reads into."""
    return schema_versions(record)[-1]
