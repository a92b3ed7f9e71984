"""Faces: MediaPipe BlazeFace (full-range), on the whole photo and on tiles.

The full-range detector sees a 192 x 192 letterboxed copy, which is enough
for faces larger than ~8 % of the photo's long side. With ``tiles`` = N the
photo is also cut into N x N overlapping tiles, each searched at the same
input size, so faces down to ~5 % are found too; detections from all views
are merged by MediaPipe's weighted non-maximum suppression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from ._assets import BLAZEFACE_FULL_RANGE, read_verified
from ._runtime import new_interpreter
from ._types import WorkingImage

__all__ = ["Face", "FaceDetections", "FaceDetector"]

_INPUT = 192
_MIN_SCORE = 0.5
# A tile shows less context than the whole photo, and textures (star fields,
# foam) then pass for faces at 0.5-0.65; real faces in tiles score >= 0.8.
_MIN_TILE_SCORE = 0.75
_NMS_IOU = 0.3
_NMS_CONTAINED = 0.6
# MediaPipe caps raw scores at +-100; sigmoid of that overflows float32.
_RAW_SCORE_LIMIT = 80.0
_TILE_OVERLAP = 0.25
# Revision of the pre/post-processing below; part of the model version.
_PIPELINE = "1"

_View = tuple[NDArray[np.float32], tuple[float, float, float, float]]


@dataclass(frozen=True, slots=True)
class Face:
    """A face box in [0, 1] coordinates of the upright photo, with its confidence."""

    x: float
    y: float
    width: float
    height: float
    confidence: float


@dataclass(frozen=True, slots=True)
class FaceDetections:
    """All faces found, most confident first (at most ``max_faces``)."""

    faces: tuple[Face, ...]

    def to_values(self) -> dict[str, float]:
        values = {
            "count": float(len(self.faces)),
            "max_confidence": max((f.confidence for f in self.faces), default=0.0),
            "largest_area": max((f.width * f.height for f in self.faces), default=0.0),
        }
        for i, face in enumerate(self.faces):
            values[f"face.{i}.x"] = face.x
            values[f"face.{i}.y"] = face.y
            values[f"face.{i}.width"] = face.width
            values[f"face.{i}.height"] = face.height
            values[f"face.{i}.confidence"] = face.confidence
        return values

    def to_labels(self) -> tuple[str, ...]:
        return ()


class FaceDetector:
    """BlazeFace full-range behind the :class:`~processors.vision.ModelSession` Protocol."""

    name = "faces"

    def __init__(self, *, threads: int = 1, tiles: int = 2, max_faces: int = 20) -> None:
        self._threads = threads
        self._tiles = tiles
        self._max_faces = max_faces
        self._interpreter: Any = None
        self._anchors = _anchors(_INPUT, stride=4)
        self.version = (
            f"blazeface_full_range@{BLAZEFACE_FULL_RANGE.short_sha}/{_PIPELINE}/tiles{tiles}"
        )

    def load(self) -> None:
        if self._interpreter is None:
            self._interpreter = new_interpreter(
                read_verified(BLAZEFACE_FULL_RANGE), threads=self._threads
            )

    def preprocess(self, image: WorkingImage) -> list[_View]:
        """The whole photo first, then the tiles."""
        rgb = image.rgb
        height, width = rgb.shape[:2]
        if max(height, width) >= 4 * _INPUT:
            # An exact halving takes OpenCV's fast path, and every view (a
            # tile spans 4/7 of the photo) is still shrunk further from it, so
            # the detector sees the same detail as from the full copy.
            rgb = np.asarray(
                cv2.resize(rgb, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), np.uint8
            )
        views = [_letterbox(rgb, (0.0, 0.0, 1.0, 1.0))]
        if self._tiles > 1:
            views.extend(_letterbox(rgb, box) for box in _tile_boxes(self._tiles))
        return views

    def run_batch(self, inputs: Sequence[list[_View]]) -> list[FaceDetections]:
        return [self._detect(views) for views in inputs]

    def _detect(self, views: list[_View]) -> FaceDetections:
        boxes: list[NDArray[np.float32]] = []
        scores: list[NDArray[np.float32]] = []
        for index, (tensor, frame) in enumerate(views):
            minimum = _MIN_SCORE if index == 0 else _MIN_TILE_SCORE
            view_boxes, view_scores = self._invoke(tensor, minimum)
            boxes.append(_to_photo(view_boxes, frame))
            scores.append(view_scores)
        faces = _weighted_nms(np.concatenate(boxes), np.concatenate(scores))
        return FaceDetections(faces=tuple(faces[: self._max_faces]))

    def _invoke(
        self, tensor: NDArray[np.float32], minimum: float
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        interpreter = self._interpreter
        if interpreter is None:
            raise RuntimeError("FaceDetector.load() was not called")
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], tensor[np.newaxis])
        interpreter.invoke()
        raw_boxes_out, raw_scores_out = interpreter.get_output_details()[:2]
        raw_boxes = np.asarray(interpreter.get_tensor(raw_boxes_out["index"])[0], np.float32)
        raw_scores = interpreter.get_tensor(raw_scores_out["index"])[0, :, 0]
        clipped = np.clip(np.asarray(raw_scores, np.float32), -_RAW_SCORE_LIMIT, _RAW_SCORE_LIMIT)
        scores = (1.0 / (1.0 + np.exp(-clipped))).astype(np.float32)
        keep = scores > minimum
        centre = raw_boxes[keep, 0:2] / _INPUT + self._anchors[keep]
        half = raw_boxes[keep, 2:4] / _INPUT / 2.0
        # (xmin, ymin, xmax, ymax) in [0, 1] of the letterboxed input
        return np.concatenate([centre - half, centre + half], axis=1), scores[keep]


def _anchors(size: int, *, stride: int) -> NDArray[np.float32]:
    """SSD anchor centres of the full-range model: one per cell of a size/stride grid."""
    cells = size // stride
    centres = (np.arange(cells, dtype=np.float32) + 0.5) / cells
    xs, ys = np.meshgrid(centres, centres)
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def _tile_boxes(grid: int) -> list[tuple[float, float, float, float]]:
    """N x N tiles (x0, y0, x1, y1) in [0, 1], each overlapping its neighbours."""
    size = 1.0 / (grid - (grid - 1) * _TILE_OVERLAP)
    step = size * (1.0 - _TILE_OVERLAP)
    starts = [min(i * step, 1.0 - size) for i in range(grid)]
    return [(x, y, x + size, y + size) for y in starts for x in starts]


def _letterbox(rgb: NDArray[np.uint8], box: tuple[float, float, float, float]) -> _View:
    """The ``box`` region of ``rgb``, scaled into a padded square in [-1, 1].

    Returns the tensor and the region of the photo it covers, *including* the
    padding, so detections map back with one affine transform.
    """
    height, width = rgb.shape[:2]
    x0, y0 = round(box[0] * width), round(box[1] * height)
    x1, y1 = max(x0 + 1, round(box[2] * width)), max(y0 + 1, round(box[3] * height))
    region = rgb[y0:y1, x0:x1]
    side = max(x1 - x0, y1 - y0)
    scale = _INPUT / side
    new_w, new_h = max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale))
    resized = cv2.resize(region, (new_w, new_h), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((_INPUT, _INPUT, 3), np.uint8)
    top, left = (_INPUT - new_h) // 2, (_INPUT - new_w) // 2
    canvas[top : top + new_h, left : left + new_w] = resized
    tensor = canvas.astype(np.float32) / 127.5 - 1.0
    # the padded square, in photo pixels: left/top edge and side length
    px0, py0 = x0 - left / scale, y0 - top / scale
    frame = (px0 / width, py0 / height, side / width, side / height)
    return tensor, frame


def _to_photo(
    boxes: NDArray[np.float32], frame: tuple[float, float, float, float]
) -> NDArray[np.float32]:
    fx, fy, fw, fh = frame
    scale = np.array([fw, fh, fw, fh], np.float32)
    offset = np.array([fx, fy, fx, fy], np.float32)
    mapped: NDArray[np.float32] = np.clip(boxes * scale + offset, 0.0, 1.0).astype(np.float32)
    return mapped


def _weighted_nms(boxes: NDArray[np.float32], scores: NDArray[np.float32]) -> list[Face]:
    """MediaPipe's weighted NMS: overlapping boxes merge into their score-weighted mean.

    Besides IoU, a box mostly inside a stronger one counts as overlapping: a
    tile that cuts a face in half must not add the half as a second face.
    """
    order = np.argsort(-scores, kind="stable")
    boxes, scores = boxes[order], scores[order]
    remaining = np.ones(len(scores), dtype=bool)
    faces: list[Face] = []
    for i in range(len(scores)):
        if not remaining[i]:
            continue
        overlap = _overlaps(boxes[i], boxes)
        cluster = overlap & remaining
        remaining &= ~overlap
        weights = scores[cluster]
        merged = (boxes[cluster] * weights[:, None]).sum(axis=0) / weights.sum()
        x0, y0, x1, y1 = (float(v) for v in merged)
        if x1 > x0 and y1 > y0:
            faces.append(Face(x0, y0, x1 - x0, y1 - y0, float(scores[i])))
    return faces


def _overlaps(box: NDArray[np.float32], boxes: NDArray[np.float32]) -> NDArray[np.bool_]:
    ix0 = np.maximum(box[0], boxes[:, 0])
    iy0 = np.maximum(box[1], boxes[:, 1])
    ix1 = np.minimum(box[2], boxes[:, 2])
    iy1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    iou = inter / np.maximum(area + areas - inter, 1e-12)
    inside = inter / np.maximum(np.minimum(area, areas), 1e-12)
    return np.asarray((iou > _NMS_IOU) | (inside > _NMS_CONTAINED), dtype=np.bool_)
