"""Avro resolution rules between schema versions, and the shipped version history."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from schemas import (
    EVENT_TYPES,
    CompatibilityLevel,
    IncompatibleSchema,
    LocalSchemaRegistry,
    Record,
    check_evolution,
    current_schema,
    incompatibilities,
    reader_incompatibilities,
    schema_versions,
    topic_of,
)

BACKWARD, FORWARD, FULL = (
    CompatibilityLevel.BACKWARD,
    CompatibilityLevel.FORWARD,
    CompatibilityLevel.FULL,
)


def record(*fields: dict[str, Any], name: str = "Thing", **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": "t", "fields": list(fields), **extra}


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def enum(*symbols: str, **extra: Any) -> dict[str, Any]:
    return {"type": "enum", "name": "Kind", "symbols": list(symbols), **extra}


BASE = record(field("id", "string"), field("n", "int"))
KIND = enum("UNKNOWN", "A", "B", default="UNKNOWN")
TS = {"type": "long", "logicalType": "timestamp-micros"}

# (old, new, backward ok, forward ok)
PAIRS: dict[str, tuple[Any, Any, bool, bool]] = {
    "identical": (BASE, BASE, True, True),
    "add optional field": (
        BASE,
        record(*BASE["fields"], field("x", ["null", "string"], default=None)),
        True,
        True,
    ),
    "add required field without default": (
        BASE,
        record(*BASE["fields"], field("x", "string")),
        False,
        True,
    ),
    "add field with default": (
        BASE,
        record(*BASE["fields"], field("x", "string", default="")),
        True,
        True,
    ),
    "remove field without default": (BASE, record(field("id", "string")), True, False),
    "remove field with default": (
        record(field("id", "string"), field("n", "int", default=0)),
        record(field("id", "string")),
        True,
        True,
    ),
    "rename field without alias": (
        BASE,
        record(field("id", "string"), field("count", "int")),
        False,
        False,
    ),
    "rename field with alias": (
        BASE,
        record(field("id", "string"), field("count", "int", aliases=["n"])),
        True,
        False,
    ),
    "promote int to long": (BASE, record(field("id", "string"), field("n", "long")), True, False),
    "promote int to double": (
        BASE,
        record(field("id", "string"), field("n", "double")),
        True,
        False,
    ),
    "demote long to int": (
        record(field("id", "string"), field("n", "long")),
        BASE,
        False,
        True,
    ),
    "float to double": (record(field("f", "float")), record(field("f", "double")), True, False),
    "string to bytes": (record(field("s", "string")), record(field("s", "bytes")), True, True),
    "string to int": (record(field("s", "string")), record(field("s", "int")), False, False),
    "append enum symbol with default": (
        record(field("k", KIND)),
        record(field("k", enum("UNKNOWN", "A", "B", "C", default="UNKNOWN"))),
        True,
        True,
    ),
    "append enum symbol without default": (
        record(field("k", enum("A", "B"))),
        record(field("k", enum("A", "B", "C"))),
        True,
        False,
    ),
    "remove enum symbol without default": (
        record(field("k", enum("A", "B"))),
        record(field("k", enum("A"))),
        False,
        True,
    ),
    "required to optional": (
        BASE,
        record(field("id", ["null", "string"], default=None), field("n", "int")),
        True,
        False,
    ),
    "optional to required": (
        record(field("id", ["null", "string"], default=None)),
        record(field("id", "string")),
        False,
        True,
    ),
    "widen union": (
        record(field("v", ["null", "int"], default=None)),
        record(field("v", ["null", "int", "string"], default=None)),
        True,
        False,
    ),
    "rename record without alias": (BASE, {**BASE, "name": "Other"}, False, False),
    "rename record with alias": (
        BASE,
        {**BASE, "name": "Other", "aliases": ["Thing"]},
        True,
        False,
    ),
    "change logical type": (
        record(field("t", TS)),
        record(field("t", {"type": "long", "logicalType": "timestamp-millis"})),
        False,
        False,
    ),
    "drop logical type": (record(field("t", TS)), record(field("t", "long")), False, False),
    "nested array item change": (
        record(field("xs", {"type": "array", "items": "int"})),
        record(field("xs", {"type": "array", "items": "string"})),
        False,
        False,
    ),
    "nested map value promotion": (
        record(field("m", {"type": "map", "values": "int"})),
        record(field("m", {"type": "map", "values": "long"})),
        True,
        False,
    ),
    "new field with a default of the wrong type": (
        BASE,
        record(*BASE["fields"], field("x", ["null", "string"], default="oops")),
        False,
        True,
    ),
}


@pytest.mark.parametrize(("old", "new", "backward", "forward"), PAIRS.values(), ids=PAIRS)
def test_resolution_rules(old: Any, new: Any, backward: bool, forward: bool) -> None:
    assert (not incompatibilities(new, old, BACKWARD)) is backward
    assert (not incompatibilities(new, old, FORWARD)) is forward
    assert (not incompatibilities(new, old, FULL)) is (backward and forward)


def test_findings_point_at_the_field() -> None:
    old = record(field("inner", record(field("n", "int"), name="Inner")))
    new = record(field("inner", record(field("n", "string"), name="Inner")))
    (finding,) = reader_incompatibilities(new, old)
    assert finding.path == ".inner.n"
    assert "int cannot be read as string" in finding.message


def test_named_references_inside_one_schema_are_resolved() -> None:
    old = record(field("a", KIND), field("b", "t.Kind"))
    new = record(field("a", enum("UNKNOWN", "A", "B", "C", default="UNKNOWN")), field("b", "Kind"))
    assert incompatibilities(new, old, FULL) == []


def test_schemas_may_be_json_text() -> None:
    assert incompatibilities(json.dumps(BASE), json.dumps(BASE), FULL) == []


# -- the shipped history -----------------------------------------------------------


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_shipped_versions_evolve_compatibly_both_ways(cls: type[Record]) -> None:
    versions = [f.text for f in schema_versions(cls)]
    assert check_evolution(versions, FULL) == []


def _compatible_successor(schema: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(schema)
    new["fields"].append(
        {"name": "added_later", "type": ["null", "string"], "default": None, "doc": "x"}
    )
    for f in new["fields"]:
        if isinstance(f["type"], dict) and f["type"].get("type") == "enum":
            f["type"]["symbols"].append("ADDED_LATER")
    return new


def _drop_required_field(schema: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(schema)
    new["fields"] = [f for f in new["fields"] if f["name"] != "user_id"]
    return new


def _add_required_field(schema: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(schema)
    new["fields"].append({"name": "tenant", "type": "string", "doc": "x"})
    return new


def _rename_field(schema: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(schema)
    for f in new["fields"]:
        if f["name"] == "user_id":
            f["name"] = "owner_id"
    return new


def _retype_event_id(schema: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(schema)
    new["fields"][0]["type"] = "long"
    return new


BREAKING: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "drop required field": _drop_required_field,
    "add required field": _add_required_field,
    "rename field": _rename_field,
    "retype field": _retype_event_id,
}


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_a_compatible_successor_of_every_schema_passes(cls: type[Record]) -> None:
    current = current_schema(cls)
    history = [f.text for f in schema_versions(cls)]
    successor = json.dumps(_compatible_successor(current.schema))
    assert check_evolution([*history, successor], FULL) == []


@pytest.mark.parametrize("change", BREAKING.values(), ids=BREAKING)
@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda c: c.__name__)
def test_a_breaking_successor_of_every_schema_fails(
    cls: type[Record], change: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    history = [f.text for f in schema_versions(cls)]
    successor = json.dumps(change(current_schema(cls).schema))
    problems = check_evolution([*history, successor], FULL)
    assert problems
    assert all(p.path.startswith(f"v{len(history)}->v{len(history) + 1}") for p in problems)


def test_registry_refuses_a_breaking_change_under_the_same_subject() -> None:
    registry = LocalSchemaRegistry()
    registry.register_topics()
    cls = EVENT_TYPES[0]
    subject = f"{topic_of(cls)}-value"
    with pytest.raises(IncompatibleSchema, match="user_id"):
        registry.register(subject, json.dumps(_drop_required_field(current_schema(cls).schema)))
