"""The vision role as its own worker: scores what ingest requests; bad requests dead-lettered."""

from __future__ import annotations

import pytest
from confluent_kafka import Producer

from schemas import VisionScored
from streams.samples import generate_samples

from .conftest import Pipeline

pytestmark = pytest.mark.integration


def test_vision_workers_score_what_ingest_requests(pipeline: Pipeline) -> None:
    good = [s for s in generate_samples() if s.expect_ok][:4]
    uploads = [pipeline.upload(s.data, user_id=s.user_id, filename=s.filename) for s in good]
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
    dead = pipeline.read(pipeline.topics.deadletter, until=lambda rs: len(rs) >= 1)
    headers = dict(dead[0][2])
    assert headers["ps.stage"] == b"vision"
    assert dead[0][1] == b"\x00garbage"
