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


def _records(settings: Settings, topic: str) -> Iterator[Message]:
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
    inputs = list(_records(settings, topics.curate_inputs))
    outputs = list(_records(settings, topics.timeline)) + list(_records(settings, topics.albums))
    changelog = f"{consumer_group(settings, ('ingest', 'curate'))}-{CURATE_TABLE}-changelog"
    states = list(_records(settings, changelog))
    for pid, user in chosen.items():
        lines.append(f"photo {pid} of {user}")
        lines += [f"  input  {_where(m)} from {_origin(m)}" for m in _naming(inputs, pid)]
        for message in _naming(outputs, pid):
            event = codec.decode(message.value() or b"")
            kind = getattr(event, "change", type(event).__name__)
            event_id = getattr(event, "event_id", "?")[:8]
            lines.append(f"  output {_where(message)} {kind} id {event_id}")
        for message in states:
            if message.key() == user.encode() and message.value() is not None:
                state = UserState.from_bytes(message.value() or b"")
                held = "holds it" if pid in state.photos else "-"
                deleted = " (deleted)" if pid in state.deleted else ""
                lines.append(
                    f"  state  {_where(message)} {len(state.photos)} photos, {held}{deleted}"
                )
    return "\n".join(lines)


def _naming(messages: Iterable[Message], pid: str) -> list[Message]:
    needle = pid.encode()
    return [m for m in messages if needle in (m.value() or b"")]


def _where(message: Message) -> str:
    return f"{message.topic()}[{message.partition()}]@{message.offset()} t={message.timestamp()[1]}"


def _origin(message: Message) -> str:
    headers = dict(message.headers() or [])
    topic = (headers.get("ps.origin.topic") or b"?").decode()
    return f"{topic}@{(headers.get('ps.origin.offset') or b'?').decode()}"
