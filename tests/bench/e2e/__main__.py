"""End-to-end benchmark: the whole pipeline against ceilings measured in the same run.

Run from the repository root (not collected by pytest; ``make bench`` runs it)::

    .venv/bin/python -m tests.bench.e2e [--phases ceilings,throughput,latency,replay,soak]

``BENCH_SOAK_UPLOADS`` sizes the memory soak (default 200,000 uploads),
``BENCH_SOAK_STORE`` picks its worker's table store (default ``rocksdb://``,
as in production) and ``BENCH_SOAK_CACHE_USERS`` its bound of curate's cache
in users (default: the worker's own); ``BENCH_REPLAY_UPLOADS`` sizes the
replay (default 100,000 uploads; ``BENCH_REPLAY_STORE``, default
``memory://`` like the other phases);
``BENCH_QUICK=1`` shrinks every phase for a quick check of the harness
(its results go to ``var/bench-e2e-quick/``).
Results go to ``tests/bench/results/``: ``e2e.json`` (every figure),
``e2e.md`` (the tables for BENCHMARKS.md) and the plots.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import psutil

from processors.events import metadata_event
from processors.metadata import extract_metadata
from streams.devstack import S3_ENV, DevStack, ShutdownRequested, die_with_parent, raise_on_shutdown

from . import ceilings, phases, replay_phase
from .dataset import BUCKET, make_objects, put_objects, upload_events
from .harness import new_pipeline
from .profile import summarise
from .report import write_report

_RESULTS = Path(__file__).resolve().parents[1] / "results"
_QUICK_RESULTS = Path(__file__).resolve().parents[3] / "var" / "bench-e2e-quick"
_PHASES = ("ceilings", "throughput", "latency", "replay", "soak")


def _sizes(run_dir: Path, stack: DevStack, objects: list[Any]) -> dict[str, int]:
    """Encoded sizes of the pipeline's upload and metadata events for these photos."""
    pipeline = new_pipeline(stack, run_dir, "sizes", vision=False)
    uploads = list(upload_events(objects, count=len(objects), users=50, run="sizes"))
    by_key = {o.key: o for o in objects}
    upload_bytes = [len(pipeline.codec.encode(pipeline.topics.uploaded, u)) for u in uploads]
    meta_bytes = []
    for upload in uploads:
        item = by_key[upload.key]
        meta = extract_metadata(
            item.data[:65536], object_size=len(item.data), filename=item.filename
        )
        event = metadata_event(upload, meta)
        meta_bytes.append(len(pipeline.codec.encode(pipeline.topics.metadata, event)))
    return {
        "upload_event": round(sum(upload_bytes) / len(upload_bytes)),
        "metadata_event": round(sum(meta_bytes) / len(meta_bytes)),
    }


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def _max_rate(results: dict[str, Any]) -> float:
    """The 1-worker rate (vision off) of this run's throughput phase, else ``BENCH_MAX_RATE``."""
    single = [r for r in results.get("throughput", []) if r["workers"] == 1 and not r["vision"]]
    if single:
        return float(single[0]["uploads_per_s"])
    return float(os.environ.get("BENCH_MAX_RATE", "100"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phases", default=",".join(_PHASES))
    parser.add_argument(
        "--out", type=Path, help=f"default {_RESULTS}; with BENCH_QUICK, {_QUICK_RESULTS}"
    )
    parser.add_argument(
        "--no-profile",
        action="store_true",
        help="skip py-spy on the 1-worker throughput phase (its summary goes to e2e-profile.md)",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite e2e.md and the plots from e2e.json"
    )
    parser.add_argument("--logs", type=Path, help="keep worker logs here (default: discarded)")
    args = parser.parse_args(argv)
    if args.report_only:
        args.out = args.out or _RESULTS
        print(write_report(orjson.loads((args.out / "e2e.json").read_bytes()), args.out))
        return 0
    chosen = [p for p in args.phases.split(",") if p]
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    # A quick run never overwrites the recorded results.
    args.out = args.out or (_QUICK_RESULTS if quick else _RESULTS)
    soak_uploads = int(os.environ.get("BENCH_SOAK_UPLOADS", 2000 if quick else 200_000))
    soak_store = os.environ.get("BENCH_SOAK_STORE", "rocksdb://")
    soak_cache = os.environ.get("BENCH_SOAK_CACHE_USERS")
    replay_uploads = int(os.environ.get("BENCH_REPLAY_UPLOADS", 1000 if quick else 100_000))
    replay_store = os.environ.get("BENCH_REPLAY_STORE", "memory://")
    scale = 0.1 if quick else 1.0

    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "quick": quick,
    }
    began = time.monotonic()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.update(S3_ENV)
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        run_dir = args.logs or Path(tmp)
        with DevStack(topics={}, buckets=[BUCKET], run_dir=run_dir / "stack") as stack:
            objects = make_objects(96)
            put_objects(stack.endpoints.s3_endpoint_url, objects)
            sizes = [len(o.data) for o in objects]
            results["dataset"] = {
                "objects": len(objects),
                "min_mb": min(sizes) / 1e6,
                "max_mb": max(sizes) / 1e6,
                "mean_mb": sum(sizes) / len(sizes) / 1e6,
                "event_bytes": _sizes(run_dir, stack, objects),
            }
            print(f"data set ready: {results['dataset']}", flush=True)
            settings = new_pipeline(stack, run_dir, "s3", vision=False).settings
            sample = list(upload_events(objects, count=480, users=48, run="pure"))

            def pure() -> dict[str, float]:
                return ceilings.processor_ceilings(
                    objects, sample, head_bytes=settings.head_bytes, seconds=3.0 * scale + 1
                )

            if "ceilings" in chosen:
                bytes_ = results["dataset"]["event_bytes"]
                results["broker"] = ceilings.broker_ceilings(
                    stack,
                    count=int(100_000 * scale),
                    in_size=bytes_["upload_event"],
                    out_size=bytes_["metadata_event"],
                )
                print(f"broker relay ceilings: {results['broker']}", flush=True)
                results["s3_ranged_gets_per_s"] = ceilings.s3_ceiling(
                    settings, objects, count=int(3000 * scale)
                )
                print(f"S3 ranged GETs/s: {results['s3_ranged_gets_per_s']:.0f}", flush=True)
                results["processors_before"] = pure()
                print(f"processors: {results['processors_before']}", flush=True)

            if "throughput" in chosen:
                rows = []
                for vision in (False, True):
                    for workers in (1, 2):
                        count = int((100 if vision else 1500) * scale) + 20
                        spy = workers == 1 and not vision and not args.no_profile
                        row = phases.throughput(
                            stack,
                            objects,
                            run_dir,
                            workers=workers,
                            vision=vision,
                            count=count,
                            users=max(10, count // 6),
                            profile=run_dir / "py-spy.txt" if spy else None,
                        )
                        if spy and (run_dir / "py-spy.txt").exists():
                            (args.out / "e2e-profile.md").write_text(
                                summarise(run_dir / "py-spy.txt")
                            )
                        rows.append(row)
                        print(f"throughput: {row}", flush=True)
                results["throughput"] = rows

            if "latency" in chosen:
                results["latency"] = phases.latency(
                    stack,
                    objects,
                    run_dir,
                    max_rate=_max_rate(results),
                    loads=(0.25, 0.5, 0.9),
                    seconds=60.0 * scale,
                    users=500,
                )
                for row in results["latency"]:
                    print(f"latency: {row}", flush=True)

            if "replay" in chosen:
                results["replay"] = replay_phase.replay(
                    stack,
                    objects,
                    run_dir,
                    total=replay_uploads,
                    users=max(10, replay_uploads // 10),
                    live_rate=_max_rate(results) * 0.5,
                    live_seconds=60.0 * scale,
                    store=replay_store,
                )
                print(f"replay: {results['replay']}", flush=True)

            if "soak" in chosen:
                results["soak"] = phases.soak(
                    stack,
                    objects,
                    run_dir,
                    total=soak_uploads,
                    users=max(10, soak_uploads // 10),
                    store=soak_store,
                    cache_users=int(soak_cache) if soak_cache else None,
                )
                summary = {k: v for k, v in results["soak"].items() if k != "samples"}
                print(f"soak: {summary}", flush=True)

            if "ceilings" in chosen:
                results["processors_after"] = pure()
                print(f"processors (again): {results['processors_after']}", flush=True)
    results["minutes"] = (time.monotonic() - began) / 60
    results["machine"]["load_average_at_end"] = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "e2e.json").write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    print(write_report(results, args.out))
    return 0


if __name__ == "__main__":
    # Ctrl-C or a kill unwinds through the phases, which stop their workers
    # and the stack; a killed parent (make, a shell) takes this run with it.
    die_with_parent()
    raise_on_shutdown()
    try:
        sys.exit(main())
    except ShutdownRequested as stop:
        print(f"\nstopped: {stop}", file=sys.stderr)
        sys.exit(128 + stop.signum)
