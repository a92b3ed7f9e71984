"""Hostile files whose metadata lies past the head: the ranged-read protocol always ends.

Extraction is driven the way ingest drives it (a head, then ranges past it or
a longer head, as asked), on mutations of files whose movie header, PNG text
or WebP EXIF follow megabytes of media. Each request must be new and inside
the object, and a handful of rounds must end in a result or a typed error.
"""

from __future__ import annotations

import io
import os
import random
import time
from datetime import datetime

import numpy as np
import pytest
from PIL import Image

from processors.errors import NeedMoreBytes, UnreadablePhoto
from processors.metadata import PhotoMetadata, extract_metadata
from streams import media_samples as media

CASES = max(50, int(os.environ.get("PHOTOSTREAM_FUZZ_CASES", "3000")) // 10)
_HEAD = 64 * 1024
_ROUNDS = 8


def _noise(size: tuple[int, int]) -> Image.Image:
    pixels = np.random.default_rng(5).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Google", "Pixel 8", 6
    exif.get_ifd(0x8769)[0x9003] = "2024:02:03 04:05:06"
    return exif


@pytest.fixture(scope="module")
def tail_seeds() -> tuple[bytes, ...]:
    movie = media.movie(
        created=datetime(2024, 5, 1),
        moov_at_end=True,
        mdat_bytes=400_000,
        location="+3539.57+13942.03/",
    )
    png = io.BytesIO()
    _noise((600, 500)).save(png, "PNG")
    exif_chunk = media.png(exif=_exif(), exif_after_idat=True)
    start = exif_chunk.index(b"eXIf") - 4
    trailing = exif_chunk[start : exif_chunk.rindex(b"IEND") - 4]
    png_data = png.getvalue()
    iend = png_data.rindex(b"IEND") - 4
    webp = io.BytesIO()
    _noise((800, 600)).save(webp, "WEBP", quality=95, exif=_exif())
    return movie, png_data[:iend] + trailing + png_data[iend:], webp.getvalue()


def _drive(data: bytes, first: int) -> None:
    head, pieces = data[:first], list[tuple[int, bytes]]()
    asked: set[tuple[int, int]] = set()
    started = time.perf_counter()
    for _ in range(_ROUNDS):
        try:
            meta = extract_metadata(head, object_size=len(data), filename="x", pieces=pieces)
        except UnreadablePhoto as exc:
            assert exc.reason
            break
        except NeedMoreBytes as more:
            assert len(head) < len(data), "asked for more although it had the whole object"
            assert 0 <= more.start < more.needed_bytes <= len(data)
            assert (more.start, more.needed_bytes) not in asked, "asked twice for one range"
            asked.add((more.start, more.needed_bytes))
            if more.start > len(head):
                pieces.append((more.start, data[more.start : more.needed_bytes]))
            else:
                # Ingest grows the head at least geometrically.
                head = data[: max(more.needed_bytes, 2 * len(head))]
        else:
            assert isinstance(meta, PhotoMetadata) and meta.width > 0 and meta.height > 0
            break
    else:
        raise AssertionError(f"no end after {_ROUNDS} rounds: {sorted(asked)}")
    assert time.perf_counter() - started < 2.0


def test_mutated_files_with_metadata_past_the_head(tail_seeds: tuple[bytes, ...]) -> None:
    rng = random.Random(int(os.environ.get("PHOTOSTREAM_FUZZ_SEED", "20240131")))
    for _ in range(CASES):
        data = bytearray(rng.choice(tail_seeds))
        for _ in range(rng.randint(1, 4)):
            # Hit the structures near either end, where the headers and metadata are.
            where = rng.choice((rng.randrange(0, 256), len(data) - 1 - rng.randrange(0, 4096)))
            where = max(0, min(len(data) - 1, where))
            if rng.random() < 0.7:
                data[where] = rng.randrange(256)
            else:
                size = rng.choice((2, 4))
                value = rng.choice((0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF))
                data[where : where + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "big")
        if rng.random() < 0.2:
            del data[rng.randrange(len(data)) :]
        _drive(bytes(data), rng.choice((16, 1000, _HEAD)))
