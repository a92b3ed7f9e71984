"""Checks a record against its schema and contract before it is written.

A checker is compiled once per event class from its current schema (types,
nullability, int ranges, enum symbols, UTC datetimes, UUID text) plus the
rules in ``_rules``; the first problem raises :class:`InvalidEvent` with the
dotted path of the field, e.g. ``scores[0].values.aesthetic``.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ._expand import expand, kind
from ._rules import FIELD_RULES, RECORD_RULES
from .catalog import current_schema
from .errors import InvalidEvent
from .records import Record

__all__ = ["validate"]

_Check = Callable[[Any, str], None]
_INT_RANGES = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_ZERO = timedelta(0)
# Exactly the texts str(uuid.UUID(text)) gives back unchanged.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def validate(record: Record) -> None:
    """Raise :class:`InvalidEvent` naming the first field that breaks the contract."""
    _checker(type(record))(record, "")


_CHECKERS: dict[type[Record], _Check] = {}


def _checker(record_type: type[Record]) -> _Check:
    check = _CHECKERS.get(record_type)
    if check is None:
        check = _CHECKERS[record_type] = _compile_event(record_type)
    return check


def _compile_event(record_type: type[Record]) -> _Check:
    try:
        schema = current_schema(record_type).schema
    except KeyError:
        raise TypeError(f"{record_type.__name__} is not an event type") from None
    return _compile(expand(schema))


def _compile(schema: Any) -> _Check:
    k = kind(schema)
    if k == "union":
        return _union(schema)
    if k == "record":
        return _record(schema)
    if k == "enum":
        return _enum(schema)
    if k == "array":
        return _array(_compile(schema["items"]))
    if k == "map":
        return _map(_compile(schema["values"]))
    logical = schema.get("logicalType") if isinstance(schema, dict) else None
    if k == "string" and logical == "uuid":
        return _uuid_text
    if k == "long" and logical == "timestamp-micros":
        return _utc_datetime
    if k in _INT_RANGES:
        return _integer(*_INT_RANGES[k])
    if k in ("float", "double"):
        return _number
    return _instance({"string": str, "boolean": bool, "bytes": bytes, "null": type(None)}[k], k)


def _fail(path: str, problem: str) -> InvalidEvent:
    return InvalidEvent(path or "<record>", problem)


def _union(schema: list[Any]) -> _Check:
    nullable = any(kind(branch) == "null" for branch in schema)
    checks = [_compile(branch) for branch in schema if kind(branch) != "null"]
    if len(checks) == 1:
        only = checks[0]

        def check_one(value: Any, path: str) -> None:
            if value is None:
                if not nullable:
                    raise _fail(path, "must not be None")
                return
            only(value, path)

        return check_one

    def check(value: Any, path: str) -> None:
        if value is None:
            if not nullable:
                raise _fail(path, "must not be None")
            return
        problems = []
        for branch in checks:
            try:
                branch(value, path)
                return
            except InvalidEvent as exc:
                problems.append(exc)
        raise problems[0]

    return check


def _record(schema: Mapping[str, Any]) -> _Check:
    name = schema["name"]
    short = name.rpartition(".")[2]
    fields = []
    for field in schema["fields"]:
        field_check = _compile(field["type"])
        rule = FIELD_RULES.get(f"{short}.{field['name']}") or FIELD_RULES.get(field["name"])
        fields.append((field["name"], field_check, rule))
    record_rules = RECORD_RULES.get(short, ())

    def check(value: Any, path: str) -> None:
        if not isinstance(value, Record) or value.schema_name != name:
            raise _fail(path, f"must be a {short}, got {type(value).__name__}")
        prefix = f"{path}." if path else ""
        for field_name, field_check, rule in fields:
            field_value = getattr(value, field_name)
            # Most records are top-level: their field paths are the names.
            field_path = prefix + field_name if prefix else field_name
            field_check(field_value, field_path)
            if rule is not None and field_value is not None:
                problem = rule(field_value)
                if problem is not None:
                    raise _fail(field_path, problem)
        for record_rule in record_rules:
            found = record_rule(value)
            if found is not None:
                raise _fail(prefix + found[0], found[1])

    return check


def _enum(schema: Mapping[str, Any]) -> _Check:
    symbols = frozenset(schema["symbols"])
    name = schema["name"].rpartition(".")[2]

    def check(value: Any, path: str) -> None:
        if not isinstance(value, str) or value not in symbols:
            raise _fail(path, f"must be a {name} symbol, got {value!r}")

    return check


def _array(item: _Check) -> _Check:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, tuple | list):
            raise _fail(path, f"must be a tuple, got {type(value).__name__}")
        for index, element in enumerate(value):
            item(element, f"{path}[{index}]")

    return check


def _map(values: _Check) -> _Check:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, Mapping):
            raise _fail(path, f"must be a mapping, got {type(value).__name__}")
        for key, element in value.items():
            if not isinstance(key, str):
                raise _fail(path, f"keys must be str, got {key!r}")
            values(element, f"{path}.{key}")

    return check


def _instance(expected: type, name: str) -> _Check:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, expected):
            raise _fail(path, f"must be {name}, got {type(value).__name__}")

    return check


def _integer(low: int, high: int) -> _Check:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _fail(path, f"must be an int, got {type(value).__name__}")
        if not low <= value <= high:
            raise _fail(path, f"{value} does not fit in {low}..{high}")

    return check


def _number(value: Any, path: str) -> None:
    # A tuple: isinstance with an X | Y union is markedly slower.
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise _fail(path, f"must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise _fail(path, f"must be finite, got {value}")


def _uuid_text(value: Any, path: str) -> None:
    if not isinstance(value, str):
        raise _fail(path, f"must be a UUID string, got {type(value).__name__}")
    if _CANONICAL_UUID.fullmatch(value):
        return
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise _fail(path, f"must be a UUID, got {value!r}") from None
    if str(parsed) != value:
        raise _fail(path, f"must be a UUID in canonical lower-case form, got {value!r}")


def _utc_datetime(value: Any, path: str) -> None:
    if not isinstance(value, datetime):
        raise _fail(path, f"must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None:
        raise _fail(path, "is a naive datetime; must be timezone-aware UTC")
    if value.utcoffset() != _ZERO:
        raise _fail(path, f"must be in UTC, has offset {value.utcoffset()}")
