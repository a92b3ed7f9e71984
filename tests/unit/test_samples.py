"""The sample generator: deterministic, and covering what the demo and tests need."""

from __future__ import annotations

import io

from PIL import Image

from streams.samples import BROKEN_REASONS, Sample, generate_samples


def _exif(sample: Sample) -> Image.Exif:
    with Image.open(io.BytesIO(sample.data)) as image:
        return image.getexif()


def test_same_bytes_on_every_call() -> None:
    first, second = generate_samples(), generate_samples()
    assert [s.data for s in first] == [s.data for s in second]
    assert first is not second


def test_file_names_are_unique_per_user() -> None:
    keys = [(s.user_id, s.filename) for s in generate_samples()]
    assert len(keys) == len(set(keys))


def test_good_samples_are_real_jpegs_with_pillow_readable_exif() -> None:
    good = [s for s in generate_samples() if s.expect_ok]
    assert len(good) >= 15
    for sample in good:
        assert sample.content_type == "image/jpeg"
        with Image.open(io.BytesIO(sample.data)) as image:
            assert image.format == "JPEG"
            assert image.width != image.height
            assert 640 <= max(image.size) <= 1024


def test_story_covers_cameras_orientations_and_offsets() -> None:
    good = [s for s in generate_samples() if s.expect_ok]
    exifs = [_exif(s) for s in good]
    makes = {e.get(0x010F) for e in exifs} - {None}
    assert {"Canon", "Apple", "FUJIFILM"} <= makes
    assert any("\x00" in str(e.get(0x0110, "")) for e in exifs)
    assert {e.get(0x0112) for e in exifs} >= set(range(1, 9))
    offsets = [e.get_ifd(0x8769).get(0x9011) for e in exifs]
    assert {"+00:00", "+01:00", "+09:00"} <= set(offsets)
    assert None in offsets
    latitude_refs = {e.get_ifd(0x8825).get(1) for e in exifs}
    assert {"N", "S"} <= latitude_refs
    assert {s.user_id for s in good} >= {"alice"}
    assert "IMG_20240131_235959.jpg" in {s.filename for s in good}


def test_broken_samples() -> None:
    broken = {s.filename: s for s in generate_samples() if not s.expect_ok}
    assert set(broken) == set(BROKEN_REASONS)
    assert set(BROKEN_REASONS.values()) == {"truncated", "not_an_image", "empty_file"}
    reasons = {reason: broken[name] for name, reason in BROKEN_REASONS.items()}
    assert reasons["empty_file"].data == b""
    assert reasons["truncated"].data.startswith(b"\xff\xd8\xff")
    assert not reasons["not_an_image"].data.startswith(b"\xff\xd8")
    assert reasons["not_an_image"].filename.endswith(".jpg")
