"""``photostream metadata``: what the extractor reads from local files, as JSON lines.

``photostream metadata FILE...`` prints one JSON object per file;
``photostream metadata --jsonl`` reads one path per line on stdin and writes
one object per line, flushing each, so another program can drive it like
``exiftool -stay_open``. A file that cannot be read gives
``{"path": ..., "error": ..., "reason": ...}`` and the run goes on.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from processors.errors import NeedMoreBytes, PhotostreamError
from processors.geo import Geocoder, ZoneFinder, default_geocoder, default_zone_finder
from processors.metadata import (
    INITIAL_HEAD_BYTES,
    PhotoMetadata,
    extract_metadata,
    resolve_capture_time,
)

__all__ = ["add_arguments", "describe", "main", "read_metadata", "run"]

# Each NeedMoreBytes answer is bigger than the head it had; this bounds the
# rounds for a file whose structures keep pointing further on.
_MAX_ROUNDS = 16


def read_metadata(path: str) -> PhotoMetadata:
    """Extract from a local file, reading only as much of it as the extractor asks for."""
    with open(path, "rb") as file:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
        head = file.read(min(size, INITIAL_HEAD_BYTES))
        pieces: list[tuple[int, bytes]] = []
        for _ in range(_MAX_ROUNDS):
            try:
                return extract_metadata(head, object_size=size, filename=path, pieces=pieces)
            except NeedMoreBytes as more:
                if more.needed_bytes <= len(head) or len(head) >= size:
                    raise
                if more.start > len(head):
                    # A range past the head (a movie header after the media data).
                    file.seek(more.start)
                    pieces.append((more.start, file.read(more.needed_bytes - more.start)))
                    file.seek(len(head))
                    continue
                # Grow at least geometrically, as the ingest agent does.
                target = min(size, max(more.needed_bytes, 2 * len(head)))
                head += file.read(target - len(head))
        return extract_metadata(head + file.read(), object_size=size, filename=path)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def describe(
    path: str,
    meta: PhotoMetadata,
    *,
    geocoder: Geocoder | None,
    zones: ZoneFinder | None,
) -> dict[str, Any]:
    """The JSON object for one file: every field, the resolved time and the place."""
    has_time = meta.capture_local is not None or meta.capture_time_utc is not None
    local = utc = offset = None
    time_source, tz_source = meta.time_source.value, meta.tz_source.value
    if has_time:
        # Without an upload there is no upload time or client hint to fall back on.
        resolved = resolve_capture_time(
            meta, uploaded_at=datetime.now(UTC), client_timezone=None, zones=zones
        )
        local, utc, offset = resolved.local, resolved.utc, resolved.offset_minutes
        time_source, tz_source = resolved.time_source.value, resolved.tz_source.value
    place = None
    if geocoder is not None and meta.gps_latitude is not None and meta.gps_longitude is not None:
        place = geocoder.place_at(meta.gps_latitude, meta.gps_longitude)
    return {
        "path": path,
        "media_type": meta.media_type,
        "mime_type": meta.mime_type,
        "capture_time_utc": _iso(utc),
        "capture_local": _iso(local),
        "utc_offset_minutes": offset,
        "time_source": time_source,
        "tz_source": tz_source,
        "gps_latitude": meta.gps_latitude,
        "gps_longitude": meta.gps_longitude,
        "gps_altitude": meta.gps_altitude,
        "gps_null_island": meta.gps_null_island,
        "place_city": place.city if place else None,
        "place_region": place.region if place else None,
        "place_country_code": place.country_code if place else None,
        "make": meta.make,
        "model": meta.model,
        "lens_model": meta.lens_model,
        "iso": meta.iso,
        "exposure_time_s": meta.exposure_time_s,
        "f_number": meta.f_number,
        "focal_length_mm": meta.focal_length_mm,
        "focal_length_35mm": meta.focal_length_35mm,
        "orientation": meta.orientation,
        "width": meta.width,
        "height": meta.height,
        "oriented_width": meta.oriented_width,
        "oriented_height": meta.oriented_height,
        "video_duration_s": meta.video_duration_s,
    }


def _one(path: str, geocoder: Geocoder | None, zones: ZoneFinder | None) -> tuple[bytes, bool]:
    try:
        meta = read_metadata(path)
    except PhotostreamError as exc:
        return orjson.dumps({"path": path, "error": exc.message, "reason": exc.reason}), False
    except OSError as exc:
        return orjson.dumps(
            {"path": path, "error": exc.strerror or str(exc), "reason": "io"}
        ), False
    return orjson.dumps(describe(path, meta, geocoder=geocoder, zones=zones)), True


def _stdin_paths(stdin: IO[str]) -> Iterator[str]:
    # readline, not iteration: iteration reads ahead and would hold back
    # answers a driving program is waiting for.
    while line := stdin.readline():
        path = line.rstrip("\r\n")
        if path:
            yield path


def run(paths: Iterable[str], out: IO[bytes], *, geo: bool = True) -> int:
    """Write one JSON line per path to ``out``; 0 if every file was read, else 1."""
    geocoder = default_geocoder() if geo else None
    zones = default_zone_finder() if geo else None
    status = 0
    for path in paths:
        line, ok = _one(path, geocoder, zones)
        out.write(line + b"\n")
        out.flush()
        status = status if ok else 1
    return status


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE", help="photos or videos to read")
    parser.add_argument("--jsonl", action="store_true", help="read paths from stdin, one per line")
    parser.add_argument(
        "--no-geo",
        action="store_true",
        help="skip the place and GPS time zone lookups (faster start)",
    )


def main(args: argparse.Namespace, stdin: IO[str], stdout: IO[bytes]) -> int:
    if args.jsonl == bool(args.files):
        raise SystemExit("photostream metadata: give FILE arguments or --jsonl, not both")
    paths = _stdin_paths(stdin) if args.jsonl else args.files
    return run(paths, stdout, geo=not args.no_geo)
