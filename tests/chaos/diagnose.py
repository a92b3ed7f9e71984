"""What the logs say about photos the consumer's view got wrong: the failure message of a crash run.

For each such photo: where its inputs sit in curate's input log, the curate
outputs that name it, and every version of its user's state in the table's
changelog (does the state hold the photo?). Together they tell a lost input
(never applied), a lost state (applied, then overwritten) and a lost output
apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from confluent_kafka import Consumer, Message, TopicPartition

from processors.curation import Curated, UserState
from schemas import Codec
from streams.agents.curate import CURATE_TABLE
from streams.settings import Settings
from streams.topics import TopicNames
from streams.worker import consumer_group

_READ_TIMEOUT_S = 10.0


def wrong_photos(view: Curated, expected: Curated) -> dict[str, str]:
    """Photo id -> user id, for every photo whose timeline item or album membership differs."""
    photos: dict[str, str] = {}
    for pid in view.timeline.keys() ^ expected.timeline.keys():
        item = view.timeline.get(pid) or expected.timeline[pid]
        photos[pid] = item.user_id
    for pid in view.timeline.keys() & expected.timeline.keys():
        if view.timeline[pid] != expected.timeline[pid]:
            photos[pid] = view.timeline[pid].user_id
    for aid in view.albums.keys() | expected.albums.keys():
        got, want = view.albums.get(aid), expected.albums.get(aid)
        if got == want:
            continue
        album = got or want
        assert album is not None
        held = got.photo_ids if got else frozenset()
        for pid in held ^ (want.photo_ids if want else frozenset()):
            photos[pid] = album.user_id
    return photos


def records(settings: Settings, topic: str) -> Iterator[Message]:
    """Every record of ``topic`` as it is now, partition by partition."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "group.id": f"{settings.app_id}-diagnose",
            "enable.auto.commit": False,
        }
    )
    try:
        for partition in range(settings.partitions):
            low, high = consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=_READ_TIMEOUT_S
            )
            if high <= low:
                continue
            consumer.assign([TopicPartition(topic, partition, low)])
            seen = 0
            while seen < high - low:
                batch = consumer.consume(500, timeout=_READ_TIMEOUT_S)
                if not batch:
                    break
                for message in batch:
                    if message.error() is None:
                        seen += 1
                        yield message
    finally:
        consumer.close()


def report(
    settings: Settings, topics: TopicNames, codec: Codec, photos: dict[str, str], limit: int = 5
) -> str:
    chosen = dict(sorted(photos.items())[:limit])
    if not chosen:
        return "no photo differs"
    lines = [f"{len(photos)} photos differ; the first {len(chosen)}:"]
    inputs = list(records(settings, topics.curate_inputs))
    outputs = list(records(settings, topics.timeline)) + list(records(settings, topics.albums))
    changelog = f"{consumer_group(settings, ('ingest', 'curate'))}-{CURATE_TABLE}-changelog"
    states = list(records(settings, changelog))
    sources = [
        message
        for topic in (topics.uploaded, topics.deleted, topics.metadata)
        for message in records(settings, topic)
    ]
    for pid, user in chosen.items():
        lines.append(f"photo {pid} of {user}")
        lines += [f"  source {_where(m)}" for m in _naming(sources, pid)]
        lines += [f"  input  {_where(m)} from {_origin(m)}" for m in _naming(inputs, pid)]
        for message in _naming(outputs, pid):
            event = codec.decode(message.value() or b"")
            kind = getattr(event, "change", type(event).__name__)
            album = getattr(event, "album_id", "")[:8]
            event_id = getattr(event, "event_id", "?")[:8]
            cause = getattr(event, "source_event_id", "?")[:8]
            lines.append(f"  output {_where(message)} {kind} {album} id {event_id} cause {cause}")
        for message in states:
            if message.key() == user.encode() and message.value() is not None:
                state = UserState.from_bytes(message.value() or b"")
                held = "holds it" if pid in state.photos else "-"
                deleted = " (deleted)" if pid in state.deleted else ""
                # Albums as the stored state rebuilds them: compare with the outputs.
                albums = sorted(aid[:8] for aid, a in state.albums.items() if pid in a.members)
                lines.append(
                    f"  state  {_where(message)} {len(state.photos)} photos, {held}{deleted}"
                    f", in albums {albums}"
                )
    return "\n".join(lines)


def stages(
    settings: Settings, topics: TopicNames, photo_ids: Iterable[str]
) -> dict[str, list[str]]:
    """Photo id -> the pipeline's topics holding a record that names it, in pipeline order.

    Where a photo's trail ends is where it was lost (or still waits).
    """
    wanted = sorted(photo_ids)
    trail: dict[str, list[str]] = {pid: [] for pid in wanted}
    path = (
        topics.uploaded,
        topics.uploaded_backfill,
        topics.metadata,
        topics.curate_inputs,
        topics.timeline,
    )
    for topic in path:
        held = list(records(settings, topic))
        for pid in wanted:
            if _naming(held, pid):
                trail[pid].append(topic)
    return trail


def _naming(messages: Iterable[Message], pid: str) -> list[Message]:
    needle = pid.encode()
    return [m for m in messages if needle in (m.value() or b"")]


def _where(message: Message) -> str:
    return f"{message.topic()}[{message.partition()}]@{message.offset()} t={message.timestamp()[1]}"


def _origin(message: Message) -> str:
    headers = dict(message.headers() or [])
    topic = (headers.get("ps.origin.topic") or b"?").decode()
    return f"{topic}@{(headers.get('ps.origin.offset') or b'?').decode()}"
