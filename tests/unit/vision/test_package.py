"""Settings, model files and exports of processors.vision."""

from __future__ import annotations

import dataclasses

import pytest

import processors.vision as vision
from processors.vision import ModelLoadError, VisionSettings
from processors.vision._assets import BLAZEFACE_FULL_RANGE, MODELS_DIR, OPEN_NSFW, read_verified


def test_every_model_file_matches_its_pinned_sha256():
    readme = (MODELS_DIR / "README.md").read_text()
    for asset in (BLAZEFACE_FULL_RANGE, OPEN_NSFW):
        assert read_verified(asset)
    for path in MODELS_DIR.iterdir():
        if path.name != "README.md":
            assert path.name in readme


def test_a_corrupt_model_file_fails_at_load_not_at_scoring():
    forged = dataclasses.replace(BLAZEFACE_FULL_RANGE, sha256="0" * 64)

    with pytest.raises(ModelLoadError, match="sha256"):
        read_verified(forged)


def test_a_missing_package_fails_at_load():
    gone = dataclasses.replace(OPEN_NSFW, package="no_such_package_here")

    with pytest.raises(ModelLoadError, match="missing"):
        read_verified(gone)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"models": ("faces", "aesthetic")}, "unknown vision models"),
        ({"models": ("faces", "faces")}, "listed twice"),
        ({"working_size": 64}, "working_size"),
        ({"threads": 0}, "threads"),
        ({"face_tiles": 0}, "face_tiles"),
    ],
)
def test_settings_refuse_nonsense(changes, message):
    with pytest.raises(ValueError, match=message):
        VisionSettings(**changes)


def test_shared_scorer_loads_once_per_process():
    settings = VisionSettings(models=("hashes",))

    assert vision.shared_scorer(settings) is vision.shared_scorer(settings)


def test_exports_are_declared_and_public():
    assert sorted(vision.__all__) == sorted(set(vision.__all__))
    for name in vision.__all__:
        assert not name.startswith("_")
        assert hasattr(vision, name)
    assert vision.onnx_providers(["cpu"]) == [vision.CPU_PROVIDER]
