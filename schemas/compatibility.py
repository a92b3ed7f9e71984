"""Avro schema resolution rules, applied between two versions of a schema.

``reader_incompatibilities(reader, writer)`` lists what would stop a reader
using ``reader`` from decoding data written with ``writer``:

* a reader field missing from the writer needs a default (valid for its type);
  fields only the writer has are skipped, so removing a field needs a default
  in the *old* schema for the forward direction;
* types must match or promote: int -> long -> float -> double, string <-> bytes;
* records, enums and fixed types match by full name or a reader alias, so a
  rename needs an alias;
* writer enum symbols the reader lacks need a reader enum default;
* every branch of a writer union must resolve; a non-union writer resolves
  against the first reader union branch it matches;
* logical types must agree (Avro would read the bytes, but the meaning changes).

Backward compatibility: the new schema reads data written with the old one.
Forward compatibility: the old schema reads data written with the new one.
"""

from __future__ import annotations

import enum
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._expand import expand, kind

__all__ = [
    "CompatibilityLevel",
    "Incompatibility",
    "check_evolution",
    "incompatibilities",
    "reader_incompatibilities",
]

_PROMOTIONS = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}
_NAMED = frozenset({"record", "enum", "fixed"})


class CompatibilityLevel(enum.StrEnum):
    """Which direction(s) a new schema must stay compatible in (Confluent's names)."""

    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"
    FULL = "FULL"
    NONE = "NONE"


@dataclass(frozen=True, slots=True)
class Incompatibility:
    """One rule a pair of schemas breaks; ``path`` points into the reader schema."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def reader_incompatibilities(reader: Any, writer: Any) -> list[Incompatibility]:
    """What stops data written with ``writer`` from being read with ``reader``.

    Schemas are JSON text or parsed JSON data; an empty list means compatible.
    """
    found: list[Incompatibility] = []
    _resolve(expand(_load(reader)), expand(_load(writer)), "", found, set())
    return found


def incompatibilities(
    new: Any, old: Any, level: CompatibilityLevel = CompatibilityLevel.FULL
) -> list[Incompatibility]:
    """What makes ``new`` an unsafe successor of ``old`` at ``level``."""
    found: list[Incompatibility] = []
    if level in (CompatibilityLevel.BACKWARD, CompatibilityLevel.FULL):
        for item in reader_incompatibilities(new, old):
            found.append(Incompatibility(item.path, f"backward: {item.message}"))
    if level in (CompatibilityLevel.FORWARD, CompatibilityLevel.FULL):
        for item in reader_incompatibilities(old, new):
            found.append(Incompatibility(item.path, f"forward: {item.message}"))
    return found


def check_evolution(
    versions: Sequence[Any], level: CompatibilityLevel = CompatibilityLevel.FULL
) -> list[Incompatibility]:
    """Incompatibilities between each consecutive pair of ``versions`` (oldest first)."""
    found: list[Incompatibility] = []
    for number, (old, new) in enumerate(itertools.pairwise(versions), start=1):
        for item in incompatibilities(new, old, level):
            found.append(Incompatibility(f"v{number}->v{number + 1}{item.path}", item.message))
    return found


def _load(schema: Any) -> Any:
    return json.loads(schema) if isinstance(schema, str | bytes) else schema


def _describe(schema: Any) -> str:
    k = kind(schema)
    return f"{k} {schema['name']}" if k in _NAMED else k


def _matches(reader: Any, writer: Any) -> bool:
    r, w = kind(reader), kind(writer)
    if r in _NAMED or w in _NAMED:
        return r == w and (
            reader["name"] == writer["name"] or writer["name"] in reader.get("aliases", ())
        )
    return r == w or r in _PROMOTIONS.get(w, ())


def _logical(schema: Any) -> str | None:
    return schema.get("logicalType") if isinstance(schema, dict) else None


def _resolve(
    reader: Any, writer: Any, path: str, found: list[Incompatibility], seen: set[tuple[str, str]]
) -> None:
    if kind(writer) == "union":
        for branch in writer:
            _resolve(reader, branch, path, found, seen)
        return
    if kind(reader) == "union":
        branch = next((b for b in reader if _matches(b, writer)), None)
        if branch is None:
            found.append(
                Incompatibility(path or ".", f"writer type {_describe(writer)} is not in the union")
            )
        else:
            _resolve(branch, writer, path, found, seen)
        return
    if not _matches(reader, writer):
        message = f"{_describe(writer)} cannot be read as {_describe(reader)}"
        found.append(Incompatibility(path or ".", message))
        return
    if _logical(reader) != _logical(writer):
        message = f"logical type {_logical(writer)} changed to {_logical(reader)}"
        found.append(Incompatibility(path or ".", message))
    k = kind(reader)
    if k == "record":
        _resolve_record(reader, writer, path, found, seen)
    elif k == "enum":
        _resolve_enum(reader, writer, path, found)
    elif k == "fixed" and reader["size"] != writer["size"]:
        found.append(Incompatibility(path or ".", "fixed size changed"))
    elif k == "array":
        _resolve(reader["items"], writer["items"], f"{path}[]", found, seen)
    elif k == "map":
        _resolve(reader["values"], writer["values"], f"{path}{{}}", found, seen)


def _resolve_record(
    reader: Any, writer: Any, path: str, found: list[Incompatibility], seen: set[tuple[str, str]]
) -> None:
    pair = (reader["name"], writer["name"])
    if pair in seen:
        return
    seen.add(pair)
    written = {field["name"]: field for field in writer["fields"]}
    for field in reader["fields"]:
        where = f"{path}.{field['name']}"
        names = [field["name"], *field.get("aliases", ())]
        source = next((written[n] for n in names if n in written), None)
        if source is not None:
            _resolve(field["type"], source["type"], where, found, seen)
        elif "default" not in field:
            found.append(
                Incompatibility(where, "field is missing from the writer and has no default")
            )
        elif not _default_fits(field["type"], field["default"]):
            found.append(
                Incompatibility(where, f"default {field['default']!r} does not fit the type")
            )
    seen.discard(pair)


def _resolve_enum(reader: Any, writer: Any, path: str, found: list[Incompatibility]) -> None:
    unknown = [s for s in writer["symbols"] if s not in reader["symbols"]]
    if unknown and reader.get("default") not in reader["symbols"]:
        message = f"symbols {unknown} are unknown to the reader, which has no enum default"
        found.append(Incompatibility(path or ".", message))


def _default_fits(schema: Any, value: Any) -> bool:
    k = kind(schema)
    if k == "union":
        return _default_fits(schema[0], value)
    if k == "null":
        return value is None
    if k == "boolean":
        return isinstance(value, bool)
    if k in ("int", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if k in ("float", "double"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if k in ("string", "bytes", "fixed"):
        return isinstance(value, str)
    if k == "enum":
        return value in schema["symbols"]
    if k == "array":
        return isinstance(value, list) and all(_default_fits(schema["items"], v) for v in value)
    if k == "map":
        return isinstance(value, dict) and all(
            _default_fits(schema["values"], v) for v in value.values()
        )
    if k == "record":
        return isinstance(value, dict) and all(
            (f["name"] in value and _default_fits(f["type"], value[f["name"]])) or "default" in f
            for f in schema["fields"]
        )
    return False
