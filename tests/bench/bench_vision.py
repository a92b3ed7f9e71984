"""Vision scoring speed on ~2 MP JPEGs: per model, per photo, and decode's share.

Run from the repository root (not collected by pytest)::

    .venv/bin/python -m tests.bench.bench_vision [--photos 16] [--rounds 3] [--processes 1 2]
        [--format jpeg|heic]

The photos are scikit-image's sample photos scaled to ~2 MP (1732 x 1155, or
1414 x 1414 for square ones) and saved as quality-90 JPEGs (or HEICs, with
``--format heic``), so the run needs nothing from the network. Printed:

- milliseconds per photo for decode (JPEG draft + EXIF orientation + resize
  to the working size) and for each model (its preprocess + inference), best
  round of ``--rounds``;
- the scorer's photos/s through ``score_batch`` (batches of 8, one process,
  every model, records built), and with N worker processes each holding its
  own ``shared_scorer`` (how a vision worker scales on one machine);
- decode's share of the single-process scoring time (target <= 25 %),
  measured in the same rounds as the photos/s;
- CPU time per photo, which other load on the machine barely changes:
  1000 / that is what one fully used core can score per second.

``two_megapixel_jpegs`` is importable, so a streaming benchmark can score the
very same photos.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import skimage.data
from PIL import Image

from processors.vision import MODEL_VERSION, VisionScorer, VisionSettings, shared_scorer
from schemas import VisionRequested, derive_event_id
from streams.media_samples import heic

_SOURCES = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "retina",
    "immunohistochemistry",
    "camera",
)
_BATCH = 8


def two_megapixel_jpegs(count: int) -> list[bytes]:
    """``count`` distinct ~2 MP JPEGs made from the sample photos (cycled, mirrored)."""
    return two_megapixel_photos(count, "jpeg")


def two_megapixel_photos(count: int, fmt: str) -> list[bytes]:
    """``count`` distinct ~2 MP photos, quality 90, as ``fmt`` (``jpeg`` or ``heic``)."""
    photos = []
    for index in range(count):
        name = _SOURCES[index % len(_SOURCES)]
        image = Image.fromarray(getattr(skimage.data, name)()).convert("RGB")
        size = (1414, 1414) if image.width == image.height else (1732, 1155)
        image = image.resize(size, Image.Resampling.BICUBIC)
        if (index // len(_SOURCES)) % 2:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        if fmt == "heic":
            photos.append(heic(image=image, quality=90))
            continue
        with io.BytesIO() as buffer:
            image.save(buffer, format="JPEG", quality=90)
            photos.append(buffer.getvalue())
    return photos


def _request(index: int) -> VisionRequested:
    photo_id = f"bench-{index}"
    upload = derive_event_id(photo_id, "upload")
    return VisionRequested(
        event_id=derive_event_id(photo_id, "vision-request", upload),
        source_event_id=upload,
        user_id="bench",
        photo_id=photo_id,
        bucket="bench",
        key=photo_id,
        sha256="0" * 64,
        model_version=MODEL_VERSION,
    )


def _best_ms_per_photo(fn: Any, items: list[Any], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, (time.perf_counter() - start) / len(items))
    return best * 1000


def per_stage(scorer: VisionScorer, photos: list[bytes], rounds: int) -> dict[str, float]:
    """Milliseconds per photo: decode, then each model's preprocess + inference."""
    stages = {"decode": _best_ms_per_photo(scorer.decode, photos, rounds)}
    images = [scorer.decode(data) for data in photos]
    for session in scorer.sessions:

        def run(image: Any, session: Any = session) -> None:
            session.run_batch([session.preprocess(image)])

        run(images[0])  # warm-up: first inference allocates
        stages[session.name] = _best_ms_per_photo(run, images, rounds)
    return stages


def scorer_rate(
    scorer: VisionScorer, photos: list[bytes], rounds: int
) -> tuple[float, float, float]:
    """Photos per second through ``score_batch``, decode's share, CPU ms per photo.

    Decoding alone and scoring (which decodes again) alternate round by
    round and the best round of each counts, so load from other processes
    skews both alike.
    """
    items = [(data, _request(i)) for i, data in enumerate(photos)]
    scorer.score_batch(items[:1])
    best_score = best_decode = float("inf")
    cpu = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for data in photos:
            scorer.decode(data)
        best_decode = min(best_decode, time.perf_counter() - start)
        start, cpu_start = time.perf_counter(), time.process_time()
        for first in range(0, len(items), _BATCH):
            scorer.score_batch(items[first : first + _BATCH])
        best_score = min(best_score, time.perf_counter() - start)
        cpu += time.process_time() - cpu_start
    return len(items) / best_score, best_decode / best_score, cpu * 1000 / rounds / len(items)


def _score_in_worker(batch: list[tuple[bytes, VisionRequested]]) -> int:
    return len(shared_scorer().score_batch(batch))


def pool_rate(processes: int, photos: list[bytes], rounds: int) -> float:
    """Photos per second with ``processes`` workers, each loading its scorer once."""
    items = [(data, _request(i)) for i, data in enumerate(photos)]
    batches = [items[first : first + _BATCH] for first in range(0, len(items), _BATCH)]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        list(pool.map(_score_in_worker, [items[:1]] * processes))  # load the models
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            list(pool.map(_score_in_worker, batches))
            best = min(best, time.perf_counter() - start)
    return len(items) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, nargs="*", default=[2])
    parser.add_argument("--format", choices=("jpeg", "heic"), default="jpeg")
    args = parser.parse_args()

    photos = two_megapixel_photos(args.photos, args.format)
    scorer = VisionScorer.from_settings(VisionSettings())
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{args.photos} {args.format} photos of ~2 MP, model set {scorer.model_version}"
    )
    stages = per_stage(scorer, photos, args.rounds)
    summed = sum(stages.values())
    print("\n| stage | ms / photo |\n|---|---|")
    for name, ms in stages.items():
        print(f"| {name} | {ms:.1f} |")
    print(f"| sum of stages | {summed:.1f} |")

    rate, decode_share, cpu_ms = scorer_rate(scorer, photos, args.rounds)
    print(f"\nscorer, 1 process, threads=1: {rate:.1f} photos/s ({1000 / rate:.1f} ms/photo)")
    print(f"CPU time per photo (all threads): {cpu_ms:.1f} ms")
    print(f"decode share of scoring time: {decode_share:.1%}")
    for processes in args.processes:
        rate = pool_rate(processes, photos, args.rounds)
        print(f"scorer, {processes} processes: {rate:.1f} photos/s")


if __name__ == "__main__":
    main()
