"""A movie whose header follows more media data than ingest may read: one ranged S3 read."""

from __future__ import annotations

import io
from collections.abc import Callable

import av
import numpy as np
import pytest

from schemas import MetadataExtracted

from .conftest import Pipeline

pytestmark = pytest.mark.integration


def _movie_with_moov_last(frames: int) -> bytes:
    """A real MPEG-4 movie muxed the default way, its ``moov`` after the media data."""
    rng = np.random.default_rng(3)
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        container.metadata["creation_time"] = "2023-09-10T08:07:06Z"
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.codec_context.qscale = 1
        for _ in range(frames):
            pixels = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def test_movie_header_past_the_head_limit_is_read_as_a_range(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    limit = 1024 * 1024
    pipeline = pipeline_factory(head_bytes=64 * 1024, max_head_bytes=limit)
    data = _movie_with_moov_last(frames=50)
    # Growing the head to the movie header would pass the limit and dead-letter it.
    assert data.rindex(b"moov") > 2 * limit
    upload = pipeline.upload(data, filename="clip.mp4", content_type="video/mp4")
    pipeline.start_worker()
    pipeline.produce([upload])
    (event,) = pipeline.read_events(pipeline.topics.metadata, 1)
    assert isinstance(event, MetadataExtracted)
    assert (event.mime_type, event.width, event.height) == ("video/mp4", 320, 240)
    assert event.video_duration_s == pytest.approx(2.0)
    assert event.capture_time_utc is not None
    assert event.capture_time_utc.isoformat().startswith("2023-09-10T08:07:06")
