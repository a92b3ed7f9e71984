"""Hostile input never escapes extract_metadata as anything but a typed error, and never hangs.

Mutations of real-shaped files in every format (bit flips, interesting
integers, cuts, splices, repeats) plus structured random input after each
format's signature. Every case runs on the whole object and on a head of it.
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processors.errors import NeedMoreBytes, UnreadablePhoto
from processors.metadata import PhotoMetadata, extract_metadata, resolve_capture_time

#: Cases per test: a few thousand in the normal run; a long run sets more (README.md here).
CASES = int(os.environ.get("PHOTOSTREAM_FUZZ_CASES", "3000"))
# Work per file is bounded by construction; this catches a regression to a
# loop over attacker-chosen counts, with room for a slow CI machine.
MAX_SECONDS_PER_CASE = 1.0
_INTERESTING = (0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF)
_SIGNATURES = (
    b"\xff\xd8\xff\xe1",
    b"\x89PNG\r\n\x1a\n",
    b"RIFF\x00\x01\x00\x00WEBPVP8X",
    b"II*\x00",
    b"MM\x00*",
    b"GIF89a",
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41",
    b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ",
)


def _check(data: bytes, head_length: int) -> None:
    """Whole object and a head of it: a result, or the two typed errors, fast."""
    for head in (data, data[:head_length]):
        started = time.perf_counter()
        try:
            meta = extract_metadata(head, object_size=len(data), filename="IMG_20240131_235959.jpg")
        except UnreadablePhoto as exc:
            assert exc.reason and str(exc)
        except NeedMoreBytes as more:
            assert len(head) < len(data), "asked for more although it had the whole object"
            assert len(head) < more.needed_bytes <= len(data)
        else:
            assert isinstance(meta, PhotoMetadata)
            assert meta.width > 0 and meta.height > 0 and 1 <= meta.orientation <= 8
            resolve_capture_time(
                meta, uploaded_at=datetime(2025, 1, 1, tzinfo=UTC), client_timezone="Asia/Tokyo"
            )
        elapsed = time.perf_counter() - started
        assert elapsed < MAX_SECONDS_PER_CASE, f"{elapsed:.2f}s for {len(head)} bytes"


def _mutate(data: bytearray, rng: random.Random) -> bytearray:
    for _ in range(rng.randint(1, 6)):
        if not data:
            break
        where = rng.randrange(len(data))
        action = rng.randrange(7)
        if action == 0:
            data[where] ^= 1 << rng.randrange(8)
        elif action == 1:
            data[where] = rng.randrange(256)
        elif action == 2:
            size = rng.choice((2, 4))
            value = rng.choice(_INTERESTING) & ((1 << (8 * size)) - 1)
            data[where : where + size] = value.to_bytes(size, rng.choice(("big", "little")))
        elif action == 3:
            del data[rng.randrange(len(data)) :]
        elif action == 4:
            end = min(len(data), where + rng.randint(1, 256))
            del data[where:end]
        elif action == 5:
            start = rng.randrange(len(data))
            data[where:where] = data[start : start + rng.randint(1, 512)]
        else:
            data[where:where] = rng.randbytes(rng.randint(1, 64))
    return data


def test_mutated_real_files(fuzz_seeds: tuple[bytes, ...]) -> None:
    rng = random.Random(int(os.environ.get("PHOTOSTREAM_FUZZ_SEED", "20240131")))
    for _ in range(CASES):
        data = bytes(_mutate(bytearray(rng.choice(fuzz_seeds)), rng))
        _check(data, rng.randint(0, len(data)))


@settings(
    max_examples=max(100, CASES // 2),
    deadline=None,
    derandomize=CASES <= 5000,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    signature=st.sampled_from(_SIGNATURES),
    body=st.binary(max_size=2048),
    cut=st.integers(min_value=0, max_value=4096),
)
def test_random_bodies_after_every_signature(signature: bytes, body: bytes, cut: int) -> None:
    data = signature + body
    _check(data, min(cut, len(data)))


@settings(
    max_examples=max(50, CASES // 10),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(min_value=0, max_value=10_000), count=st.sampled_from(_INTERESTING))
def test_absurd_counts_and_offsets_in_ifd_entries(
    fuzz_seeds: tuple[bytes, ...], seed: int, count: int
) -> None:
    # Overwrite one 12-byte IFD entry's count or offset in the EXIF of a real-shaped JPEG.
    data = bytearray(fuzz_seeds[seed % 6])
    tiff = data.find(b"Exif\x00\x00") + 6
    assert tiff >= 6
    rng = random.Random(seed)
    where = tiff + 10 + 12 * rng.randrange(8) + rng.choice((4, 8))
    data[where : where + 4] = count.to_bytes(4, "big" if data[tiff] == ord("M") else "little")
    _check(bytes(data), rng.randint(0, len(data)))
