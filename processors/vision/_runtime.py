"""Inference runtimes: LiteRT interpreters and ONNX Runtime sessions.

ONNX models run on the execution providers the settings ask for, best first,
as far as the installed onnxruntime offers them (``onnxruntime-gpu`` brings
CUDA and TensorRT); the CPU is always the last resort, so a worker whose GPU
provider is missing still scores, and says so in a warning. LiteRT models are
small enough to stay on the CPU everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import onnxruntime as ort

from ._errors import ModelLoadError

__all__ = ["CPU_PROVIDER", "new_interpreter", "new_onnx_session", "onnx_providers", "provider_name"]

logger = logging.getLogger(__name__)

CPU_PROVIDER = "CPUExecutionProvider"

_SHORT_NAMES = {
    "cpu": CPU_PROVIDER,
    "cuda": "CUDAExecutionProvider",
    "tensorrt": "TensorrtExecutionProvider",
    "rocm": "ROCMExecutionProvider",
    "migraphx": "MIGraphXExecutionProvider",
    "openvino": "OpenVINOExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
    "directml": "DmlExecutionProvider",
}


def provider_name(name: str) -> str:
    """The full ONNX Runtime name of a provider given by full or short name (``cuda``)."""
    name = name.strip()
    return _SHORT_NAMES.get(name.lower(), name)


def onnx_providers(
    requested: Sequence[str], *, available: Sequence[str] | None = None
) -> list[str]:
    """The ``requested`` providers that ``available`` offers, in order, then the CPU.

    ``available`` defaults to what the installed onnxruntime offers. Each
    requested provider that is missing is dropped with a warning.
    """
    offered = list(ort.get_available_providers() if available is None else available)
    chosen: list[str] = []
    for provider in map(provider_name, requested):
        if provider in chosen:
            continue
        if provider in offered:
            chosen.append(provider)
        else:
            logger.warning(
                "ONNX Runtime provider %s is not available here (available: %s); "
                "falling back to the next one, and to %s in the end",
                provider,
                ", ".join(offered),
                CPU_PROVIDER,
            )
    if CPU_PROVIDER not in chosen:
        chosen.append(CPU_PROVIDER)
    return chosen


def new_onnx_session(
    model: bytes, *, name: str, threads: int, providers: Sequence[str]
) -> ort.InferenceSession:
    """A session for ``model`` on the first of ``providers`` that works, the CPU at worst."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Output must not depend on which process ran it (byte-identical re-runs).
    options.use_deterministic_compute = True
    chosen = onnx_providers(providers)
    try:
        session = ort.InferenceSession(model, sess_options=options, providers=chosen)
    except Exception as exc:  # onnxruntime raises its own, unexported error types
        raise ModelLoadError(f"onnxruntime cannot load the model: {exc}") from exc
    in_use = list(session.get_providers())
    # A listed provider can still fail to start (e.g. no CUDA driver); ONNX
    # Runtime then leaves it out of the session rather than failing it.
    dropped = [p for p in chosen if p not in in_use]
    if dropped:
        logger.warning(
            "%s: ONNX Runtime could not start %s; running on %s",
            name,
            ", ".join(dropped),
            ", ".join(in_use),
        )
    logger.info("%s runs on ONNX Runtime %s with %s", name, ort.__version__, ", ".join(in_use))
    return session


def new_interpreter(model: bytes, *, threads: int) -> Any:
    """An allocated LiteRT interpreter for ``model`` (a .tflite flatbuffer)."""
    from ai_edge_litert.interpreter import Interpreter

    try:
        interpreter = Interpreter(model_content=model, num_threads=threads)
        interpreter.allocate_tensors()
    except (RuntimeError, ValueError) as exc:
        raise ModelLoadError(f"LiteRT cannot load the model: {exc}") from exc
    return interpreter
