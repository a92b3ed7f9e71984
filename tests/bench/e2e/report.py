"""The end-to-end report: tables for BENCHMARKS.md and the plots, from one run's results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

__all__ = ["pure_rates", "write_report"]

_THROUGHPUT_TARGET = 0.5
_P99_TARGET_MS = 250.0
_GROWTH_TARGET = 0.10


def pure_rates(results: dict[str, Any]) -> dict[str, float]:
    """Each processor's rate: the better of the measurements before and after the pipeline ran.

    A ceiling is what the machine can do; on a shared machine the lower of
    the two measures the neighbours' load, not the code.
    """
    runs = [results[k] for k in ("processors_before", "processors_after") if k in results]
    if not runs:
        return {}
    return {name: max(r[name] for r in runs) for name in runs[0]}


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _throughput_table(results: dict[str, Any], pure: dict[str, float]) -> list[str]:
    extract = pure.get("extract_metadata", 0.0)
    # The whole pure work of one upload on one core: extraction, the metadata
    # event (geocoding, zone) and the curation step with its state write.
    work = 1 / (1 / pure["extract_and_event"] + 1 / pure["curate_apply_persist"]) if pure else 0.0
    broker = results.get("broker", {}).get("aiokafka", 0.0)
    s3 = results.get("s3_ranged_gets_per_s", 0.0)
    lines = [
        "| vision | ingest+curate workers | uploads | uploads/s | / metadata extraction, 1 core"
        " (target >= 50 %) | / all pure work, 1 core | / S3 ranged GETs | / aiokafka relay"
        " | worker CPU ms / upload | uploads per worker CPU-second / extraction |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results.get("throughput", []):
        rate = row["uploads_per_s"]
        ratio = rate / extract if extract else 0.0
        lines.append(
            f"| {'on' if row['vision'] else 'off'} | {row['workers']} | {row['uploads']:,} "
            f"| {rate:,.1f} | {ratio:.1%} ({_met(ratio >= _THROUGHPUT_TARGET)}) "
            f"| {rate / work if work else 0:.1%} | {rate / s3 if s3 else 0:.1%} "
            f"| {rate / broker if broker else 0:.2%} "
            f"| {row['worker_cpu_ms_per_upload']:.1f} "
            f"| {1000 / row['worker_cpu_ms_per_upload'] / extract if extract else 0:.1%} |"
        )
    return lines


def _latency_table(results: dict[str, Any]) -> list[str]:
    lines = [
        "| load (of the 1-worker max) | uploads/s | uploads | p50 ms | p95 ms | p99 ms | max ms"
        " | p99 of ingest / of relay + curate, ms | target |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in results.get("latency", []):
        target = (
            f"p99 <= 250 ms: {_met(row['p99'] <= _P99_TARGET_MS)}" if row["load"] == 0.5 else ""
        )
        hops = row.get("hops")
        split = f"{hops['ingest']['p99']:.0f} / {hops['relay_curate']['p99']:.0f}" if hops else "-"
        lines.append(
            f"| {row['load']:.0%} | {row['rate']:.1f} | {row['uploads']:,} | {row['p50']:.0f} "
            f"| {row['p95']:.0f} | {row['p99']:.0f} | {row['max']:.0f} | {split} | {target} |"
        )
    return lines


def _soak_lines(results: dict[str, Any]) -> list[str]:
    soak = results.get("soak")
    if not soak:
        return []
    samples = soak["samples"]
    broker = [s["broker_rss"] for s in samples]
    mib = 2**20
    return [
        "| measure | value |",
        "|---|---:|",
        f"| worker table store | `{soak.get('store', 'memory://')}` |",
        *_cache_bound_lines(soak),
        f"| uploads, users | {soak['uploads']:,}, {soak['users']:,} |",
        f"| wall time, uploads/s | {soak['seconds']:.0f} s, {soak['uploads_per_s']:.1f} |",
        f"| worker RSS after warm-up (first {soak['warm_up_share']:.0%} of uploads) "
        f"| {soak['baseline_rss'] / mib:.0f} MiB |",
        f"| worker RSS at the end | {soak['final_rss'] / mib:.0f} MiB |",
        f"| worker RSS peak after warm-up | {soak['peak_rss'] / mib:.0f} MiB |",
        f"| growth after warm-up (target <= 10 %) | {soak['growth']:+.1%} "
        f"({_met(soak['growth'] <= _GROWTH_TARGET)}) |",
        f"| broker RSS, start to end of the soak | {broker[0] / mib:.0f} -> {broker[-1] / mib:.0f}"
        " MiB |"
        if broker
        else "| broker RSS | - |",
        *_held_lines(soak),
        *_broker_cpu_lines(samples),
    ]


def _cache_bound_lines(soak: dict[str, Any]) -> list[str]:
    bounds = soak.get("curate_cache_bounds")
    if not bounds:
        return []
    return [f"| curate's cache bound | {bounds[0]:,} users, {bounds[1]:,} photos |"]


def _held_lines(soak: dict[str, Any]) -> list[str]:
    """What the worker's bounded caches held after warm-up and at the end, from its gauges."""
    after = [
        s
        for s in soak["samples"]
        if s["done"] >= soak["warm_up_share"] * soak["uploads"] and "table_memtables" in s
    ]
    if len(after) < 2:
        return []
    first, last = after[0], after[-1]
    mib = 2**20

    def tables(sample: dict[str, float]) -> float:
        return _rocksdb_bytes(sample) / mib

    rss = (last["worker_rss"] - first["worker_rss"]) / mib
    lines = [
        f"| RocksDB memory (memtables, block cache, table readers), after warm-up -> end "
        f"| {tables(first):.1f} -> {tables(last):.1f} MiB |",
    ]
    if "curate_cache_photos" in last:
        lines.append(
            f"| curate's cache, after warm-up -> end | {first['curate_cache_states']:,.0f} -> "
            f"{last['curate_cache_states']:,.0f} users, {first['curate_cache_photos']:,.0f} -> "
            f"{last['curate_cache_photos']:,.0f} photos |"
        )
    lines.append(
        f"| worker RSS, after warm-up -> end, less the RocksDB growth "
        f"| {rss:+.1f} MiB, {rss - (tables(last) - tables(first)):+.1f} MiB |"
    )
    return lines


def _rocksdb_bytes(sample: dict[str, float]) -> float:
    """RocksDB memory of every kind in one soak sample (the worker's ``table_*`` gauges)."""
    return sum(v for k, v in sample.items() if k.startswith("table_"))


def _broker_cpu_lines(samples: list[dict[str, float]]) -> list[str]:
    """The broker's CPU per upload in the first and the last tenth of the soak.

    The embedded broker keeps every record in memory; what each request
    costs it as the log grows is what limits how long a soak can run.
    """
    timed = [s for s in samples if "broker_cpu" in s]
    tenth = len(timed) // 10
    if tenth < 2:
        return []

    def ms_per_upload(part: list[dict[str, float]]) -> float:
        done = part[-1]["done"] - part[0]["done"]
        return (part[-1]["broker_cpu"] - part[0]["broker_cpu"]) * 1000 / max(done, 1)

    first, last = ms_per_upload(timed[:tenth]), ms_per_upload(timed[-tenth:])
    return [
        f"| broker CPU per upload, first -> last tenth of the soak | {first:.1f} -> {last:.1f} ms |"
    ]


def _replay_lines(results: dict[str, Any]) -> list[str]:
    replay = results.get("replay")
    if not replay:
        return []
    live = replay["live"]
    old, new = replay["versions"]
    single = [r for r in results.get("throughput", []) if r["workers"] == 1 and not r["vision"]]
    of_live = (
        f" ({replay['uploads_per_s'] / single[0]['uploads_per_s']:.0%} of the 1-worker live rate)"
        if single
        else ""
    )
    published = replay.get("published")
    quiet = [r for r in results.get("latency", []) if r["load"] == 0.5]
    without = (
        f" (latency phase, same load, no replay: {quiet[0]['p50']:,.0f} / {quiet[0]['p95']:,.0f}"
        f" / {quiet[0]['p99']:,.0f} / {quiet[0]['max']:,.0f} ms)"
        if quiet
        else ""
    )
    return [
        "| measure | value |",
        "|---|---:|",
        f"| recorded at `{old}` ({replay['record_workers']} workers, "
        f"{replay['record_seconds']:.0f} s), then 1 worker at `{new}` "
        f"({replay['restart_seconds']:.0f} s to take uploads again), `{replay['selection']}` "
        f"| {replay['uploads']:,} uploads |",
        f"| published to the backfill lane (also photos ingested at `{new}`, not yet scored: "
        f"no-ops) | {published:,} |"
        if published is not None
        else "| published to the backfill lane | - |",
        f"| replay, start to the last re-processed upload read back, 1 worker, "
        f"`{replay['store']}` | {replay['seconds']:.0f} s, "
        f"**{replay['uploads_per_s']:.1f} uploads/s**{of_live} |",
        f"| of the 32 uploads sent to the restarted worker: late (over 60 s without "
        f"progress), lost (no output 600 s later) | {replay.get('restart_batch_late', '-')}, "
        f"{replay.get('restart_batch_missing', 0)} |",
        f"| replayed uploads with no output (lost) | {replay.get('missing', 0)} |",
        f"| re-processed before the live producer started | {replay['before_live']:,} in "
        f"{replay['before_live_seconds']:.0f} s |",
        f"| re-processed while it ran ({live['seconds']:.0f} s at {live['rate']:.1f} uploads/s) "
        f"| {replay['during_live']:,} ({replay['during_live_per_s']:.1f} /s) |",
        f"| re-processed after it stopped | {replay['after_live_per_s']:.1f} /s |",
        f"| live upload -> timeline p50 / p95 / p99 / max ({live['uploads']:,} uploads) "
        f"| {live['p50']:,.0f} / {live['p95']:,.0f} / {live['p99']:,.0f} / {live['max']:,.0f} ms"
        f"{without} |",
        *_hop_lines(live, "live "),
        *_control_lines(replay.get("live_without_replay")),
        f"| live p99 during the replay (target <= 250 ms) "
        f"| {_met(live['p99'] <= _P99_TARGET_MS)} |",
    ]


def _control_lines(control: dict[str, Any] | None) -> list[str]:
    """The same live load on the replay's topics just before it started."""
    if not control:
        return []
    return [
        f"| the same live load just before the replay, p50 / p95 / p99 / max "
        f"({control['uploads']:,} uploads) | {control['p50']:,.0f} / {control['p95']:,.0f} / "
        f"{control['p99']:,.0f} / {control['max']:,.0f} ms |",
        *_hop_lines(control, "before the replay, "),
    ]


def _hop_lines(row: dict[str, Any], prefix: str) -> list[str]:
    """Rows for each hop's percentiles (``paced_latency``'s ``hops``), if measured."""
    names = {
        "ingest": "upload -> metadata event (ingest)",
        "relay_curate": "metadata event -> timeline (relay + curate)",
    }
    return [
        f"| {prefix}{names[hop]} p50 / p95 / p99 / max | {h['p50']:,.0f} / {h['p95']:,.0f} / "
        f"{h['p99']:,.0f} / {h['max']:,.0f} ms |"
        for hop, h in row.get("hops", {}).items()
    ]


def _ceiling_lines(results: dict[str, Any], pure: dict[str, float]) -> list[str]:
    lines = ["| ceiling | rate |", "|---|---:|"]
    sizes = results.get("dataset", {}).get("event_bytes", {})
    for client, rate in results.get("broker", {}).items():
        lines.append(
            f"| broker relay, {client} (consume {sizes.get('upload_event')} B, produce "
            f"{sizes.get('metadata_event')} B per record) | {rate:,.0f} records/s |"
        )
    if "s3_ranged_gets_per_s" in results:
        lines.append(
            f"| S3 ranged GET of the 64 KiB head, 16 in flight | "
            f"{results['s3_ranged_gets_per_s']:,.0f} GETs/s |"
        )
    names = {
        "extract_metadata": "metadata extraction (`extract_metadata` on the head)",
        "extract_and_event": "extraction + metadata event (geocoding, time zone)",
        "curate_apply": "curation `apply`",
        "curate_apply_persist": "curation `apply` + state write (`to_bytes`), as the agent does",
    }
    for key, label in names.items():
        if key in pure:
            before = results.get("processors_before", {}).get(key)
            after = results.get("processors_after", {}).get(key)
            spread = f" ({before:,.0f} before, {after:,.0f} after)" if before and after else ""
            lines.append(f"| {label}, 1 thread | {pure[key]:,.0f} /s{spread} |")
    return lines


def _plots(results: dict[str, Any], out: Path, pure: dict[str, float]) -> list[str]:
    written = []
    rows = results.get("throughput", [])
    if rows:
        fig, ax = plt.subplots(figsize=(6, 4))
        for vision in (False, True):
            mine = [r for r in rows if r["vision"] is vision]
            ax.plot(
                [r["workers"] for r in mine],
                [r["uploads_per_s"] for r in mine],
                marker="o",
                label=f"vision {'on' if vision else 'off'}",
            )
        if "extract_metadata" in pure:
            half = pure["extract_metadata"] * _THROUGHPUT_TARGET
            ax.axhline(half, linestyle="--", color="grey", label="target: 50 % of extraction")
        ax.set_xticks([1, 2])
        ax.set_yscale("log")
        ax.set_xlabel("ingest+curate workers")
        ax.set_ylabel("uploads/s (log)")
        ax.set_title("Throughput vs workers")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "e2e-throughput.png", dpi=100)
        plt.close(fig)
        written.append("e2e-throughput.png")
    rows = results.get("latency", [])
    if rows:
        fig, ax = plt.subplots(figsize=(6, 4))
        loads = [r["load"] * 100 for r in rows]
        for key in ("p50", "p95", "p99"):
            ax.plot(loads, [r[key] for r in rows], marker="o", label=key)
        ax.axhline(_P99_TARGET_MS, linestyle="--", color="grey", label="p99 target at 50 %")
        ax.set_xlabel("load, % of the measured 1-worker maximum")
        ax.set_yscale("log")
        ax.set_ylabel("upload -> timeline, ms (log)")
        ax.set_title("Latency percentiles vs load")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "e2e-latency.png", dpi=100)
        plt.close(fig)
        written.append("e2e-latency.png")
    soak = results.get("soak")
    if soak and soak["samples"]:
        samples = soak["samples"]
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(
            [s["t"] for s in samples], [s["worker_rss"] / 2**20 for s in samples], label="worker"
        )
        gauged = [s for s in samples if "table_memtables" in s]
        if gauged:
            # RSS less what RocksDB holds: growth left here is not the tables'.
            ax.plot(
                [s["t"] for s in gauged],
                [(s["worker_rss"] - _rocksdb_bytes(s)) / 2**20 for s in gauged],
                label="worker less RocksDB memory",
            )
        ax.set_xlabel("seconds")
        ax.set_ylabel("worker RSS, MiB")
        twin = ax.twinx()
        counts = (
            ("done", ":", "uploads done (k)"),
            ("curate_cache_photos", "--", "photos in curate's cache (k)"),
        )
        for key, linestyle, label in counts:
            counted = [s for s in samples if key in s]
            if counted:
                twin.plot(
                    [s["t"] for s in counted],
                    [s[key] / 1000 for s in counted],
                    color="grey",
                    linestyle=linestyle,
                    label=label,
                )
        twin.set_ylabel("thousands")
        ax.set_title(
            f"Worker RSS over a {soak['uploads']:,}-upload soak, "
            f"{soak.get('store', 'memory://')} tables"
        )
        fig.legend(loc="upper left", bbox_to_anchor=(0.12, 0.9), fontsize="small")
        fig.tight_layout()
        fig.savefig(out / "e2e-rss.png", dpi=100)
        plt.close(fig)
        written.append("e2e-rss.png")
    return written


def write_report(results: dict[str, Any], out: Path) -> str:
    """Write ``e2e.md`` and the plots into ``out``; returns the markdown."""
    pure = pure_rates(results)
    machine = results["machine"]
    data = results.get("dataset", {})
    lines = [
        f"Run {results['started']}, {results['minutes']:.1f} min"
        f"{' (BENCH_QUICK: reduced sizes)' if results.get('quick') else ''}: {machine['cpu']}, "
        f"{machine['cores']} cores, {machine['memory_gb']} GiB, Python {machine['python']}, "
        f"load average {machine['load_average_at_start'][0]:.2f} at start, "
        f"{machine['load_average_at_end'][0]:.2f} at end.",
        "",
    ]
    if data:
        lines += [
            f"Data set: {data['objects']} JPEGs of {data['min_mb']:.1f}-{data['max_mb']:.1f} MB "
            f"in the S3 server; upload events {data['event_bytes']['upload_event']} B, metadata "
            f"events {data['event_bytes']['metadata_event']} B (Avro, framed).",
            "",
        ]
    for title, body in (
        ("Ceilings", _ceiling_lines(results, pure)),
        ("Throughput", _throughput_table(results, pure)),
        ("Latency", _latency_table(results)),
        ("Replay", _replay_lines(results)),
        ("Memory soak", _soak_lines(results)),
    ):
        if len(body) > 2:
            lines += [f"#### {title}", "", *body, ""]
    plots = _plots(results, out, pure)
    lines += [f"![{name}](tests/bench/results/{name})" for name in plots]
    text = "\n".join(lines) + "\n"
    (out / "e2e.md").write_text(text)
    return text
