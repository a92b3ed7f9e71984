"""ImageNet labels and an image embedding: EfficientNet-Lite0 (int8 LiteRT model).

The vendored model only outputs class probabilities. At load time its
flatbuffer is rewritten in memory so the 1280-d global-average-pooled
features (the layer before the classifier) become a second output: one
inference gives both. The file on disk stays byte-identical to its source.
The embedding is L2-normalised, so a dot product of two is their cosine.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from ._assets import EFFICIENTNET_LITE0, read_verified
from ._errors import ModelLoadError
from ._runtime import new_interpreter
from ._types import WorkingImage

__all__ = ["ImageLabels", "LabelClassifier"]

_INPUT = 224
_EMBEDDING_TENSOR = "efficientnet-lite0/model/head/Squeeze1"
_LABELS_FILE = "labels_without_background.txt"
_PIPELINE = "1"


@dataclass(frozen=True, slots=True)
class ImageLabels:
    """The top ImageNet labels with their probabilities, and the image embedding."""

    labels: tuple[str, ...]
    probabilities: tuple[float, ...]
    embedding: tuple[float, ...]

    def to_values(self) -> dict[str, float]:
        # The embedding has its own, compact field in the record.
        return {f"p.{i}": p for i, p in enumerate(self.probabilities)}

    def to_labels(self) -> tuple[str, ...]:
        return self.labels


class LabelClassifier:
    """EfficientNet-Lite0 behind the :class:`~processors.vision.ModelSession` Protocol."""

    name = "labels"

    def __init__(self, *, threads: int = 1, top: int = 5) -> None:
        self._threads = threads
        self._top = top
        self._interpreter: Any = None
        self._labels: list[str] = []
        self.version = f"efficientnet_lite0_int8@{EFFICIENTNET_LITE0.short_sha}/{_PIPELINE}"

    def load(self) -> None:
        if self._interpreter is not None:
            return
        model = read_verified(EFFICIENTNET_LITE0)
        self._labels = _read_labels(model)
        self._interpreter = new_interpreter(_with_embedding_output(model), threads=self._threads)

    def preprocess(self, image: WorkingImage) -> NDArray[np.uint8]:
        # The model's own input quantisation takes raw 0..255 pixels.
        resized = cv2.resize(image.rgb, (_INPUT, _INPUT), interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(resized, dtype=np.uint8)

    def run_batch(self, inputs: Sequence[NDArray[np.uint8]]) -> list[ImageLabels]:
        return [self._classify(tensor) for tensor in inputs]

    def _classify(self, tensor: NDArray[np.uint8]) -> ImageLabels:
        interpreter = self._interpreter
        if interpreter is None:
            raise RuntimeError("LabelClassifier.load() was not called")
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], tensor[np.newaxis])
        interpreter.invoke()
        probs_out, embedding_out = interpreter.get_output_details()[:2]
        probabilities = _dequantize(interpreter.get_tensor(probs_out["index"])[0], probs_out)
        features = _dequantize(interpreter.get_tensor(embedding_out["index"])[0], embedding_out)
        if not np.all(np.isfinite(features)):
            raise ValueError("the embedding has non-finite components")
        norm = float(np.linalg.norm(features))
        embedding = features / norm if norm > 0 else features
        top = np.argsort(-probabilities, kind="stable")[: self._top]
        return ImageLabels(
            labels=tuple(self._labels[i] for i in top),
            probabilities=tuple(float(probabilities[i]) for i in top),
            embedding=tuple(float(v) for v in embedding),
        )


def _dequantize(values: NDArray[Any], details: dict[str, Any]) -> NDArray[np.float64]:
    scale, zero_point = details["quantization"]
    if scale == 0:
        return np.asarray(values, dtype=np.float64)
    return (np.asarray(values, dtype=np.float64) - float(zero_point)) * float(scale)


def _read_labels(model: bytes) -> list[str]:
    """The label list TF Hub models carry as a zip appended to the flatbuffer."""
    try:
        with zipfile.ZipFile(io.BytesIO(model)) as archive:
            text = archive.read(_LABELS_FILE).decode("utf-8")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ModelLoadError(f"the label model carries no {_LABELS_FILE}") from exc
    labels = [line.strip() for line in text.splitlines() if line.strip()]
    if len(labels) != 1000:
        raise ModelLoadError(f"expected 1000 ImageNet labels, found {len(labels)}")
    return labels


def _with_embedding_output(model: bytes) -> bytes:
    """``model`` with the pooled-feature tensor added to the graph outputs."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    graph = schema.ModelT.InitFromPackedBuf(model, 0)
    subgraph = graph.subgraphs[0]
    names = [_text(tensor.name) for tensor in subgraph.tensors]
    if _EMBEDDING_TENSOR not in names:
        raise ModelLoadError(f"tensor {_EMBEDDING_TENSOR!r} not found in the label model")
    subgraph.outputs = [*list(subgraph.outputs), names.index(_EMBEDDING_TENSOR)]
    builder = flatbuffers.Builder(len(model) + 4096)
    builder.Finish(graph.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _text(name: bytes | str | None) -> str:
    if isinstance(name, bytes):
        return name.decode("utf-8", "replace")
    return name or ""
