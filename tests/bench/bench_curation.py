"""Curate throughput and state size, on synthetic libraries (not a test; run by hand).

    .venv/bin/python tests/bench/bench_curation.py [--photos 20000] [--users 50]

Measures, on one core with the state in memory (no broker, no table):

* events/s folding one big user's inputs in capture order and shuffled (an
  old phone's bulk import), and many small users interleaved (a live mix);
* stored bytes per photo (``to_bytes``, and the per-photo entries), memory per
  photo once loaded, and load time;
* what persisting after every event costs: re-serialising the whole user
  versus writing only the changed entries;
* memory of small states, whose fixed costs outweigh their photos: what a
  worker's cache of many small users holds.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import importlib.util
import platform
import random
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from processors.curation import UserState, apply


def _synthetic() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "unit" / "curation" / "synthetic.py"
    spec = importlib.util.spec_from_file_location("curation_synthetic", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _fold(inputs: list[Any]) -> tuple[dict[str, UserState], float, int]:
    states: dict[str, UserState] = {}
    outputs = 0
    start = time.perf_counter()
    for event in inputs:
        state = states.get(event.user_id)
        if state is None:
            state = states[event.user_id] = UserState.new(event.user_id)
        state, out = apply(state, event)
        outputs += len(out)
    return states, time.perf_counter() - start, outputs


def _rate(label: str, inputs: list[Any], runs: int) -> dict[str, UserState]:
    rates, states, outputs = [], {}, 0
    for _ in range(runs):
        states, seconds, outputs = _fold(inputs)
        rates.append(len(inputs) / seconds)
    print(
        f"| {label} | {len(inputs):,} | {outputs:,} | {statistics.median(rates):,.0f} "
        f"| {min(rates):,.0f}-{max(rates):,.0f} |"
    )
    return states


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20_000, help="photos of the big user")
    parser.add_argument("--users", type=int, default=50, help="users in the interleaved mix")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    synthetic = _synthetic()
    print(f"python {platform.python_version()} on {platform.machine()}, one core\n")

    big = synthetic.inputs_for("big", args.photos, seed=args.seed)
    shuffled = big[:]
    random.Random(args.seed).shuffle(shuffled)
    per_user = max(1, args.photos // args.users)
    mix: list[Any] = []
    streams = [
        synthetic.inputs_for(f"u{i}", per_user, seed=args.seed + i) for i in range(args.users)
    ]
    while any(streams):
        for stream in streams:
            if stream:
                mix.append(stream.pop(0))

    print("| workload | inputs | outputs | events/s (median) | range |")
    print("|---|---:|---:|---:|---:|")
    state = _rate(f"1 user, {args.photos:,} photos, capture order", big, args.runs)["big"]
    _rate(f"1 user, {args.photos:,} photos, shuffled", shuffled, args.runs)
    _rate(f"{args.users} users x {per_user:,} photos, interleaved", mix, args.runs)

    data = state.to_bytes()
    entries = list(state.entries())
    photos = state.photo_count
    loaded, memory, load_s = _load(data)

    start = time.perf_counter()
    for _ in range(5):
        state.to_bytes()
    whole_ms = (time.perf_counter() - start) / 5 * 1000
    tail = synthetic.inputs_for("big", args.photos + 200, seed=args.seed)[-200:]
    loaded.take_changes()
    written, start = 0, time.perf_counter()
    for event in tail:
        loaded, _ = apply(loaded, event)
        written += sum(len(k) + len(v or b"") for k, v in loaded.take_changes().items())
    entry_ms = (time.perf_counter() - start) / len(tail) * 1000

    print(f"\nstate of the big user ({photos:,} photos, {len(loaded.albums):,} albums):\n")
    print("| measure | value |")
    print("|---|---:|")
    print(f"| stored, `to_bytes` (orjson + zlib) | {len(data) / photos:.0f} B/photo |")
    entry_bytes = sum(len(k) + len(v) for k, v in entries)
    print(
        f"| stored, `entries` (one per photo, uncompressed) | {entry_bytes / photos:.0f} B/photo |"
    )
    print(f"| in memory once loaded (tracemalloc) | {memory / photos:.0f} B/photo |")
    print(f"| load (`from_bytes`, rebuilds every album) | {load_s / photos * 1e6:.0f} µs/photo |")
    print(f"| persist after each event, whole state | {whole_ms:.1f} ms ({len(data):,} B) |")
    print(
        f"| persist after each event, changed entries | {entry_ms:.2f} ms incl. apply "
        f"({written / len(tail):.0f} B) |"
    )

    _small_states(synthetic, args.seed)


def _load(data: bytes) -> tuple[UserState, int, float]:
    """A state loaded from its stored bytes, the memory it holds (tracemalloc), the seconds."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    loaded = UserState.from_bytes(data)
    seconds = time.perf_counter() - start
    gc.collect()
    memory = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return loaded, memory, seconds


def _small_states(synthetic: ModuleType, seed: int) -> None:
    """Memory of small states: the same photos in one month, or spread over years."""
    rng = random.Random(seed)
    print("\nsmall states, loaded (tracemalloc):\n")
    print("| photos | months with photos | memory | per photo |")
    print("|---:|---:|---:|---:|")
    for photos, spread_days in ((10, 20), (10, 6 * 365), (100, 6 * 365), (1000, 6 * 365)):
        shots = synthetic.library("small", photos, seed)
        first = shots[0].when
        # Each photo keeps its place and time of day, on a day drawn from the spread.
        shots = [
            dataclasses.replace(
                shot,
                when=first.replace(hour=shot.when.hour, minute=shot.when.minute)
                + timedelta(days=rng.randrange(spread_days)),
            )
            for shot in shots
        ]
        state = UserState.new("small")
        for shot in shots:
            state, _ = apply(state, synthetic.metadata("small", shot))
        months = len({(shot.when.year, shot.when.month) for shot in shots})
        _, memory, _ = _load(state.to_bytes())
        print(
            f"| {state.photo_count:,} | {months} | {memory / 1024:,.0f} KiB "
            f"| {memory / state.photo_count:,.0f} B |"
        )


if __name__ == "__main__":
    main()
