"""The vision role as its own worker: scores what ingest requests; bad requests dead-lettered."""

from __future__ import annotations

import pytest
import skimage.data
from confluent_kafka import Producer
from PIL import Image

from processors.vision import MODEL_VERSION
from schemas import VisionScored
from streams.media_samples import heic
from streams.samples import generate_samples

from .conftest import Pipeline

pytestmark = pytest.mark.integration


def _iphone_style_heic() -> bytes:
    """A portrait stored on its side with an irot transform, as phones write HEIC."""
    exif = Image.Exif()
    exif[0x0112] = 6
    stored = Image.fromarray(skimage.data.astronaut()).transpose(Image.Transpose.ROTATE_90)
    return heic(image=stored, exif=exif, quality=85)


def test_vision_workers_score_what_ingest_requests(pipeline: Pipeline) -> None:
    good = [s for s in generate_samples() if s.expect_ok][:4]
    uploads = [pipeline.upload(s.data, user_id=s.user_id, filename=s.filename) for s in good]
    portrait = pipeline.upload(
        _iphone_style_heic(), user_id="bob", filename="IMG_0001.HEIC", content_type="image/heic"
    )
    uploads.append(portrait)
    pipeline.start_worker("w1", roles=("ingest", "curate"))
    pipeline.start_worker("v1", roles=("vision",))
    producer = Producer({"bootstrap.servers": pipeline.settings.bootstrap_servers})
    producer.produce(pipeline.topics.vision_requested, key=b"alice", value=b"\x00garbage")
    producer.flush()
    pipeline.produce(uploads)

    scored = [
        e
        for e in pipeline.read_events(pipeline.topics.vision_scored, len(uploads), timeout_s=90)
        if isinstance(e, VisionScored)
    ]
    assert {s.photo_id for s in scored} == {u.photo_id for u in uploads}
    for scores in scored:
        models = {m.model: m for m in scores.scores}
        assert {"faces", "nsfw", "labels", "brisque", "technical", "hashes"} <= set(models)
        assert all(m.error is None for m in models.values()), models
        assert scores.phash and scores.dhash
        assert scores.quality is not None and 0.0 <= scores.quality <= 1.0
        assert scores.nsfw_probability is not None
        assert scores.model_version == MODEL_VERSION
        assert scores.embedding is not None and len(scores.embedding.vector) == 1280
    (heic_scores,) = [s for s in scored if s.photo_id == portrait.photo_id]
    assert heic_scores.face_count == 1
    dead = pipeline.read(pipeline.topics.deadletter, until=lambda rs: len(rs) >= 1)
    headers = dict(dead[0][2])
    assert headers["ps.stage"] == b"vision"
    assert dead[0][1] == b"\x00garbage"
