"""The replay checkpoint file: atomic, tied to its replay, resumable."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.ops.checkpoint import Checkpoint, CheckpointMismatch

PLAN = {"mode": "republish", "selection": {"topic": "photos.uploaded"}}


def test_a_saved_checkpoint_resumes_where_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "replay.ckpt"
    checkpoint = Checkpoint(path, PLAN, {0: (0, 100), 1: (5, 10)})
    checkpoint.positions = {0: 40}
    checkpoint.published = 30
    checkpoint.save()

    loaded = Checkpoint.load(path, PLAN)
    assert loaded is not None
    assert loaded.remaining() == {0: (40, 100), 1: (5, 10)}
    assert loaded.published == 30
    assert not loaded.complete
    assert [p.name for p in tmp_path.iterdir()] == ["replay.ckpt"]


def test_no_file_means_a_fresh_start(tmp_path: Path) -> None:
    assert Checkpoint.load(tmp_path / "none", PLAN) is None


def test_a_checkpoint_of_another_replay_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "replay.ckpt"
    Checkpoint(path, PLAN, {0: (0, 1)}).save()
    other = {"mode": "republish", "selection": {"topic": "photos.deadletter"}}
    with pytest.raises(CheckpointMismatch, match="another replay"):
        Checkpoint.load(path, other)


def test_without_a_path_nothing_is_written(tmp_path: Path) -> None:
    Checkpoint(None, PLAN, {0: (0, 1)}).save()
    assert list(tmp_path.iterdir()) == []
