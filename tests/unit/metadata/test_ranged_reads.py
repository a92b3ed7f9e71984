"""Metadata after the media data: asked for as a range of its own, not by reading the media.

A movie written without "fast start" has its ``moov`` after gigabytes of
``mdat``; PNG and WebP writers may put EXIF and XMP after the pixels. The
extractor names the range it needs (``NeedMoreBytes.start`` past the head)
and reads it from ``pieces``.
"""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, datetime

import av
import numpy as np
import pytest
from PIL import Image

from processors.errors import NeedMoreBytes
from processors.metadata import PhotoMetadata, extract_metadata
from streams.samples import generate_samples

_HEAD = 64 * 1024
_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2024-02-03T04:05:06+01:00"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def _whole(data: bytes, filename: str = "file") -> PhotoMetadata:
    return extract_metadata(data, object_size=len(data), filename=filename)


def _ranged(
    data: bytes, first: int = _HEAD, filename: str = "file", rounds: list[int] | None = None
) -> tuple[PhotoMetadata, int]:
    """Extract the way ingest does; the metadata and how many bytes were read.

    ``rounds`` gets one entry per read after the head: 1 for a range, 0 for a longer head.
    """
    head, pieces = data[:first], list[tuple[int, bytes]]()
    asked: set[tuple[int, int]] = set()
    for _ in range(12):
        try:
            meta = extract_metadata(head, object_size=len(data), filename=filename, pieces=pieces)
        except NeedMoreBytes as more:
            assert len(head) < more.needed_bytes <= len(data)
            assert (more.start, more.needed_bytes) not in asked, "asked twice for one range"
            asked.add((more.start, more.needed_bytes))
            if more.start > len(head):
                pieces.append((more.start, data[more.start : more.needed_bytes]))
            else:
                head = data[: max(more.needed_bytes, 2 * len(head))]
            if rounds is not None:
                rounds.append(int(more.start > 0))
            continue
        return meta, len(head) + sum(len(piece) for _, piece in pieces)
    raise AssertionError("never converged")


def _noise(width: int, height: int) -> Image.Image:
    pixels = np.random.default_rng(7).integers(0, 255, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


@pytest.fixture(scope="module")
def movie_with_moov_at_the_end() -> bytes:
    """A real MPEG-4 movie of 2 s over 16 MiB, muxed the default way: ``moov`` last."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        container.metadata["creation_time"] = "2024-05-01T12:00:00Z"
        stream = container.add_stream("mpeg4", rate=30)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        stream.codec_context.qscale = 1
        for n in range(60):
            frame = av.VideoFrame.from_ndarray(
                np.asarray(_noise(640, 480).rotate(n)), format="rgb24"
            )
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def test_movie_header_after_the_media_data_is_one_ranged_read(
    movie_with_moov_at_the_end: bytes,
) -> None:
    data = movie_with_moov_at_the_end
    moov = data.rindex(b"moov") - 4
    assert len(data) > 16 * 1024 * 1024 and moov > len(data) // 2
    with pytest.raises(NeedMoreBytes) as caught:
        extract_metadata(data[:_HEAD], object_size=len(data), filename="clip.mp4")
    assert (caught.value.start, caught.value.needed_bytes) == (moov, len(data))
    meta, read = _ranged(data, filename="clip.mp4")
    assert meta == _whole(data, "clip.mp4")
    assert read < _HEAD + 64 * 1024
    assert (meta.mime_type, meta.width, meta.height) == ("video/mp4", 640, 480)
    assert meta.capture_time_utc == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert meta.video_duration_s == pytest.approx(2.0)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_with_metadata_after_pixels(exif: Image.Exif | None) -> bytes:
    out = io.BytesIO()
    _noise(1200, 1000).save(out, "PNG")
    data = out.getvalue()
    trailing = _chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + _XMP)
    if exif is not None:
        trailing = _chunk(b"eXIf", exif.tobytes()) + trailing
    iend = data.rindex(b"IEND") - 4
    return data[:iend] + trailing + data[iend:]


def _camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Google", "Pixel 8", 6
    exif.get_ifd(0x8769)[0x9003] = "2024:02:03 04:05:06"
    return exif


def test_png_text_after_megabytes_of_pixels_comes_from_the_tail() -> None:
    data = _png_with_metadata_after_pixels(_camera_exif())
    assert len(data) > 3 * 1024 * 1024 and data.index(b"eXIf") > data.rindex(b"IDAT")
    with pytest.raises(NeedMoreBytes) as caught:
        extract_metadata(data[:_HEAD], object_size=len(data), filename="x.png")
    assert caught.value.start > _HEAD and caught.value.needed_bytes == len(data)
    meta, read = _ranged(data)
    assert meta.model == "Pixel 8" and meta.orientation == 6
    assert meta.capture_local == datetime(2024, 2, 3, 4, 5, 6)
    assert meta.utc_offset_minutes == 60  # the XMP date's offset for the same wall time
    assert (meta.width, meta.height) == (1200, 1000)
    assert read < _HEAD + 300 * 1024
    assert meta == _whole(data)


def test_png_without_trailing_metadata_still_reads_only_head_and_tail() -> None:
    out = io.BytesIO()
    _noise(1200, 1000).save(out, "PNG")
    data = out.getvalue()
    meta, read = _ranged(data)
    assert (meta.width, meta.height, meta.model) == (1200, 1000, None)
    assert read < _HEAD + 300 * 1024


def test_webp_exif_after_the_bitstream_is_one_ranged_read() -> None:
    out = io.BytesIO()
    _noise(1600, 1200).save(out, "WEBP", quality=95, exif=_camera_exif())
    data = out.getvalue()
    assert data.index(b"EXIF") > 4 * _HEAD
    meta, read = _ranged(data)
    assert (meta.model, meta.orientation, meta.width) == ("Pixel 8", 6, 1600)
    assert read < 3 * _HEAD
    assert meta == _whole(data)


def test_animated_webp_frames_are_walked_by_a_growing_head() -> None:
    frames = [_noise(320, 240).rotate(n) for n in range(24)]
    out = io.BytesIO()
    frames[0].save(
        out, "WEBP", save_all=True, append_images=frames[1:], quality=90, exif=_camera_exif()
    )
    data = out.getvalue()
    assert data.count(b"ANMF") == 24 and data.index(b"EXIF") > 8 * _HEAD
    rounds: list[int] = []
    meta, _ = _ranged(data, rounds=rounds)
    assert (meta.model, meta.width, meta.height) == ("Pixel 8", 320, 240)
    # One frame header after another would be a range each; a doubling head takes a few reads.
    assert len(rounds) <= 8 and sum(rounds) <= 1
    assert meta == _whole(data)


@pytest.mark.parametrize("first", [16, 1000, 4096, _HEAD])
def test_every_sample_reads_the_same_from_ranges_as_whole(first: int) -> None:
    for sample in generate_samples():
        if not sample.expect_ok:
            continue
        meta, _ = _ranged(sample.data, first, sample.filename)
        assert meta == _whole(sample.data, sample.filename), sample.filename
