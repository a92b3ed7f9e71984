"""Codec throughput per core, as a ratio to orjson on the same data in the same run.

Run from the repository root (not collected by pytest)::

    .venv/bin/python -m tests.bench.bench_codec [--seconds 0.3] [--rounds 7]

For PhotoUploaded and MetadataExtracted it times a round trip of a record
through the codec (validate, Confluent-framed Avro encode, decode back into a
record) and ``orjson.loads(orjson.dumps(d))`` of the same record's Avro dict.
Both run in one thread, interleaved round by round, and the best round of
each counts, so a busy machine skews both alike. Also printed: fastavro's
own write+read of the dict, the floor under any fastavro-based codec.
"""

from __future__ import annotations

import argparse
import io
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import fastavro
import orjson

from schemas import (
    Codec,
    LocalSchemaRegistry,
    MediaType,
    MetadataExtracted,
    PhotoUploaded,
    Record,
    TimeSource,
    TzSource,
    current_schema,
    derive_event_id,
    topic_of,
)

_UPLOAD_ID = derive_event_id("photo-1", "upload")
_WHEN = datetime(2024, 5, 1, 10, 30, 15, 250000, tzinfo=UTC)
_SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

RECORDS: tuple[Record, ...] = (
    PhotoUploaded(
        event_id=_UPLOAD_ID,
        user_id="user-1",
        photo_id="photo-1",
        bucket="originals",
        key="users/user-1/photo-1/IMG_20240501_123015.jpg",
        size=3_145_728,
        content_type="image/jpeg",
        sha256=_SHA,
        filename="IMG_20240501_123015.jpg",
        uploaded_at=_WHEN,
        client_timezone="Europe/Paris",
    ),
    MetadataExtracted(
        event_id=derive_event_id("photo-1", "metadata", "1.0", _UPLOAD_ID),
        source_event_id=_UPLOAD_ID,
        user_id="user-1",
        photo_id="photo-1",
        bucket="originals",
        key="users/user-1/photo-1/IMG_20240501_123015.jpg",
        sha256=_SHA,
        filename="IMG_20240501_123015.jpg",
        media_type=MediaType.PHOTO,
        mime_type="image/jpeg",
        capture_time_utc=_WHEN,
        capture_local="2024-05-01T12:30:15.250000",
        utc_offset_minutes=120,
        time_source=TimeSource.EXIF_ORIGINAL,
        tz_source=TzSource.EXIF_OFFSET,
        gps_latitude=48.8584,
        gps_longitude=2.2945,
        gps_altitude=35.5,
        place_city="Paris",
        place_region="Île-de-France",
        place_country_code="FR",
        make="Apple",
        model="iPhone 15 Pro",
        lens_model="iPhone 15 Pro back triple camera 6.86mm f/1.78",
        iso=64,
        exposure_time_s=1 / 120,
        f_number=1.78,
        focal_length_mm=6.86,
        focal_length_35mm=24.0,
        orientation=6,
        width=4032,
        height=3024,
        oriented_width=3024,
        oriented_height=4032,
        extractor_version="1.0",
    ),
)


def _rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second over about ``seconds``."""
    batch, done, began = 200, 0, time.perf_counter()
    while True:
        for _ in range(batch):
            operation()
        done += batch
        elapsed = time.perf_counter() - began
        if elapsed >= seconds:
            return done / elapsed


def _best(operations: dict[str, Callable[[], object]], seconds: float, rounds: int) -> dict:
    best = dict.fromkeys(operations, 0.0)
    for _ in range(rounds):
        for name, operation in operations.items():
            best[name] = max(best[name], _rate(operation, seconds))
    return best


def _fastavro_round_trip(record: Record) -> Callable[[], object]:
    schema = fastavro.parse_schema(current_schema(type(record)).schema)
    data = record.to_avro_dict()

    def round_trip() -> Any:
        out = io.BytesIO()
        fastavro.schemaless_writer(out, schema, data)
        out.seek(0)
        return fastavro.schemaless_reader(out, schema, None)

    return round_trip


def measure(seconds: float, rounds: int) -> list[dict[str, Any]]:
    codec = Codec(LocalSchemaRegistry())
    rows = []
    for record in RECORDS:
        topic = topic_of(type(record))
        data = record.to_avro_dict()
        framed = codec.encode(topic, record)
        assert codec.decode(framed) == record
        rates = _best(
            {
                "codec": lambda r=record, t=topic: codec.decode(codec.encode(t, r)),
                "orjson": lambda d=data: orjson.loads(orjson.dumps(d)),
                "fastavro": _fastavro_round_trip(record),
                "encode": lambda r=record, t=topic: codec.encode(t, r),
                "decode": lambda f=framed: codec.decode(f),
            },
            seconds,
            rounds,
        )
        rows.append(
            {
                "event": type(record).__name__,
                "bytes": len(framed),
                "json_bytes": len(orjson.dumps(data)),
                **rates,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.3, help="per timing round")
    parser.add_argument("--rounds", type=int, default=7, help="best of this many rounds")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, fastavro {fastavro.__version__}, one thread")
    header = (
        f"{'event':<18} {'avro B':>6} {'json B':>6} {'codec rt/s':>11} {'orjson rt/s':>12}"
        f" {'ratio':>6} {'fastavro rt/s':>14} {'ceiling':>8} {'encode/s':>9} {'decode/s':>9}"
    )
    print(header)
    for row in measure(args.seconds, args.rounds):
        print(
            f"{row['event']:<18} {row['bytes']:>6} {row['json_bytes']:>6}"
            f" {row['codec']:>11,.0f} {row['orjson']:>12,.0f}"
            f" {row['codec'] / row['orjson']:>6.3f} {row['fastavro']:>14,.0f}"
            f" {row['fastavro'] / row['orjson']:>8.3f}"
            f" {row['encode']:>9,.0f} {row['decode']:>9,.0f}"
        )
    print("ratio = codec round trips / orjson dumps+loads of the same dict (target >= 0.3);")
    print("ceiling = bare fastavro write+read / orjson: no fastavro-based codec can exceed it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
