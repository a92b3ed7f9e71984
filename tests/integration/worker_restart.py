"""A worker that takes uploads through, stops, and starts again: the steps restart tests share.

Uploads go round ``users`` users (``user0``, ``user1``, ...), so each user's
partition holds several of them; after the restart one new upload per user
follows the repeats on that user's partition, so once every new one is out,
every repeat has been handled.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence

from schemas import PhotoUploaded

from .conftest import Pipeline

__all__ = ["Records", "process_then_stop", "repeat_after_restart", "uploads_across_users"]

Records = list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]]


def uploads_across_users(
    pipeline: Pipeline, data: bytes, *, count: int, users: int
) -> list[PhotoUploaded]:
    """``count`` uploads of ``data``, dealt round ``users`` users."""
    return [pipeline.upload(data, user_id=f"user{i % users}") for i in range(count)]


def process_then_stop(pipeline: Pipeline, uploads: Sequence[PhotoUploaded], worker: str) -> None:
    """Start ``worker``, wait until every upload is on the timeline, then stop it with SIGTERM."""
    proc = pipeline.start_worker(worker)
    pipeline.produce(uploads)
    pipeline.read(pipeline.topics.timeline, until=lambda rs: len(rs) >= len(uploads))
    pipeline.stop_worker(proc, signal.SIGTERM)


def repeat_after_restart(
    pipeline: Pipeline,
    uploads: Sequence[PhotoUploaded],
    *,
    data: bytes,
    users: int,
    worker: str,
) -> Records:
    """Start ``worker``, send ``uploads`` again and then one new upload per user.

    Returns the timeline once every new upload is on it.
    """
    sentinels = [pipeline.upload(data, user_id=f"user{i}") for i in range(users)]
    pipeline.start_worker(worker)
    pipeline.produce([*uploads, *sentinels])
    wanted = {s.photo_id.encode() for s in sentinels}

    def all_sentinels(records: Records) -> bool:
        return all(any(v is not None and w in v for _, v, _ in records) for w in wanted)

    return pipeline.read(pipeline.topics.timeline, until=all_sentinels)
