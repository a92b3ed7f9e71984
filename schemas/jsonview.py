"""JSON views of records for CLI output and logs (not a wire format)."""

from __future__ import annotations

import orjson

from .records import Record

__all__ = ["to_json"]


def to_json(record: Record) -> bytes:
    """The record as compact JSON: enums as symbols, datetimes ISO-8601, tuples as arrays."""
    return orjson.dumps(record)
