"""Where a worker's time goes: a summary of a py-spy ``--format raw`` profile."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

__all__ = ["summarise"]

# Leaf frames where a thread waits rather than works.
_IDLE = ("select (selectors.py", "_worker (concurrent/futures/thread.py", "wait (threading.py")


def _idle(leaf: str) -> bool:
    return any(marker in leaf for marker in _IDLE)


def _frame(text: str) -> str:
    return text.strip()[:120]


def summarise(raw: Path, *, top: int = 15) -> str:
    """Markdown: samples per thread, busy vs idle, and the busiest frames (self and inclusive)."""
    threads: Counter[str] = Counter()
    busy_threads: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = busy = 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        thread = frames[0].split(":", 1)[-1].strip() if frames[0].startswith("thread") else "?"
        total += count
        threads[thread] += count
        if _idle(frames[-1]):
            continue
        busy += count
        busy_threads[thread] += count
        leaf[_frame(frames[-1])] += count
        for frame in {_frame(f) for f in frames[1:]}:
            inclusive[frame] += count
    if not total:
        return "(no samples)\n"
    lines = [
        f"{total:,} samples; busy (not waiting in select or for work) {busy / total:.1%}.",
        "",
        "| thread | share of samples | busy |",
        "|---|---:|---:|",
    ]
    for thread, count in threads.most_common(8):
        lines.append(f"| {thread} | {count / total:.1%} | {busy_threads[thread] / total:.1%} |")
    lines += ["", "| busiest frames, self | share of busy |", "|---|---:|"]
    lines += [f"| `{f}` | {c / busy:.1%} |" for f, c in leaf.most_common(top)]
    lines += ["", "| busiest frames, inclusive | share of busy |", "|---|---:|"]
    lines += [f"| `{f}` | {c / busy:.1%} |" for f, c in inclusive.most_common(top * 2)]
    return "\n".join(lines) + "\n"
