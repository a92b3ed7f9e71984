"""The whole flow through the real broker: uploads and a deletion in, timeline and albums out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from processors.curation import Curated, fold, materialise
from schemas import AlbumKind, MetadataExtracted, PhotoDeleted, Record, TimelineItemRemoved
from streams.samples import generate_samples

from .conftest import Pipeline

pytestmark = pytest.mark.integration


def _decoded(
    pipeline: Pipeline, records: list[tuple[bytes | None, bytes | None, object]]
) -> list[Record]:
    return [pipeline.codec.decode(value) for _, value, _ in records if value is not None]


def test_uploads_and_a_deletion_end_in_the_reference_timeline_and_albums(
    pipeline: Pipeline,
) -> None:
    good = [s for s in generate_samples() if s.expect_ok]
    uploads = [pipeline.upload_sample(s) for s in good]
    pipeline.start_worker()
    pipeline.produce(uploads)
    metadata = [
        e
        for e in pipeline.read_events(pipeline.topics.metadata, len(good))
        if isinstance(e, MetadataExtracted)
    ]
    assert len(metadata) == len(good)

    # One frame of the Tokyo burst: the trip stays, the photo leaves it.
    gone = next(u for u in uploads if u.filename == "IMG_0984.JPG")
    deletion = PhotoDeleted(
        event_id=str(uuid.uuid4()),
        user_id=gone.user_id,
        photo_id=gone.photo_id,
        deleted_at=datetime.now(UTC),
    )
    pipeline.produce_deletions([deletion])

    expected = materialise([*metadata, deletion])
    assert gone.photo_id not in expected.timeline
    assert any(a.kind is AlbumKind.TRIP for a in expected.albums.values()), [
        (a.kind, a.title, len(a.photo_ids)) for a in expected.albums.values()
    ]
    assert any(a.kind is AlbumKind.PLACE for a in expected.albums.values())

    def view() -> Curated:
        timeline = pipeline.read_all(pipeline.topics.timeline)
        albums = pipeline.read_all(pipeline.topics.albums)
        return fold([*_decoded(pipeline, timeline), *_decoded(pipeline, albums)])

    removed = pipeline.read(
        pipeline.topics.timeline,
        until=lambda rs: any(
            isinstance(pipeline.codec.decode(v), TimelineItemRemoved) for _, v, _ in rs if v
        ),
    )
    assert removed
    pipeline.wait_for(lambda: view() == expected, what="curated view equals the reference")
    final = view()
    assert set(final.timeline) == {u.photo_id for u in uploads} - {gone.photo_id}
    assert all(gone.photo_id not in a.photo_ids for a in final.albums.values())
