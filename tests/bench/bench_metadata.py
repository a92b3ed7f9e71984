"""Metadata extraction: agreement with exiftool and speed against ``exiftool -stay_open``.

Builds the corpus (see ``metadata_corpus.py``), reads every file with
``exiftool -j -n -G1 -a`` as the reference, and reports per-field agreement
of photostream's extractor and the images/s of both, measured in the same run
on one core (this process and its exiftool child are pinned to one CPU).

    .venv/bin/python tests/bench/bench_metadata.py [--rebuild] [--repeat 3]

Needs ``exiftool`` on PATH (Debian: libimage-exiftool-perl) and network
access to the package index the first time (the piexif and pillow-heif
source distributions carry the real camera files).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from exiftool_reference import FIELDS, expected_fields
from exiftool_session import ExifTool
from metadata_corpus import build_corpus

from processors.errors import PhotostreamError
from processors.metadata import PhotoMetadata
from processors.provenance import TimeSource
from streams.metadata_cli import read_metadata

_ROOT = Path(__file__).resolve().parents[2]
_DEFAULT_DIR = _ROOT / "var" / "metadata-bench"
_RELATIVE = {"exposure_time_s": 2e-3, "f_number": 2e-3, "focal_length_mm": 1e-4,
             "video_duration_s": 1e-3}  # fmt: skip
_ABSOLUTE = {"gps_latitude": 1e-6, "gps_longitude": 1e-6, "gps_altitude": 0.01}


def _pin_to_one_core() -> int:
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _ours(meta: PhotoMetadata) -> dict[str, Any]:
    values = {field: getattr(meta, field) for field in FIELDS}
    if meta.capture_local is None and meta.capture_time_utc is not None:
        # A video's UTC creation time, which the reference reports as it is.
        values["capture_local"] = meta.capture_time_utc.replace(tzinfo=None)
    return values


def _agree(field: str, ours: Any, theirs: Any) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if field in _ABSOLUTE:
        return abs(float(ours) - float(theirs)) <= _ABSOLUTE[field]
    if field in _RELATIVE:
        return math.isclose(float(ours), float(theirs), rel_tol=_RELATIVE[field])
    if isinstance(ours, datetime) or isinstance(theirs, datetime):
        return ours == theirs
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        return float(ours) == float(theirs)
    return str(ours) == str(theirs)


def _time(run: Callable[[], object], repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _read_all(paths: list[Path]) -> list[PhotoMetadata | PhotostreamError]:
    found: list[PhotoMetadata | PhotostreamError] = []
    for path in paths:
        try:
            found.append(read_metadata(str(path)))
        except PhotostreamError as exc:
            found.append(exc)
    return found


def _compare(
    paths: list[Path], references: list[dict[str, Any]], ours: list[Any], verbose: bool
) -> tuple[Counter[str], Counter[str], list[str]]:
    agreed, compared, notes = Counter[str](), Counter[str](), []
    for path, ref, mine in zip(paths, references, ours, strict=True):
        expected = expected_fields(ref)
        values = _ours(mine) if isinstance(mine, PhotoMetadata) else dict.fromkeys(FIELDS)
        for field in FIELDS:
            theirs, own = expected.values[field], values[field]
            if (
                field == "capture_local"
                and expected.from_filename_only
                and isinstance(mine, PhotoMetadata)
                and mine.time_source in (TimeSource.FILENAME, TimeSource.UNKNOWN)
            ):
                continue  # nothing embedded; the file name is photostream's own last resort
            if field == "orientation" and not isinstance(mine, PhotoMetadata):
                own = None
            if theirs is None and own is None:
                continue
            compared[field] += 1
            if _agree(field, own, theirs):
                agreed[field] += 1
            else:
                notes.append(
                    f"{path.relative_to(path.parents[1])}: {field} ours={own!r} exiftool={theirs!r}"
                )
        if not isinstance(mine, PhotoMetadata) and verbose:
            notes.append(f"{path.name}: photostream refused it: {mine.reason}: {mine}")
    return agreed, compared, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=_DEFAULT_DIR)
    parser.add_argument("--rebuild", action="store_true", help="build the corpus again")
    parser.add_argument("--exiftool-files", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3, help="timing runs; the best counts")
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)

    cpu = _pin_to_one_core()
    corpus = args.dir / "corpus"
    if args.rebuild or not corpus.is_dir():
        print(f"building the corpus in {corpus} ...", flush=True)
        build_corpus(corpus, cache=args.dir / "cache", exiftool_files=args.exiftool_files)
    paths = sorted(p for p in corpus.rglob("*") if p.is_file())
    kinds = Counter(p.parent.name for p in paths)
    print(f"corpus: {len(paths)} files ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")

    with ExifTool() as tool:
        tool.read_json(str(paths[0]), grouped=False)  # warm up the process
        references = [tool.read_json(str(p)) for p in paths]
        exiftool_s = _time(
            lambda: [tool.read_json(str(p), grouped=False) for p in paths], args.repeat
        )
    ours = _read_all(paths)
    ours_s = _time(lambda: _read_all(paths), args.repeat)

    agreed, compared, notes = _compare(paths, references, ours, args.verbose)
    refused = [p for p, m in zip(paths, ours, strict=True) if not isinstance(m, PhotoMetadata)]
    print(f"\none core (cpu {cpu}), best of {args.repeat}:")
    print(f"  exiftool -stay_open -j -n: {len(paths) / exiftool_s:9.1f} files/s")
    print(f"  photostream              : {len(paths) / ours_s:9.1f} files/s"
          f"  ({exiftool_s / ours_s:.1f}x)")  # fmt: skip
    print("\nper-field agreement (files where either side has a value):")
    for field in FIELDS:
        if compared[field]:
            share = 100 * agreed[field] / compared[field]
            print(f"  {field:20s} {agreed[field]:5d}/{compared[field]:<5d} {share:6.2f}%")
    total_agreed, total = sum(agreed.values()), sum(compared.values())
    print(f"  {'all fields':20s} {total_agreed:5d}/{total:<5d} {100 * total_agreed / total:6.2f}%")
    print(f"\nfiles photostream refused: {len(refused)}")
    for path in refused:
        print(f"  {path.relative_to(corpus)}")
    if notes:
        print(f"\ndisagreements ({len(notes)}):")
        for note in notes if args.verbose else notes[:40]:
            print(f"  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
