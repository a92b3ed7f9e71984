"""The scorer's contract: one record per photo, model failures isolated, ids deterministic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from processors.errors import Reason, UnreadablePhoto
from processors.vision import (
    MODEL_VERSION,
    HashScorer,
    TechnicalScorer,
    VisionScorer,
    VisionSettings,
    WorkingImage,
)
from schemas import Codec, LocalSchemaRegistry, VisionScored, derive_event_id, topic_of, validate


@dataclass(frozen=True)
class _Value:
    value: float

    def to_values(self) -> dict[str, float]:
        return {"value": self.value}

    def to_labels(self) -> tuple[str, ...]:
        return ()


class _Flaky:
    """A model that fails on dark photos (mean grey below 60) and works on the rest."""

    name = "flaky"
    version = "flaky/1"

    def __init__(self, *, fail_in: str = "run_batch", output: float = 1.0) -> None:
        self.fail_in = fail_in
        self.output = output
        self.batch_sizes: list[int] = []

    def load(self) -> None:
        pass

    def preprocess(self, image: WorkingImage) -> float:
        mean = float(image.gray.mean())
        if self.fail_in == "preprocess" and mean < 60:
            raise ValueError("too dark to preprocess")
        return mean

    def run_batch(self, inputs: Sequence[float]) -> list[_Value]:
        self.batch_sizes.append(len(inputs))
        if self.fail_in == "run_batch" and any(mean < 60 for mean in inputs):
            raise RuntimeError("kernel crashed")
        return [_Value(self.output) for _ in inputs]


def _scorer_with(model: object) -> VisionScorer:
    return VisionScorer([TechnicalScorer(), model, HashScorer()])


def test_record_carries_every_model_and_the_summary_fields(scorer, photo, jpeg, request_for):
    request = request_for("p-astro")
    record = scorer.score(jpeg(photo("astronaut")), request=request)

    assert [s.model for s in record.scores] == [
        "faces", "nsfw", "labels", "brisque", "technical", "hashes", "quality",
    ]  # fmt: skip
    assert all(s.error is None and s.version for s in record.scores)
    assert record.model_version == MODEL_VERSION == scorer.model_version
    assert record.source_event_id == request.event_id
    assert (record.user_id, record.photo_id) == (request.user_id, request.photo_id)
    assert record.face_count == 1
    assert record.nsfw_probability is not None and 0 <= record.nsfw_probability <= 1
    assert record.quality is not None and 0 <= record.quality <= 1
    assert record.phash is not None and len(record.phash) == 16
    assert record.dhash is not None and len(record.dhash) == 16
    validate(record)


def test_record_round_trips_through_the_avro_codec(scorer, photo, jpeg, request_for):
    record = scorer.score(jpeg(photo("coffee")), request=request_for())
    codec = Codec(LocalSchemaRegistry())

    assert codec.decode(codec.encode(topic_of(VisionScored), record)) == record


def test_scoring_again_gives_the_same_bytes(scorer, photo, jpeg, request_for):
    data, request = jpeg(photo("chelsea")), request_for("p-cat")
    codec = Codec(LocalSchemaRegistry())

    first = codec.encode(topic_of(VisionScored), scorer.score(data, request=request))
    (again,) = scorer.score_batch([(data, request)])

    assert isinstance(again, VisionScored)
    assert codec.encode(topic_of(VisionScored), again) == first
    assert again.event_id == derive_event_id("p-cat", "vision", MODEL_VERSION, request.event_id)


def test_another_model_set_gets_another_version_and_event_id(photo, jpeg, request_for):
    data, request = jpeg(photo("rocket")), request_for()
    partial = VisionScorer.from_settings(VisionSettings(models=("technical", "hashes")))

    record = partial.score(data, request=request)

    assert partial.model_version.startswith(MODEL_VERSION + "+")
    assert record.model_version == partial.model_version
    assert record.event_id == derive_event_id(
        request.photo_id, "vision", partial.model_version, request.event_id
    )
    assert [s.model for s in record.scores] == ["technical", "hashes", "quality"]
    assert record.face_count is None and record.nsfw_probability is None
    assert record.phash is not None


@pytest.mark.parametrize("fail_in", ["preprocess", "run_batch"])
def test_a_model_failing_on_one_photo_costs_only_its_own_output(photo, jpeg, request_for, fail_in):
    flaky = _Flaky(fail_in=fail_in)
    scorer = _scorer_with(flaky)
    dark = photo("coffee").point(lambda value: value // 5)
    items = [
        (jpeg(photo("astronaut")), request_for("p-1")),
        (jpeg(dark), request_for("p-2")),
        (jpeg(photo("chelsea")), request_for("p-3")),
    ]

    records = scorer.score_batch(items)

    assert all(isinstance(r, VisionScored) for r in records)
    by_model = [{s.model: s for s in r.scores} for r in records]
    assert by_model[1]["flaky"].error is not None
    assert ("too dark" if fail_in == "preprocess" else "kernel crashed") in by_model[1][
        "flaky"
    ].error
    assert by_model[1]["flaky"].values == {}
    assert by_model[1]["flaky"].version == "flaky/1"
    for good in (by_model[0], by_model[2]):
        assert good["flaky"].error is None and good["flaky"].values == {"value": 1.0}
    for scores in by_model:
        assert scores["technical"].error is None and scores["hashes"].error is None
    assert records[1].phash is not None


def test_a_whole_failed_batch_is_retried_photo_by_photo(photo, jpeg):
    flaky = _Flaky()
    scorer = _scorer_with(flaky)
    dark = photo("coffee").point(lambda value: value // 5)

    scorer.analyse_batch([jpeg(photo("astronaut")), jpeg(dark), jpeg(photo("rocket"))])

    assert flaky.batch_sizes == [3, 1, 1, 1]


def test_a_non_finite_output_is_that_models_error(photo, jpeg, request_for):
    record = _scorer_with(_Flaky(output=float("nan"))).score(
        jpeg(photo("coffee")), request=request_for()
    )

    flaky = next(s for s in record.scores if s.model == "flaky")
    assert flaky.error is not None and "non-finite" in flaky.error
    validate(record)


def test_undecodable_bytes_raise_unreadable_photo(scorer, request_for):
    with pytest.raises(UnreadablePhoto) as caught:
        scorer.score(b"this is not a photo at all", request=request_for())

    assert caught.value.reason == Reason.NOT_AN_IMAGE


def test_an_undecodable_photo_in_a_batch_takes_only_its_own_place(scorer, photo, jpeg, request_for):
    good = jpeg(photo("coffee"))
    truncated = good[: len(good) // 2]

    results = scorer.score_batch(
        [(good, request_for("a")), (truncated, request_for("b")), (good, request_for("c"))]
    )

    assert isinstance(results[0], VisionScored) and isinstance(results[2], VisionScored)
    assert isinstance(results[1], UnreadablePhoto)
    assert results[1].reason == Reason.TRUNCATED
    assert results[0].scores == results[2].scores


def test_sessions_must_have_distinct_names():
    with pytest.raises(ValueError, match="share a name"):
        VisionScorer([HashScorer(), HashScorer()])


def test_analysis_reports_the_upright_full_size(scorer, photo, jpeg):
    big = photo("coffee").resize((3000, 2000))

    analysis = scorer.analyse(jpeg(big))

    assert (analysis.width, analysis.height) == (3000, 2000)


def test_a_scorer_can_be_shared_by_threads(scorer, photo, jpeg):
    from concurrent.futures import ThreadPoolExecutor

    data = [jpeg(photo(name)) for name in ("astronaut", "coffee", "chelsea", "rocket")] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        phashes = list(pool.map(lambda d: scorer.analyse(d).outputs["hashes"].phash, data))
    faces = [scorer.analyse(d).outputs["faces"].to_values()["count"] for d in data[:4]]

    assert phashes[:4] == phashes[4:]
    assert faces == [1.0, 0.0, 0.0, 0.0]
    assert np.unique(phashes).size == 4
