"""Inline named-type references so a schema can be walked without a name table."""

from __future__ import annotations

from typing import Any

__all__ = ["PRIMITIVES", "expand", "kind"]

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_NAMED = frozenset({"record", "error", "enum", "fixed"})


def expand(schema: Any) -> Any:
    """A copy of ``schema`` with every name made full and every reference inlined.

    A recursive type refers back to the same dict, so walkers of recursive
    schemas must track the records they are inside.
    """
    return _expand(schema, None, {})


def kind(schema: Any) -> str:
    """``"union"``, a primitive name, or the complex type (record, enum, array, ...)."""
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, str):
        return schema
    kind_ = schema["type"]
    return "record" if kind_ == "error" else str(kind_)


def _fullname(name: str, namespace: str | None) -> str:
    if "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


def _expand(schema: Any, namespace: str | None, names: dict[str, Any]) -> Any:
    if isinstance(schema, list):
        return [_expand(branch, namespace, names) for branch in schema]
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema
        full = _fullname(schema, namespace)
        if full not in names:
            raise ValueError(f"unknown type name {schema!r}")
        return names[full]
    type_ = schema["type"]
    if not isinstance(type_, str):
        return _expand(type_, namespace, names)
    if type_ in _NAMED:
        full = _fullname(schema["name"], schema.get("namespace", namespace))
        inner = full.rpartition(".")[0] or None
        out = {k: v for k, v in schema.items() if k != "namespace"}
        out["name"] = full
        if "aliases" in schema:
            out["aliases"] = [_fullname(alias, inner) for alias in schema["aliases"]]
        names[full] = out
        if type_ in ("record", "error"):
            out["fields"] = [
                {**field, "type": _expand(field["type"], inner, names)}
                for field in schema["fields"]
            ]
        return out
    if type_ == "array":
        return {**schema, "items": _expand(schema["items"], namespace, names)}
    if type_ == "map":
        return {**schema, "values": _expand(schema["values"], namespace, names)}
    if type_ in PRIMITIVES:
        return dict(schema)
    return _expand(type_, namespace, names)
