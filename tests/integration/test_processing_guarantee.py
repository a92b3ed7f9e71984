"""exactly_once is refused, with a reason, on a broker whose transactions do not hold."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from streams.devstack import DevStack
from streams.transactions import probe_transactions
from streams.worker import check_processing_guarantee

from .conftest import Pipeline

pytestmark = pytest.mark.integration


def test_probe_finds_the_embedded_broker_shows_aborted_records(stack: DevStack) -> None:
    probe = probe_transactions(stack.endpoints.bootstrap_servers)
    assert not probe.supported
    assert "aborted" in probe.detail


def test_worker_refuses_exactly_once_here(pipeline: Pipeline) -> None:
    env = {
        **os.environ,
        **pipeline.settings.to_env(),
        "PHOTOSTREAM_PROCESSING_GUARANTEE": "exactly_once",
    }
    done = subprocess.run(
        [sys.executable, "-m", "streams.cli", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "needs Kafka transactions" in done.stderr
    assert "PHOTOSTREAM_EXACTLY_ONCE_UNVERIFIED" in done.stderr


def test_the_override_lets_exactly_once_through_with_a_warning(
    pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    settings = pipeline.settings.with_changes(
        processing_guarantee="exactly_once", exactly_once_unverified=True
    )
    check_processing_guarantee(settings)
    assert "exactly_once without working transactions" in caplog.text
