"""The replay checkpoint: which replay, its offset ranges, and how far it got.

Written atomically (a temporary file renamed over the old one), and only
for records the broker has acknowledged, so a checkpoint on disk is always
consistent: rerunning the same command continues after the last record that
surely landed. Records after it may be sent again; replays are idempotent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

__all__ = ["Checkpoint", "CheckpointMismatch"]

_FORMAT = 1


class CheckpointMismatch(Exception):
    """The checkpoint file belongs to a different replay."""


@dataclass
class Checkpoint:
    #: None: progress is kept in memory only.
    path: Path | None
    #: What the replay selected and where it sends (compared on resume).
    plan: dict[str, Any]
    #: Partition -> (first offset, end offset), fixed when the replay started.
    ranges: dict[int, tuple[int, int]]
    #: Partition -> next offset to read; everything before it is done.
    positions: dict[int, int] = field(default_factory=dict)
    published: int = 0
    complete: bool = False

    @classmethod
    def load(cls, path: Path, plan: dict[str, Any]) -> Checkpoint | None:
        """The checkpoint at ``path`` (None if there is none) for ``plan``."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        body = orjson.loads(raw)
        if body.get("format") != _FORMAT or body.get("plan") != plan:
            raise CheckpointMismatch(
                f"{path} is the checkpoint of another replay ({body.get('plan')}); "
                "remove it or pass another --checkpoint"
            )
        return cls(
            path=path,
            plan=plan,
            ranges={int(p): (int(a), int(b)) for p, (a, b) in body["ranges"].items()},
            positions={int(p): int(o) for p, o in body["positions"].items()},
            published=int(body["published"]),
            complete=bool(body["complete"]),
        )

    def remaining(self) -> dict[int, tuple[int, int]]:
        """The part of each range not done yet."""
        return {
            partition: (max(start, self.positions.get(partition, start)), end)
            for partition, (start, end) in self.ranges.items()
        }

    def save(self) -> None:
        if self.path is None:
            return
        body = {
            "format": _FORMAT,
            "plan": self.plan,
            "ranges": {str(p): list(r) for p, r in sorted(self.ranges.items())},
            "positions": {str(p): o for p, o in sorted(self.positions.items())},
            "published": self.published,
            "complete": self.complete,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        with tmp.open("wb") as out:
            out.write(orjson.dumps(body, option=orjson.OPT_INDENT_2))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
