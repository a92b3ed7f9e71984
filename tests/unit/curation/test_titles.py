"""Date and place wording of album titles."""

from __future__ import annotations

from datetime import date

import pytest

from processors.curation._titles import day_range, join_places, month_range

_D = "\u2013"  # en dash


@pytest.mark.parametrize(
    ("first", "last", "title"),
    [
        (date(2024, 5, 14), date(2024, 5, 14), "14 May 2024"),
        (date(2024, 5, 14), date(2024, 5, 16), f"14{_D}16 May 2024"),
        (date(2024, 5, 30), date(2024, 6, 2), f"30 May {_D} 2 June 2024"),
        (date(2024, 12, 30), date(2025, 1, 2), f"30 December 2024 {_D} 2 January 2025"),
    ],
)
def test_day_ranges(first: date, last: date, title: str) -> None:
    assert day_range(first, last) == title


@pytest.mark.parametrize(
    ("first", "last", "title"),
    [
        (date(2024, 5, 1), date(2024, 5, 31), "May 2024"),
        (date(2024, 5, 30), date(2024, 6, 2), f"May {_D} June 2024"),
        (date(2024, 12, 30), date(2025, 1, 2), f"December 2024 {_D} January 2025"),
    ],
)
def test_month_ranges(first: date, last: date, title: str) -> None:
    assert month_range(first, last) == title


@pytest.mark.parametrize(
    ("names", "joined"),
    [
        ((), ""),
        (("Lisbon",), "Lisbon"),
        (("Lisbon", "Porto"), "Lisbon and Porto"),
        (("Lisbon", "Porto", "Faro"), "Lisbon, Porto and Faro"),
    ],
)
def test_places_are_joined_as_in_a_sentence(names: tuple[str, ...], joined: str) -> None:
    assert join_places(names) == joined
