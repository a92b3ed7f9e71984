"""JSON views of records for CLI output and logs (not a wire format)."""

from __future__ import annotations

import base64

import orjson

from .records import Record

__all__ = ["to_json"]


def to_json(record: Record) -> bytes:
    """The record as compact JSON: enums as symbols, datetimes ISO-8601, tuples as arrays.

    Bytes (an embedding's vector) appear as standard base64 text.
    """
    return orjson.dumps(record, default=_bytes_as_base64)


def _bytes_as_base64(value: object) -> str:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
