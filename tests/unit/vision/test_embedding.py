"""The embedding in the record: int8 with one scale, small, and still a good similarity."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from processors.vision import (
    ImageLabels,
    VisionScorer,
    VisionSettings,
    cosine_similarity,
    dequantize_embedding,
    quantize_embedding,
)
from schemas import Codec, LocalSchemaRegistry, VisionScored, topic_of

from .conftest import Jpeg, Photo, Request

_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "coins")
_RECORD_LIMIT = 3 * 1024


def test_quantisation_keeps_every_component_within_half_a_step():
    rng = np.random.default_rng(7)
    values = rng.normal(size=1280)
    values /= np.linalg.norm(values)

    embedding = quantize_embedding(values.tolist(), model="m", version="1")

    assert len(embedding.vector) == 1280
    assert embedding.scale == pytest.approx(np.abs(values).max() / 127)
    error = np.abs(dequantize_embedding(embedding) - values)
    assert error.max() <= embedding.scale / 2 + 1e-7
    # the largest component lands on the end of the range, with either sign
    assert max(abs(v) for v in np.frombuffer(embedding.vector, np.int8)) == 127
    assert embedding.components() == pytest.approx(dequantize_embedding(embedding), abs=1e-6)


def test_a_zero_vector_stays_valid_and_non_finite_values_are_refused():
    zero = quantize_embedding([0.0] * 8, model="m", version="1")
    assert zero.vector == bytes(8) and zero.scale > 0

    with pytest.raises(ValueError, match="non-finite"):
        quantize_embedding([0.1, float("nan")], model="m", version="1")
    with pytest.raises(ValueError, match="non-empty"):
        quantize_embedding([], model="m", version="1")


def test_embeddings_of_different_models_are_not_compared():
    a = quantize_embedding([1.0, 0.0], model="labels", version="1")
    b = quantize_embedding([1.0, 0.0], model="labels", version="2")

    with pytest.raises(ValueError, match="not comparable"):
        cosine_similarity(a, b)


@pytest.fixture(scope="module")
def scored(
    scorer: VisionScorer, photo: Photo, jpeg: Jpeg, request_for: Request
) -> dict[str, tuple[np.ndarray, VisionScored]]:
    """Per photo: the float embedding and the record with its compact one."""
    out = {}
    for name in _PHOTOS:
        analysis = scorer.analyse(jpeg(photo(name)))
        labels = analysis.outputs["labels"]
        assert isinstance(labels, ImageLabels)
        record = scorer.to_record(analysis, request=request_for(name))
        out[name] = (np.asarray(labels.embedding), record)
    return out


def test_the_record_carries_the_labels_embedding(scorer, scored):
    _, record = scored["chelsea"]

    assert record.embedding is not None
    assert record.embedding.model == "labels"
    assert record.embedding.version == scorer.model_versions["labels"]
    assert len(record.embedding.vector) == 1280
    labels = next(s for s in record.scores if s.model == "labels")
    assert not any(key.startswith("embedding") for key in labels.values)


def test_similarities_from_the_record_match_the_float_embeddings(scored):
    for (_, (a, ra)), (_, (b, rb)) in itertools.combinations(scored.items(), 2):
        assert ra.embedding is not None and rb.embedding is not None
        assert cosine_similarity(ra.embedding, rb.embedding) == pytest.approx(
            float(a @ b), abs=0.003
        )


def test_a_scored_record_with_its_embedding_stays_under_3_kb(scored):
    codec = Codec(LocalSchemaRegistry())
    sizes = {
        name: len(codec.encode(topic_of(VisionScored), record))
        for name, (_, record) in scored.items()
    }

    assert scored["astronaut"][1].face_count == 1
    assert max(sizes.values()) <= _RECORD_LIMIT, sizes
    # the embedding is most of it, at one byte per dimension
    assert min(sizes.values()) > 1280


def test_the_embedding_can_be_left_out(photo, jpeg, request_for):
    scorer = VisionScorer.from_settings(
        VisionSettings(models=("labels", "hashes"), embedding_in_record=False)
    )

    analysis = scorer.analyse(jpeg(photo("coffee")))

    assert "labels" in analysis.outputs
    assert scorer.to_record(analysis, request=request_for("p")).embedding is None
