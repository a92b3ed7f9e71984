"""``photostream run``: the whole pipeline on the embedded stack, fed with sample photos."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiobotocore.session import get_session
from confluent_kafka import Consumer

from processors.curation import AlbumView, ConsumerFold
from schemas import AlbumUpdated, Codec, PhotoUploaded, TimelineItemUpserted, VisionScored

from .devstack import S3_ENV, DevStack, ShutdownRequested, die_with_parent, raise_on_shutdown
from .records import header_pairs
from .registry_client import registry_from_settings
from .samples import Sample, generate_samples
from .sdk.consumer import EventConsumer
from .sdk.producer import UploadProducer
from .settings import Settings
from .topics import TopicNames, topic_names
from .worker import topic_plan_for

__all__ = ["run_local"]

_RUN_DIR = Path("var/run")


@dataclass(frozen=True, slots=True)
class _Upload:
    sample: Sample
    event: PhotoUploaded


def run_local(settings: Settings, *, once: bool, timeout_s: float) -> int:
    die_with_parent()
    raise_on_shutdown()
    os.environ.update(S3_ENV)
    try:
        return _run(settings, once=once, timeout_s=timeout_s)
    except ShutdownRequested as stop:
        print(f"\nstopped by {signal.Signals(stop.signum).name}", file=sys.stderr)
        return 0 if not once else 1


def _run(settings: Settings, *, once: bool, timeout_s: float) -> int:
    samples = generate_samples()
    plan = topic_plan_for(settings)
    started = time.monotonic()
    print("starting the embedded broker and S3 server ...", flush=True)
    _RUN_DIR.mkdir(parents=True, exist_ok=True)
    with DevStack(topics=plan, buckets=settings.buckets, run_dir=_RUN_DIR) as stack:
        endpoints = stack.endpoints
        settings = settings.with_changes(
            bootstrap_servers=endpoints.bootstrap_servers,
            s3_endpoint_url=endpoints.s3_endpoint_url,
            schema_registry_url=endpoints.schema_registry_url,
        )
        # Two workers on one host: each serves its HTTP endpoints on a free port (logged).
        settings = settings.with_changes(http_port=0)
        # Vision runs as its own worker, as it would on GPU nodes.
        for name, roles in (("worker", ["ingest", "curate"]), ("vision", ["vision"])):
            role_args = [arg for role in roles for arg in ("--role", role)]
            stack.spawn(
                [sys.executable, "-m", "streams.cli", "worker", "--name", name, *role_args],
                name=name,
                env={**os.environ, **settings.to_env()},
            )
        topics = topic_names(settings)
        codec = Codec(registry_from_settings(settings))
        uploads = _make_uploads(samples, settings.buckets[0])
        asyncio.run(_put_objects(settings, uploads))
        _produce(settings, codec, topics, uploads)
        print(f"uploaded {len(uploads)} samples; waiting for the pipeline\n", flush=True)
        ok = _watch(settings, codec, topics, uploads, once=once, timeout_s=timeout_s)
        elapsed = time.monotonic() - started
        if once:
            print(f"\n{'all samples processed' if ok else 'TIMED OUT'} in {elapsed:.1f}s")
        return 0 if ok else 1


def _make_uploads(samples: Sequence[Sample], bucket: str) -> list[_Upload]:
    uploads = []
    for index, sample in enumerate(samples):
        photo_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"sample/{sample.user_id}/{sample.filename}"))
        event = PhotoUploaded(
            event_id=str(uuid.uuid4()),
            user_id=sample.user_id,
            photo_id=photo_id,
            bucket=bucket,
            key=f"users/{sample.user_id}/{photo_id}/{sample.filename}",
            size=len(sample.data),
            content_type=sample.content_type,
            sha256=hashlib.sha256(sample.data).hexdigest(),
            filename=sample.filename,
            uploaded_at=datetime.now(UTC).replace(microsecond=index),
            client_timezone=sample.client_timezone,
        )
        uploads.append(_Upload(sample, event))
    return uploads


async def _put_objects(settings: Settings, uploads: Sequence[_Upload]) -> None:
    async with get_session().create_client(
        "s3", region_name=settings.s3_region, endpoint_url=settings.s3_endpoint_url
    ) as s3:
        await asyncio.gather(
            *(
                s3.put_object(
                    Bucket=u.event.bucket,
                    Key=u.event.key,
                    Body=u.sample.data,
                    ContentType=u.sample.content_type,
                )
                for u in uploads
            )
        )


def _produce(
    settings: Settings, codec: Codec, topics: TopicNames, uploads: Sequence[_Upload]
) -> None:
    with UploadProducer(settings.bootstrap_servers, codec, topics) as producer:
        for upload in uploads:
            producer.send_upload(upload.event)
        failed = producer.flush()
    if failed:
        raise RuntimeError(f"{len(failed)} upload event(s) were not delivered: {failed}")


def _watch(
    settings: Settings,
    codec: Codec,
    topics: TopicNames,
    uploads: Sequence[_Upload],
    *,
    once: bool,
    timeout_s: float,
) -> bool:
    by_photo = {u.event.photo_id: u for u in uploads}
    by_event = {u.event.event_id: u for u in uploads}
    pending = set(by_photo)
    unscored = {u.event.photo_id for u in uploads if u.sample.expect_ok}
    group = f"photostream-run-{uuid.uuid4()}"
    timeline = EventConsumer(
        settings.bootstrap_servers,
        group,
        [topics.timeline, topics.albums, topics.vision_scored],
        codec,
        deadletter_topic=topics.deadletter,
    )
    albums = ConsumerFold()
    deadletters = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "group.id": group + "-deadletter",
            "auto.offset.reset": "earliest",
            "fetch.wait.max.ms": 100,
        }
    )
    deadletters.subscribe([topics.deadletter])
    deadline = time.monotonic() + timeout_s
    print(f"{'photo':<34} {'local capture time':<27} {'time / tz source':<28} {'camera':<26} size")
    try:
        items = timeline.events(timeout_s=0.1)
        while not (once and not pending and not unscored):
            if once and time.monotonic() > deadline:
                missing = ", ".join(sorted(by_photo[p].sample.filename for p in pending | unscored))
                print(f"\nstill waiting for: {missing}", file=sys.stderr)
                return False
            consumed = next(items)
            if consumed is not None and isinstance(consumed.event, AlbumUpdated):
                albums.apply(consumed.event)
            if consumed is not None and isinstance(consumed.event, VisionScored):
                scores = consumed.event
                upload = by_photo.get(scores.photo_id)
                if upload is not None and scores.photo_id in unscored:
                    unscored.discard(scores.photo_id)
                    print(_vision_row(upload.sample.filename, scores), flush=True)
            if consumed is not None and isinstance(consumed.event, TimelineItemUpserted):
                item = consumed.event
                upload = by_photo.get(item.photo_id)
                if upload is not None and item.photo_id in pending:
                    pending.discard(item.photo_id)
                    print(_timeline_row(upload.sample.filename, item), flush=True)
            message = deadletters.poll(0.05)
            if message is not None and not message.error():
                headers = {
                    k: v.decode("utf-8", "replace") for k, v in header_pairs(message.headers())
                }
                upload = _upload_of(message.value(), codec, by_event)
                name = upload.sample.filename if upload else "(undecodable event)"
                if upload is not None:
                    pending.discard(upload.event.photo_id)
                print(
                    f"{name:<34} DEAD LETTER [{headers.get('ps.stage')}] "
                    f"{headers.get('ps.error.reason')}: {headers.get('ps.error.message')}",
                    flush=True,
                )
        # Album changes trail the last timeline item by a moment.
        quiet_until = time.monotonic() + 2.0
        while time.monotonic() < quiet_until:
            consumed = next(items)
            if consumed is not None and isinstance(consumed.event, AlbumUpdated):
                albums.apply(consumed.event)
                quiet_until = time.monotonic() + 2.0
        _print_albums(albums.view.albums.values(), by_photo)
        return True
    finally:
        timeline.close()
        deadletters.close()


def _vision_row(filename: str, scores: VisionScored) -> str:
    labels = next((m.labels for m in scores.scores if m.labels), ())
    errors = [m.model for m in scores.scores if m.error]
    parts = [
        f"faces={scores.face_count}",
        f"nsfw={scores.nsfw_probability:.2f}" if scores.nsfw_probability is not None else "",
        f"quality={scores.quality:.2f}" if scores.quality is not None else "",
        f"labels={', '.join(labels[:2])}" if labels else "",
        f"errors={','.join(errors)}" if errors else "",
    ]
    return f"{filename:<34} VISION {' '.join(p for p in parts if p)}"


def _print_albums(albums: Iterable[AlbumView], by_photo: dict[str, _Upload]) -> None:
    print(f"\n{'album':<14} {'title':<40} photos  cover")
    for album in sorted(albums, key=lambda a: (a.kind.value, a.title or "")):
        cover = by_photo.get(album.cover_photo_id or "")
        cover_name = cover.sample.filename if cover else "-"
        title = album.title or "-"
        print(f"{album.kind.value.lower():<14} {title:<40} {len(album.photo_ids):>6}  {cover_name}")


def _upload_of(value: bytes | None, codec: Codec, by_event: dict[str, _Upload]) -> _Upload | None:
    if value is None:
        return None
    try:
        event = codec.decode(value)
    except Exception:  # noqa: BLE001 - hostile bytes are reported, not decoded
        return None
    return by_event.get(getattr(event, "event_id", ""))


def _timeline_row(filename: str, item: TimelineItemUpserted) -> str:
    local = item.capture_local.replace("T", " ")[:19]
    if item.utc_offset_minutes is None:
        zone = "(no zone)"
    else:
        sign = "+" if item.utc_offset_minutes >= 0 else "-"
        hours, minutes = divmod(abs(item.utc_offset_minutes), 60)
        zone = f"{sign}{hours:02d}:{minutes:02d}"
    camera = _camera(item.make, item.model)
    sources = f"{item.time_source.value.lower()} / {item.tz_source.value.lower()}"
    size = f"{item.oriented_width}x{item.oriented_height}"
    return f"{filename:<34} {local + ' ' + zone:<27} {sources:<28} {camera:<26} {size}"


def _camera(make: str | None, model: str | None) -> str:
    # Many makers repeat their name in the model ("Canon" / "Canon EOS R5").
    if make and model and model.lower().startswith(make.split()[0].lower()):
        return model
    return " ".join(part for part in (make, model) if part) or "-"
