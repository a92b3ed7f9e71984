"""The step ledger: newest entry per photo and step; what an upgrade left behind."""

from __future__ import annotations

from datetime import UTC, datetime

from streams.ops.ledger import (
    LedgerEntry,
    ingest_entry,
    latest_entries,
    outdated_uploads,
    vision_entry,
)

AT = datetime(2026, 5, 1, tzinfo=UTC)


def _records(*entries: LedgerEntry) -> list[tuple[bytes | None, bytes | None]]:
    return [(e.key(), e.to_json()) for e in entries]


def test_entries_round_trip_through_json() -> None:
    entry = ingest_entry("u1", "p1", "metadata-2", "ev-1", b"\x00\x01upload", "vision-1")
    back = LedgerEntry.from_json(entry.to_json())
    assert back.upload == b"\x00\x01upload"
    assert (back.user_id, back.photo_id, back.step, back.version) == (
        "u1",
        "p1",
        "ingest",
        "metadata-2",
    )
    assert back.vision_requested == "vision-1"


def test_the_newest_entry_per_photo_and_step_wins() -> None:
    old = vision_entry("u1", "p1", "vision-1", "r1")
    new = vision_entry("u1", "p1", "vision-2", "r2")
    other = vision_entry("u1", "p2", "vision-1", "r3")
    latest = latest_entries(_records(old, other, new))
    assert sorted((e.photo_id, e.version) for e in latest) == [
        ("p1", "vision-2"),
        ("p2", "vision-1"),
    ]


def test_outdated_vision_selects_photos_scored_with_another_model_or_never() -> None:
    entries = [
        ingest_entry("u1", "current", "m", "e1", b"up1", "vision-2"),
        vision_entry("u1", "current", "vision-2", "r1"),
        ingest_entry("u1", "old", "m", "e2", b"up2", "vision-1"),
        vision_entry("u1", "old", "vision-1", "r2"),
        ingest_entry("u2", "never-scored", "m", "e3", b"up3", "vision-1"),
        ingest_entry("u2", "video", "m", "e4", b"up4", None),
    ]
    selected = outdated_uploads(entries, "vision", "vision-2")
    assert [(e.photo_id, e.upload) for e in selected] == [("old", b"up2"), ("never-scored", b"up3")]


def test_outdated_ingest_compares_the_extractor_version() -> None:
    entries = [
        ingest_entry("u1", "a", "metadata-1", "e1", b"up1", None),
        ingest_entry("u1", "b", "metadata-2", "e2", b"up2", None),
    ]
    assert [e.photo_id for e in outdated_uploads(entries, "ingest", "metadata-2")] == ["a"]
