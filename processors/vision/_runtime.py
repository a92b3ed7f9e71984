"""Inference runtimes: LiteRT interpreters and ONNX Runtime sessions.

ONNX models run on CUDA when ``onnxruntime-gpu`` is installed and the caller
allows it (the GPU nodes of a production deployment); otherwise on the CPU.
LiteRT models are small enough to stay on the CPU everywhere.
"""

from __future__ import annotations

from typing import Any

import onnxruntime as ort

from ._errors import ModelLoadError

__all__ = ["new_interpreter", "new_onnx_session", "onnx_providers"]

_CUDA = "CUDAExecutionProvider"
_CPU = "CPUExecutionProvider"


def onnx_providers(*, use_gpu: bool) -> list[str]:
    """CUDA first when the installed onnxruntime offers it and ``use_gpu``; CPU always."""
    if use_gpu and _CUDA in ort.get_available_providers():
        return [_CUDA, _CPU]
    return [_CPU]


def new_onnx_session(model: bytes, *, threads: int, use_gpu: bool) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Output must not depend on which process ran it (byte-identical re-runs).
    options.use_deterministic_compute = True
    try:
        return ort.InferenceSession(
            model, sess_options=options, providers=onnx_providers(use_gpu=use_gpu)
        )
    except Exception as exc:  # onnxruntime raises its own, unexported error types
        raise ModelLoadError(f"onnxruntime cannot load the model: {exc}") from exc


def new_interpreter(model: bytes, *, threads: int) -> Any:
    """An allocated LiteRT interpreter for ``model`` (a .tflite flatbuffer)."""
    from ai_edge_litert.interpreter import Interpreter

    try:
        interpreter = Interpreter(model_content=model, num_threads=threads)
        interpreter.allocate_tensors()
    except (RuntimeError, ValueError) as exc:
        raise ModelLoadError(f"LiteRT cannot load the model: {exc}") from exc
    return interpreter
