from __future__ import annotations

import os
from pathlib import Path

import pytest

from streams.app import bytes_table, create_app
from streams.settings import Settings, SettingsError

MIB = 1024 * 1024


def _rocksdb_settings(tmp_path: Path, **env: str) -> Settings:
    base = {"PHOTOSTREAM_STORE": "rocksdb://", "PHOTOSTREAM_DATA_DIR": str(tmp_path)}
    return Settings.from_env({**base, **{f"PHOTOSTREAM_{k}": v for k, v in env.items()}})


def test_a_table_partition_keeps_its_memtables_and_cache_within_the_settings(
    tmp_path: Path,
) -> None:
    settings = _rocksdb_settings(tmp_path, TABLE_WRITE_BUFFER_MB="1", TABLE_BLOCK_CACHE_MB="3")
    assert Settings.from_env(settings.to_env()) == settings
    table = bytes_table(create_app(settings), "memory-check", settings)
    db = table.data._db_for_partition(0)  # type: ignore[attr-defined]
    value = os.urandom(2000)
    # 20 MiB of writes: Faust's default 64 MiB write buffer would hold all of it.
    for i in range(10_000):
        db[f"user-{i}".encode()] = value
    assert db.property_int_value("rocksdb.cur-size-all-mem-tables") <= 2 * MIB + MIB // 4
    assert db.property_int_value("rocksdb.block-cache-capacity") == 3 * MIB


@pytest.mark.parametrize("name", ["TABLE_WRITE_BUFFER_MB", "TABLE_BLOCK_CACHE_MB"])
@pytest.mark.parametrize("raw", ["0", "lots"])
def test_a_bad_table_memory_setting_is_refused(name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=r"(?i)table_(write_buffer|block_cache)_mb"):
        Settings.from_env({f"PHOTOSTREAM_{name}": raw})
