"""Where a user lives, month by month, inferred from where they take photos.

Home for a month is the grid cell (``home_cell_degrees`` square) with the most
distinct local days of geotagged photos over the trailing
``home_window_months`` (this month included). Counting days, not photos,
keeps a two-week holiday with a thousand photos from outvoting a year of
everyday life. Ties go to the smallest cell, so home is a function of the set
of photos, never of their order.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from datetime import date

__all__ = ["Cell", "HomeIndex", "distance_km", "month_of_day"]

Cell = tuple[int, int]
_EARTH_KM = 6371.0088


@functools.lru_cache(maxsize=8192)
def month_of_day(day: int) -> int:
    """Month index (year * 12 + month - 1) of a day ordinal."""
    d = date.fromordinal(day)
    return d.year * 12 + d.month - 1


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


class HomeIndex:
    """Day counts per cell, summed over each month's trailing window, and each month's home."""

    __slots__ = ("_day_cells", "_degrees", "_homes", "_totals", "_window", "near_is_home")

    def __init__(self, degrees: float, window_months: int, trip_km: float) -> None:
        self._degrees = degrees
        self._window = window_months
        # Every point of a cell lies within half its diagonal of the centre
        # (at most, at the equator): when that is closer than a trip, a photo
        # in the home cell is home without any trigonometry.
        half_diagonal_km = math.radians(degrees) * _EARTH_KM * math.sqrt(2) / 2
        self.near_is_home = half_diagonal_km <= trip_km
        self._day_cells: Counter[tuple[int, Cell]] = Counter()
        # month -> cell -> distinct days in the window ending with that month
        self._totals: dict[int, Counter[Cell]] = {}
        self._homes: dict[int, Cell] = {}

    def cell(self, lat: float, lon: float) -> Cell:
        return (math.floor(lat / self._degrees), math.floor(lon / self._degrees))

    def centre(self, cell: Cell) -> tuple[float, float]:
        return ((cell[0] + 0.5) * self._degrees, (cell[1] + 0.5) * self._degrees)

    def add(self, day: int, lat: float, lon: float) -> set[int]:
        """Count a photo; returns the months whose home changed."""
        key = (day, self.cell(lat, lon))
        self._day_cells[key] += 1
        if self._day_cells[key] > 1:
            return set()
        return self._recount(day, key[1], +1)

    def remove(self, day: int, lat: float, lon: float) -> set[int]:
        """Forget a photo counted by :meth:`add`; returns the months whose home changed."""
        key = (day, self.cell(lat, lon))
        self._day_cells[key] -= 1
        if self._day_cells[key] > 0:
            return set()
        del self._day_cells[key]
        return self._recount(day, key[1], -1)

    def home(self, month: int) -> Cell | None:
        """The home cell of a month index, or None when no photo in the window is geotagged."""
        return self._homes.get(month)

    def _recount(self, day: int, cell: Cell, step: int) -> set[int]:
        changed = set()
        first = month_of_day(day)
        for month in range(first, first + self._window):
            totals = self._totals.setdefault(month, Counter())
            totals[cell] += step
            if totals[cell] <= 0:
                del totals[cell]
            old = self._homes.get(month)
            if step > 0 and old is not None and old != cell:
                new: Cell | None = old if _rank(totals, old) <= _rank(totals, cell) else cell
            elif step < 0 and old is not None and old != cell:
                new = old
            else:
                new = min(totals, key=lambda c: _rank(totals, c)) if totals else None
            if new is None:
                self._homes.pop(month, None)
                if not totals:
                    del self._totals[month]
            else:
                self._homes[month] = new
            if new != old:
                changed.add(month)
        return changed


def _rank(totals: Counter[Cell], cell: Cell) -> tuple[int, Cell]:
    # Most days first; ties to the smallest cell, so home never depends on order.
    return (-totals[cell], cell)
