"""Stream buffers across recovery: what a resume of flow control may drop.

A recovery resumes flow more than once, the last time after the seek that
ends it, while the fetcher already delivers. Records in the buffers then
come from the current assignment and from positions the client has left:
dropping them left them unprocessed until the next rebalance (the replay
test's re-scored photo that never came, the chaos test's lost deletion).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.app import PhotostreamApp, create_app
from streams.settings import Settings


@pytest.fixture
def app(tmp_path: Path) -> Iterator[PhotostreamApp]:
    app = create_app(Settings.from_env({"PHOTOSTREAM_DATA_DIR": str(tmp_path)}))
    yield app
    app.loop.close()


def test_a_resume_while_flow_is_on_keeps_what_the_buffers_hold(app: PhotostreamApp) -> None:
    buffer = app.FlowControlQueue(maxsize=0, clear_on_resume=True)  # as a stream buffer
    app.flow_control.resume()  # recovery starts reading changelogs
    buffer.put_nowait("delivered after the seek that ends recovery")
    app.flow_control.resume()  # recovery ends
    assert buffer.qsize() == 1


def test_a_resume_after_a_rebalance_drops_what_came_before_it(app: PhotostreamApp) -> None:
    buffer = app.FlowControlQueue(maxsize=0, clear_on_resume=True)
    app.flow_control.resume()
    buffer.put_nowait("delivered in the revoked assignment")
    app.flow_control.suspend()  # a rebalance starts
    assert not app.flow_control.is_active()
    app.flow_control.resume()  # the seek that ends recovery reads it again
    assert buffer.qsize() == 0
    assert app.flow_control.is_active()
