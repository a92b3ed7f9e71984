"""The vision scorer: decode once, fan out to every enabled model, build the record.

A model that fails on a photo costs only that model's output for that photo:
its ``ModelScore`` carries the error and every other model's output is kept.
Only an undecodable photo is an exception
(:class:`~processors.errors.UnreadablePhoto`, for the dead-letter topic); in a
batch it is returned in that photo's place, so one bad photo never fails the
others.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from processors.errors import UnreadablePhoto
from schemas import ModelScore, VisionRequested, VisionScored, derive_event_id

from ._catalog import build_sessions
from ._decode import decode_image
from ._embedding import quantize_embedding
from ._faces import FaceDetections
from ._hashes import ImageHashes
from ._labels import ImageLabels
from ._nsfw import NsfwScore
from ._quality import QUALITY_VERSION, QualityScore, combine_quality
from ._settings import VisionSettings
from ._types import ModelOutput, ModelSession, WorkingImage

__all__ = ["MODEL_VERSION", "VisionAnalysis", "VisionScorer", "shared_scorer"]

logger = logging.getLogger(__name__)

MODEL_VERSION = "vision-2"
"""Version of the default model set; bump it when any model, pipeline or record shape changes.

A scorer whose settings differ from the defaults (models left out, another
working size, ...) reports ``vision-2+<digest>`` instead, so its records never
share an event id with the default set's. (``vision-2``: the embedding moved
from the labels' values to the record's compact ``embedding`` field.) The
execution providers are left out on purpose: a GPU worker answers the same
requests as a CPU one.
"""

_MAX_ERROR = 500


@dataclass(frozen=True, slots=True)
class VisionAnalysis:
    """Every model's typed output (or error) for one photo."""

    outputs: Mapping[str, ModelOutput]
    errors: Mapping[str, str]
    versions: Mapping[str, str]
    width: int
    height: int
    quality: QualityScore | None

    def model_scores(self) -> tuple[ModelScore, ...]:
        """One ``ModelScore`` per model, in the scorer's order, then ``quality``."""
        scores = []
        for name, version in self.versions.items():
            output = self.outputs.get(name)
            if output is None:
                error = self.errors.get(name, "no output")
                scores.append(ModelScore(model=name, version=version, error=error, values={}))
            else:
                scores.append(
                    ModelScore(
                        model=name,
                        version=version,
                        values=output.to_values(),
                        labels=output.to_labels(),
                    )
                )
        if self.quality is not None:
            values = self.quality.to_values()
            scores.append(ModelScore(model="quality", version=QUALITY_VERSION, values=values))
        return tuple(scores)


class VisionScorer:
    """Scores photos with a fixed set of loaded models; safe to share between threads."""

    def __init__(
        self, sessions: Sequence[ModelSession[Any]], *, settings: VisionSettings | None = None
    ) -> None:
        self._settings = settings or VisionSettings()
        names = [session.name for session in sessions]
        if len(set(names)) != len(names):
            raise ValueError(f"two sessions share a name: {names}")
        for session in sessions:
            session.load()
        self._sessions = tuple(sessions)
        # Sessions need not be thread-safe (LiteRT interpreters are not).
        self._locks = {session.name: threading.Lock() for session in sessions}
        self.model_versions: Mapping[str, str] = {s.name: s.version for s in sessions}
        self.model_version = _model_version(self.model_versions, self._settings)

    @classmethod
    def from_settings(cls, settings: VisionSettings | None = None) -> VisionScorer:
        """A scorer with every model in ``settings.models`` loaded (once, here)."""
        settings = settings or VisionSettings()
        return cls(build_sessions(settings), settings=settings)

    @property
    def settings(self) -> VisionSettings:
        return self._settings

    @property
    def sessions(self) -> tuple[ModelSession[Any], ...]:
        """The loaded sessions, in the order their scores appear in a record."""
        return self._sessions

    @property
    def execution_providers(self) -> dict[str, list[str]]:
        """Model name -> the ONNX Runtime providers its session uses, for ONNX models."""
        found: dict[str, list[str]] = {}
        for session in self._sessions:
            providers = getattr(session, "providers", None)
            if isinstance(providers, list):
                found[session.name] = [str(p) for p in providers]
        return found

    def decode(self, data: bytes) -> WorkingImage:
        """The working image every model starts from; raises ``UnreadablePhoto``."""
        return decode_image(
            data, working_size=self._settings.working_size, max_pixels=self._settings.max_pixels
        )

    def analyse(self, data: bytes) -> VisionAnalysis:
        """Every model's output for the photo in ``data``; raises ``UnreadablePhoto``."""
        (result,) = self.analyse_batch([data])
        if isinstance(result, UnreadablePhoto):
            raise result
        return result

    def analyse_batch(self, photos: Sequence[bytes]) -> list[VisionAnalysis | UnreadablePhoto]:
        """One analysis per photo, in order; an undecodable photo's entry is its error."""
        images: dict[int, WorkingImage] = {}
        unreadable: dict[int, UnreadablePhoto] = {}
        for index, data in enumerate(photos):
            try:
                images[index] = self.decode(data)
            except UnreadablePhoto as exc:
                unreadable[index] = exc
        outputs: dict[int, dict[str, ModelOutput]] = {index: {} for index in images}
        errors: dict[int, dict[str, str]] = {index: {} for index in images}
        for session in self._sessions:
            for index, result in self._run(session, images).items():
                if isinstance(result, str):
                    errors[index][session.name] = result
                else:
                    outputs[index][session.name] = result
        results: list[VisionAnalysis | UnreadablePhoto] = []
        for index in range(len(photos)):
            if index in unreadable:
                results.append(unreadable[index])
                continue
            image = images[index]
            results.append(
                VisionAnalysis(
                    outputs=outputs[index],
                    errors=errors[index],
                    versions=self.model_versions,
                    width=image.original_width,
                    height=image.original_height,
                    quality=combine_quality(outputs[index]),
                )
            )
        return results

    def score(self, data: bytes, *, request: VisionRequested) -> VisionScored:
        """The ``VisionScored`` record for ``request``'s photo; raises ``UnreadablePhoto``."""
        return self.to_record(self.analyse(data), request=request)

    def score_batch(
        self, items: Sequence[tuple[bytes, VisionRequested]]
    ) -> list[VisionScored | UnreadablePhoto]:
        """One record per (photo bytes, request), in order; undecodable photos as errors."""
        analyses = self.analyse_batch([data for data, _ in items])
        return [
            result if isinstance(result, UnreadablePhoto) else self.to_record(result, request=req)
            for result, (_, req) in zip(analyses, items, strict=True)
        ]

    def to_record(self, analysis: VisionAnalysis, *, request: VisionRequested) -> VisionScored:
        """``analysis`` as the event answering ``request``.

        The record names the model set that *ran* (``self.model_version``),
        which may differ from the one requested; its event id is derived from
        it, so scoring the same request with the same models again yields the
        same event.
        """
        outputs = analysis.outputs
        faces, hashes, nsfw = outputs.get("faces"), outputs.get("hashes"), outputs.get("nsfw")
        labels = outputs.get("labels")
        embedding = None
        if self._settings.embedding_in_record and isinstance(labels, ImageLabels):
            embedding = quantize_embedding(
                labels.embedding, model="labels", version=analysis.versions["labels"]
            )
        return VisionScored(
            event_id=derive_event_id(
                request.photo_id, "vision", self.model_version, request.event_id
            ),
            source_event_id=request.event_id,
            user_id=request.user_id,
            photo_id=request.photo_id,
            model_version=self.model_version,
            scores=analysis.model_scores(),
            phash=hashes.phash if isinstance(hashes, ImageHashes) else None,
            dhash=hashes.dhash if isinstance(hashes, ImageHashes) else None,
            face_count=len(faces.faces) if isinstance(faces, FaceDetections) else None,
            nsfw_probability=nsfw.nsfw if isinstance(nsfw, NsfwScore) else None,
            quality=analysis.quality.quality if analysis.quality is not None else None,
            embedding=embedding,
        )

    def _run(
        self, session: ModelSession[Any], images: Mapping[int, WorkingImage]
    ) -> dict[int, ModelOutput | str]:
        """Each image's output from ``session``, or the error it raised on that image."""
        results: dict[int, ModelOutput | str] = {}
        inputs: dict[int, Any] = {}
        for index, image in images.items():
            try:
                inputs[index] = session.preprocess(image)
            except Exception as exc:  # noqa: BLE001 - a model's failure is data
                results[index] = _describe(session.name, exc)
        batch = list(inputs.items())
        try:
            results.update(self._invoke(session, batch))
        except Exception as exc:  # noqa: BLE001 - never a failed batch
            if len(batch) == 1:
                results[batch[0][0]] = _describe(session.name, exc)
            else:
                # Run the photos one by one to find the one(s) it fails on.
                for item in batch:
                    try:
                        results.update(self._invoke(session, [item]))
                    except Exception as item_exc:  # noqa: BLE001 - as above
                        results[item[0]] = _describe(session.name, item_exc)
        return results

    def _invoke(self, session: ModelSession[Any], batch: list[tuple[int, Any]]) -> dict[int, Any]:
        if not batch:
            return {}
        with self._locks[session.name]:
            outputs = list(session.run_batch([item for _, item in batch]))
        if len(outputs) != len(batch):
            raise RuntimeError(f"{session.name} returned {len(outputs)} outputs for {len(batch)}")
        for output in outputs:
            _check_finite(output)
        return {index: output for (index, _), output in zip(batch, outputs, strict=True)}


def _check_finite(output: ModelOutput) -> None:
    # A NaN would only fail later, when the record is encoded: fail the model here.
    bad = [name for name, value in output.to_values().items() if not math.isfinite(value)]
    if bad:
        raise ValueError(f"non-finite output values: {bad[:5]}")


def _describe(model: str, exc: BaseException) -> str:
    logger.warning("vision model %s failed on a photo: %r", model, exc)
    return f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]


def _model_version(versions: Mapping[str, str], settings: VisionSettings) -> str:
    fingerprint = _fingerprint(versions, settings)
    if fingerprint == _default_fingerprint():
        return MODEL_VERSION
    return f"{MODEL_VERSION}+{fingerprint[:8]}"


def _fingerprint(versions: Mapping[str, str], settings: VisionSettings) -> str:
    parts = [f"{name}={version}" for name, version in versions.items()]
    parts += [
        f"working_size={settings.working_size}",
        f"max_faces={settings.max_faces}",
        f"top_labels={settings.top_labels}",
        f"embedding_in_record={settings.embedding_in_record}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@functools.cache
def _default_fingerprint() -> str:
    defaults = VisionSettings()
    sessions = build_sessions(defaults)
    return _fingerprint({s.name: s.version for s in sessions}, defaults)


def shared_scorer(settings: VisionSettings | None = None) -> VisionScorer:
    """This process's scorer for ``settings``: models load on the first call only.

    Meant for the worker processes of a process pool, where every task calls it.
    """
    return _shared_scorer(settings or VisionSettings())


@functools.lru_cache(maxsize=2)
def _shared_scorer(settings: VisionSettings) -> VisionScorer:
    return VisionScorer.from_settings(settings)
