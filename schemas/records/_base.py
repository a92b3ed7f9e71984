"""The record base class and the dict conversion Avro needs.

How each field converts is worked out once per class from its type hints and
cached, so converting a record is a loop over precomputed steps.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import operator
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar, Self

from ..errors import InvalidEvent

__all__ = ["NAMESPACE", "EventId", "Record"]

NAMESPACE = "io.photostream.events"


class _UuidText:
    """Marks a ``str`` field whose Avro type is ``{"type": "string", "logicalType": "uuid"}``."""


EventId = Annotated[str, _UuidText]
"""A UUID in its canonical text form; Avro ``string`` with logical type ``uuid``."""

_Convert = Callable[[Any], Any]
_MISSING: Any = dataclasses.MISSING


class Record:
    """Base of every schema-backed dataclass.

    Subclasses are frozen, slotted, keyword-only dataclasses whose fields match
    their Avro schema name for name; ``schema_name`` is the Avro full name.
    """

    __slots__ = ()
    schema_name: ClassVar[str]

    def to_avro_dict(self) -> dict[str, Any]:
        """The record as the dict fastavro writes: enums as symbols, nested records as dicts."""
        plan = _plan(type(self))
        out = dict(zip(plan.names, plan.get_all(self), strict=True))
        for name, convert in plan.to_avro:
            value = out[name]
            if value is not None:
                out[name] = convert(value)
        return out

    @classmethod
    def from_avro_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build the record from a dict fastavro read.

        A symbol this build does not know maps to the enum's ``UNKNOWN``;
        a missing field takes its default, or raises :class:`InvalidEvent`;
        keys that are not fields are ignored.
        """
        plan = _plan(cls)
        try:
            # Keyed by the plan's own (interned) names: fastavro's keys are
            # equal but not identical, which makes cls(**kwargs) twice as slow.
            kwargs = dict(zip(plan.names, map(data.__getitem__, plan.names), strict=True))
        except KeyError:
            kwargs = {name: data[name] for name in plan.names if name in data}
            for name in sorted(plan.required - kwargs.keys()):
                raise InvalidEvent(name, "missing") from None
        for name, convert in plan.from_avro:
            value = kwargs.get(name)
            if value is not None:
                kwargs[name] = convert(value)
        return cls(**kwargs)


@dataclasses.dataclass(frozen=True, slots=True)
class _Plan:
    names: tuple[str, ...]
    name_set: frozenset[str]
    required: frozenset[str]
    get_all: Callable[[Any], tuple[Any, ...]]
    to_avro: tuple[tuple[str, _Convert], ...]
    from_avro: tuple[tuple[str, _Convert], ...]


_PLANS: dict[type[Record], _Plan] = {}


def _plan(cls: type[Record]) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _build_plan(cls)
    return plan


def _build_plan(cls: type[Record]) -> _Plan:
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = tuple(field.name for field in fields)
    to_avro, from_avro, required = [], [], set()
    for field in fields:
        to_convert, from_convert = _converters(_strip_optional(hints[field.name]))
        if to_convert is not None:
            to_avro.append((field.name, to_convert))
        if from_convert is not None:
            from_avro.append((field.name, from_convert))
        if field.default is _MISSING and field.default_factory is _MISSING:
            required.add(field.name)
    # attrgetter with one name returns the bare value, not a 1-tuple.
    getter = operator.attrgetter(*names) if len(names) > 1 else lambda r: (getattr(r, names[0]),)
    return _Plan(
        names, frozenset(names), frozenset(required), getter, tuple(to_avro), tuple(from_avro)
    )


def _strip_optional(hint: Any) -> Any:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        rest = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return hint


def _converters(hint: Any) -> tuple[_Convert | None, _Convert | None]:
    if typing.get_origin(hint) is Annotated and _UuidText in typing.get_args(hint):
        return None, _uuid_text
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _symbol, functools.partial(_member_or_unknown, hint)
    if isinstance(hint, type) and issubclass(hint, Record):
        return _record_to_dict, hint.from_avro_dict
    origin = typing.get_origin(hint)
    if origin is tuple:
        item_to, item_from = _converters(typing.get_args(hint)[0])
        return _each(item_to), _tuple_of(item_from)
    if origin is Mapping or origin is dict:
        return None, dict
    return None, None


def _uuid_text(value: Any) -> str:
    # fastavro reads logicalType uuid as uuid.UUID; the records carry text.
    return str(value) if isinstance(value, uuid.UUID) else typing.cast(str, value)


def _symbol(member: enum.Enum) -> Any:
    return member.value


def _member_or_unknown(enum_type: type[enum.Enum], symbol: Any) -> enum.Enum:
    member = enum_type._value2member_map_.get(symbol)
    return member if member is not None else enum_type["UNKNOWN"]


def _record_to_dict(record: Record) -> dict[str, Any]:
    return record.to_avro_dict()


def _each(convert: _Convert | None) -> _Convert | None:
    if convert is None:
        return None
    return lambda items: [convert(item) for item in items]


def _tuple_of(convert: _Convert | None) -> _Convert:
    if convert is None:
        return tuple
    return lambda items: tuple(convert(item) for item in items)
