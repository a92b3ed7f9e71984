"""Runs in time order: the shape shared by events and trips.

A run is a maximal sequence of consecutive IN photos with no gap longer than
``gap`` between neighbours; an OUT photo (back home) ends it. For events every
photo is IN, so a run is simply "no gap longer than ``gap``". Trips run over
the geotagged photos only; photos without GPS join the trip whose time range
holds them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence

from ._facts import Photo

__all__ = ["IN", "OUT", "Classify", "okey", "position", "segment", "spans"]

IN, OUT = 1, 2
Classify = Callable[[Photo], int]


def okey(photo: Photo) -> tuple[int, str]:
    """Timeline order: instant, then photo id."""
    return (photo.t or 0, photo.pid)


def position(order: Sequence[Photo], t: int, pid: str = "") -> int:
    """Where ``(t, pid)`` is or would be in ``order``."""
    return bisect_left(order, (t, pid), key=okey)


def segment(photos: Sequence[Photo], classify: Classify, gap: int) -> list[list[Photo]]:
    """The runs of IN photos in ``photos`` (sorted by :func:`okey`)."""
    runs: list[list[Photo]] = []
    current: list[Photo] = []
    previous: int | None = None
    for photo in photos:
        t = photo.t or 0
        if current and ((previous is not None and t - previous > gap) or classify(photo) == OUT):
            runs.append(current)
            current = []
        previous = t
        if classify(photo) == IN:
            current.append(photo)
    if current:
        runs.append(current)
    return runs


def spans(
    order: Sequence[Photo], seeds: Iterable[tuple[int, int]], classify: Classify, gap: int
) -> list[tuple[int, int]]:
    """Merged inclusive index ranges covering ``seeds`` that no run crosses.

    A seed ``(a, b)`` says the photos ``order[a:b]`` and the boundaries on
    either side changed, so ``order[a - 1]`` and ``order[b]`` are included;
    ranges then grow while consecutive photos could belong to one run.
    """
    if not order:
        return []
    last = len(order) - 1

    def linked(a: Photo, b: Photo) -> bool:
        return (b.t or 0) - (a.t or 0) <= gap and classify(a) == IN and classify(b) == IN

    ranges = []
    for a, b in seeds:
        lo, hi = max(0, min(a - 1, last)), max(0, min(b, last))
        while lo > 0 and linked(order[lo - 1], order[lo]):
            lo -= 1
        while hi < last and linked(order[hi], order[hi + 1]):
            hi += 1
        ranges.append((lo, hi))
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged
