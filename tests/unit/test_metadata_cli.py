"""``photostream metadata``: one JSON object per file, errors as lines, JSON lines on stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from streams import media_samples as media
from streams.cli import main
from streams.samples import generate_samples

_SAMPLES = {sample.filename: sample for sample in generate_samples()}


@pytest.fixture
def photos(tmp_path: Path) -> dict[str, Path]:
    files = {
        "tokyo.jpg": _SAMPLES["IMG_4902.JPG"].data,
        "clip.mp4": media.movie(created=datetime(2024, 5, 1, 12), duration_s=2.0),
        "notes.txt": b"not a photo at all",
        "empty.jpg": b"",
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


def _lines(out: bytes) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in out.splitlines()]


def test_files_as_arguments(
    photos: dict[str, Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    paths = [str(photos[n]) for n in ("tokyo.jpg", "notes.txt", "clip.mp4")]
    status = main(["metadata", "--no-geo", *paths])
    tokyo, notes, clip = _lines(capsysbinary.readouterr().out)
    assert status == 1  # one file could not be read
    assert tokyo["path"] == paths[0]
    assert tokyo["capture_local"] == "2024-04-03T08:12:44"
    assert tokyo["capture_time_utc"] == "2024-04-02T23:12:44Z"
    assert (tokyo["utc_offset_minutes"], tokyo["tz_source"]) == (540, "EXIF_OFFSET")
    assert (tokyo["make"], tokyo["model"], tokyo["orientation"]) == ("Apple", "iPhone 15 Pro", 5)
    assert tokyo["gps_latitude"] == pytest.approx(35.7148)
    assert notes == {"path": paths[1], "error": notes["error"], "reason": "not_an_image"}
    assert (clip["media_type"], clip["video_duration_s"]) == ("video", 2.0)


def test_places_are_named_unless_told_not_to(
    photos: dict[str, Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["metadata", str(photos["tokyo.jpg"])]) == 0
    (tokyo,) = _lines(capsysbinary.readouterr().out)
    assert (tokyo["place_country_code"], tokyo["place_region"]) == ("JP", "Tokyo")


def test_jsonl_answers_each_path_before_the_next_is_sent(photos: dict[str, Path]) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streams.cli", "metadata", "--jsonl", "--no-geo"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        for name in ("tokyo.jpg", "empty.jpg", "missing.jpg", "clip.mp4"):
            path = str(photos.get(name, photos["tokyo.jpg"].parent / name))
            process.stdin.write(path.encode() + b"\n")
            process.stdin.flush()
            answer = orjson.loads(process.stdout.readline())
            assert answer["path"] == path
            if name == "empty.jpg":
                assert answer["reason"] == "empty_file"
            elif name == "missing.jpg":
                assert answer["reason"] == "io" and answer["error"]
            else:
                assert "error" not in answer
        process.stdin.close()
        assert process.wait(timeout=30) == 1
    finally:
        process.stdout.close()
        if process.poll() is None:
            process.kill()
            process.wait()


def test_files_and_jsonl_together_are_refused(photos: dict[str, Path]) -> None:
    with pytest.raises(SystemExit):
        main(["metadata", "--jsonl", str(photos["tokyo.jpg"])])
