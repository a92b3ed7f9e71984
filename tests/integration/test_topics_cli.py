"""`photostream topics` against the real broker: drift reported, missing topics created."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from confluent_kafka.admin import AdminClient

from streams.devstack import DevStack
from streams.settings import Settings
from streams.topic_admin import check_topics, desired_topics

pytestmark = pytest.mark.integration


def _topics(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", "topics", *args],
        env={**os.environ, **settings.to_env()},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_topics_reports_missing_then_creates_them(stack: DevStack) -> None:
    settings = Settings(
        bootstrap_servers=stack.endpoints.bootstrap_servers,
        topic_prefix=f"t{uuid.uuid4().hex[:8]}.",
        app_id=f"ps-{uuid.uuid4().hex[:8]}",
        partitions=3,
    )
    before = _topics(settings)
    assert before.returncode == 1
    assert f"{settings.topic_prefix}photos.uploaded: topic is missing" in before.stdout

    created = _topics(settings, "--create")
    specs = desired_topics(settings)
    assert all(f"created {spec.name}" in created.stdout for spec in specs), created.stdout

    admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
    metadata = admin.list_topics(timeout=10)
    for spec in specs:
        assert len(metadata.topics[spec.name].partitions) == 3
    assert any(s.config.get("cleanup.policy") == "compact" for s in specs)
    assert check_topics(admin, specs) == []
    after = _topics(settings)
    assert after.returncode == 0, after.stdout
