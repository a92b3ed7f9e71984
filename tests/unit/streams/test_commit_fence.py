"""What the worker's consumer lets Faust commit, and which late work it ignores.

A commit that covers an unprocessed record loses it when the worker dies
next; these cases lost uploads in the crash test before they were fenced.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from faust.types import TP, ConsumerMessage

from streams.app import PhotostreamApp, create_app
from streams.faust_transport import FencedConsumer
from streams.settings import Settings

TOPIC = "photos.uploaded"
PARTITION = TP(TOPIC, 0)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[PhotostreamApp]:
    app = create_app(Settings.from_env({"PHOTOSTREAM_DATA_DIR": str(tmp_path)}))
    # Acks count only for topics an agent reads; a running worker sets this.
    app.topics._acking_topics.add(TOPIC)
    app.flow_control.resume()  # as recovery leaves it in a running worker
    yield app
    app.fenced_consumer._thread.thread_loop.close()
    app.loop.close()


def _assigned(app: PhotostreamApp, generation: int) -> FencedConsumer:
    consumer = app.fenced_consumer
    consumer._assignment = generation
    app.consumer_generation_id = generation
    return consumer


def _deliver(
    consumer: FencedConsumer, offset: int, generation: int, *, taken: bool = True
) -> ConsumerMessage:
    message = ConsumerMessage(
        TOPIC, 0, offset, 0.0, 0, [], b"k", b"v", None, 1, 1, PARTITION, generation_id=generation
    )
    consumer._delivered_in[message] = consumer.assignment_epoch
    if taken:
        consumer.track_message(message)
    return message


def test_a_record_still_in_flight_holds_the_commit_back(app: PhotostreamApp) -> None:
    consumer = _assigned(app, 3)
    consumer._committed_offset[PARTITION] = 31
    slow, *fast = [_deliver(consumer, offset, 3) for offset in (31, 32, 33)]
    for message in fast:
        assert consumer.ack(message)
    # Faust alone would commit 34 here, over offset 31.
    assert consumer._new_offset(PARTITION) is None
    assert consumer.ack(slow)
    assert consumer._new_offset(PARTITION) == 34


def test_work_delivered_before_a_rebalance_no_longer_counts(app: PhotostreamApp) -> None:
    consumer = _assigned(app, 3)
    before = _deliver(consumer, 7, 3)
    app.on_rebalance_start()
    assert not consumer.is_current(before)
    # Delivered while the rebalance is under way: not current either, even
    # when the next assignment is the same generation's partitions again.
    during = _deliver(consumer, 8, 3)
    _assigned(app, 4)
    assert not consumer.is_current(before)
    assert not consumer.is_current(during)
    assert not consumer.ack(before)
    assert not consumer.ack(during)
    assert consumer._new_offset(PARTITION) is None
    after = _deliver(consumer, 7, 4)
    assert consumer.is_current(after)
    assert consumer.ack(after)
    # Not positioned at the committed offset yet: nothing may be committed.
    assert consumer._new_offset(PARTITION) is None
    consumer._committed_offset[PARTITION] = 7
    assert consumer._new_offset(PARTITION) == 8


def test_with_nothing_committed_the_first_commit_starts_where_reading_started(
    app: PhotostreamApp,
) -> None:
    consumer = _assigned(app, 3)
    consumer._reset_start[PARTITION] = 0  # positioned at the log's start
    # Offset 0 was fetched but never reached an agent (a rebalance cut in);
    # Faust alone would commit 3 as soon as 1 and 2 are done.
    _deliver(consumer, 0, 3, taken=False)
    for offset in (1, 2):
        assert consumer.ack(_deliver(consumer, offset, 3))
    assert consumer._new_offset(PARTITION) is None
    assert consumer.ack(_deliver(consumer, 0, 3))
    assert consumer._new_offset(PARTITION) == 3


def test_a_record_skipped_while_flow_control_is_off_is_not_done(app: PhotostreamApp) -> None:
    consumer = _assigned(app, 3)
    consumer._committed_offset[PARTITION] = 5
    skipped = _deliver(consumer, 5, 3)
    app.flow_control.suspend()
    assert not consumer.ack(skipped)
    app.flow_control.resume()
    assert consumer._new_offset(PARTITION) is None
    assert consumer.ack(_deliver(consumer, 5, 3))
    assert consumer._new_offset(PARTITION) == 6
