"""ONNX Runtime providers: configurable, logged, and a missing one falls back to the CPU."""

from __future__ import annotations

import logging

import onnxruntime as ort
import pytest

from processors.vision import (
    CPU_PROVIDER,
    NsfwClassifier,
    VisionScorer,
    VisionSettings,
    onnx_providers,
    provider_name,
)
from streams.settings import Settings, SettingsError

_CUDA = "CUDAExecutionProvider"


@pytest.mark.parametrize(
    ("given", "full"),
    [
        ("cuda", _CUDA),
        (" CUDA ", _CUDA),
        ("cpu", CPU_PROVIDER),
        ("tensorrt", "TensorrtExecutionProvider"),
        ("ROCMExecutionProvider", "ROCMExecutionProvider"),
    ],
)
def test_providers_are_named_in_full_or_short(given, full):
    assert provider_name(given) == full


def test_requested_providers_keep_their_order_and_end_on_the_cpu():
    offered = [_CUDA, "TensorrtExecutionProvider", CPU_PROVIDER]

    assert onnx_providers(["tensorrt", "cuda"], available=offered) == [
        "TensorrtExecutionProvider",
        _CUDA,
        CPU_PROVIDER,
    ]
    assert onnx_providers(["cuda", "cpu", "cuda"], available=offered) == [_CUDA, CPU_PROVIDER]


def test_a_missing_provider_is_dropped_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="processors.vision"):
        chosen = onnx_providers(["NoSuchExecutionProvider"], available=[CPU_PROVIDER])

    assert chosen == [CPU_PROVIDER]
    assert "NoSuchExecutionProvider is not available" in caplog.text


def test_a_model_asking_for_cuda_here_runs_on_the_cpu_and_says_so(caplog, photo, jpeg):
    if _CUDA in ort.get_available_providers():
        pytest.skip("this onnxruntime has CUDA: nothing falls back")
    settings = VisionSettings(models=("nsfw",), providers=("cuda", "cpu"))

    with caplog.at_level(logging.INFO, logger="processors.vision"):
        scorer = VisionScorer.from_settings(settings)
    analysis = scorer.analyse(jpeg(photo("coffee")))

    assert scorer.execution_providers == {"nsfw": [CPU_PROVIDER]}
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"{_CUDA} is not available" in r.getMessage() for r in warnings)
    assert any(
        f"nsfw runs on ONNX Runtime {ort.__version__} with {CPU_PROVIDER}" in r.getMessage()
        for r in caplog.records
    )
    assert analysis.errors == {} and "nsfw" in analysis.outputs


def test_the_provider_does_not_change_the_model_set_version():
    cpu = NsfwClassifier(providers=(CPU_PROVIDER,))
    gpu = NsfwClassifier(providers=("cuda",))

    assert cpu.version == gpu.version
    assert VisionSettings().providers == (CPU_PROVIDER,)


def test_settings_read_the_providers_from_the_environment():
    settings = Settings.from_env({"PHOTOSTREAM_VISION_PROVIDERS": "cuda, cpu"})

    assert settings.vision_providers == ("cuda", "cpu")
    assert Settings.from_env(settings.to_env()).vision_providers == ("cuda", "cpu")
    assert Settings.from_env({}).vision_providers == (CPU_PROVIDER,)
    assert Settings.from_env({"PHOTOSTREAM_VISION_PROVIDERS": " , "}).vision_providers == (
        CPU_PROVIDER,
    )
    with pytest.raises(SettingsError, match="vision_providers"):
        Settings().with_changes(vision_providers=())


def test_vision_settings_refuse_an_empty_provider_list():
    with pytest.raises(ValueError, match="providers"):
        VisionSettings(providers=())
