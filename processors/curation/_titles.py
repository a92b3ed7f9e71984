"""Album titles from places and dates, in the forms photo apps use.

Dates are always in English and never depend on the process locale, so a
title is the same on every worker. Ranges use an en dash (U+2013), spaced
between dates that have spaces in them: "14\u201316 May", "30 May \u2013 2 June".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

__all__ = ["day_month", "day_range", "join_places", "month_range", "month_title"]

_DASH = "\u2013"
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day_month(day: date) -> str:
    """``14 May``."""
    return f"{day.day} {_MONTHS[day.month - 1]}"


def month_title(year: int, month: int) -> str:
    """``May 2024``."""
    return f"{_MONTHS[month - 1]} {year}"


def month_range(first: date, last: date) -> str:
    """``May 2024``, ``May - June 2024``, ``December 2024 - January 2025`` (en dashes)."""
    if (first.year, first.month) == (last.year, last.month):
        return month_title(first.year, first.month)
    if first.year == last.year:
        return f"{_MONTHS[first.month - 1]} {_DASH} {month_title(last.year, last.month)}"
    return f"{month_title(first.year, first.month)} {_DASH} {month_title(last.year, last.month)}"


def day_range(first: date, last: date) -> str:
    """``14 May 2024``, ``14-16 May 2024``, ``30 May - 2 June 2024`` (en dashes), years in full."""
    tail = f"{last.day} {month_title(last.year, last.month)}"
    if first == last:
        return tail
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{_DASH}{tail}"
    if first.year == last.year:
        return f"{first.day} {_MONTHS[first.month - 1]} {_DASH} {tail}"
    return f"{first.day} {month_title(first.year, first.month)} {_DASH} {tail}"


def join_places(names: Sequence[str]) -> str:
    """``Lisbon``, ``Lisbon and Porto``, ``Lisbon, Porto and Faro``."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
