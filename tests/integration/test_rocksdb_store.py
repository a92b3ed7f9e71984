"""The production store: RocksDB tables in the data directory survive a restart in place.

This is how the Kubernetes StatefulSet runs curate (deploy/README.md): the
same worker name and data directory after a restart, PHOTOSTREAM_STORE=rocksdb://.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image

from streams.worker import consumer_group

from .conftest import Pipeline
from .worker_restart import process_then_stop, repeat_after_restart, uploads_across_users

pytestmark = pytest.mark.integration

_USERS = 4


def _jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0132] = "2023:07:14 18:30:05"
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 120, 150)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_rocksdb_tables_persist_in_the_data_directory_across_a_restart(
    pipeline_factory: Callable[..., Pipeline],
) -> None:
    pipeline = pipeline_factory(store="rocksdb://")
    data = _jpeg()
    uploads = uploads_across_users(pipeline, data, count=40, users=_USERS)
    process_then_stop(pipeline, uploads, "w1")

    group = consumer_group(pipeline.settings, ("ingest", "curate"))
    worker_dir = pipeline.settings.data_dir / group / "w1"
    databases = [p for p in worker_dir.rglob("*.db") if (p / "CURRENT").exists()]
    assert databases, f"no RocksDB database under {worker_dir}"

    # The same worker name finds its databases again; every repeated upload
    # is recognised as done.
    records = repeat_after_restart(pipeline, uploads, data=data, users=_USERS, worker="w1")
    assert len(records) == 40 + _USERS, "repeated uploads were processed again after restart"
    assert "skipping repeated upload event" in pipeline.worker_log("w1")
