"""The curate input log keeps what curate and its dead letters need of the original record."""

from __future__ import annotations

from streams.agents.curate_relay import origin_of, relayed
from streams.records import SourceRecord

ORIGINAL = SourceRecord(
    topic="photos.deleted",
    partition=3,
    offset=1207,
    key=b"user-1",
    value=b"\x00\x00\x00\x00\x02avro",
    headers=[("ps.uploaded_at_ms", b"1700000000000")],
    timestamp_ms=1_700_000_000_123,
)


def test_a_copy_goes_to_the_same_partition_with_the_same_time_and_bytes() -> None:
    copy = relayed(ORIGINAL, "photos.curate.inputs")
    assert copy.topic == "photos.curate.inputs"
    assert (copy.key, copy.value) == (ORIGINAL.key, ORIGINAL.value)
    assert copy.partition == 3
    assert copy.timestamp_ms == ORIGINAL.timestamp_ms
    assert ("ps.uploaded_at_ms", b"1700000000000") in copy.headers


def test_curate_sees_the_original_topic_position_and_headers() -> None:
    copy = relayed(ORIGINAL, "photos.curate.inputs")
    as_read = SourceRecord(
        topic=copy.topic,
        partition=copy.partition or 0,
        offset=88,
        key=copy.key,
        value=copy.value,
        headers=copy.headers,
        timestamp_ms=copy.timestamp_ms,
    )
    assert origin_of(as_read) == ORIGINAL


def test_a_record_without_a_complete_origin_is_taken_as_it_is() -> None:
    plain = SourceRecord("photos.curate.inputs", 0, 5, b"u", b"v", [("ps.origin.topic", b"x")])
    assert origin_of(plain) is plain
    garbled = SourceRecord(
        "photos.curate.inputs",
        0,
        5,
        b"u",
        b"v",
        [("ps.origin.topic", b"x"), ("ps.origin.partition", b"one"), ("ps.origin.offset", b"2")],
    )
    assert origin_of(garbled) is garbled
