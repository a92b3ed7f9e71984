from __future__ import annotations

from pathlib import Path

import pytest

from streams.app import create_app
from streams.settings import Settings, SettingsError


def test_standby_replicas_reach_the_faust_app(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PHOTOSTREAM_TABLE_STANDBY_REPLICAS": "2", "PHOTOSTREAM_DATA_DIR": str(tmp_path)}
    )
    assert settings.table_standby_replicas == 2
    assert Settings.from_env(settings.to_env()) == settings
    assert create_app(settings).conf.table_standby_replicas == 2


def test_one_standby_by_default_and_none_on_request(tmp_path: Path) -> None:
    assert Settings().table_standby_replicas == 1
    env = {"PHOTOSTREAM_TABLE_STANDBY_REPLICAS": "0", "PHOTOSTREAM_DATA_DIR": str(tmp_path)}
    assert create_app(Settings.from_env(env)).conf.table_standby_replicas == 0


@pytest.mark.parametrize("raw", ["-1", "one"])
def test_a_bad_standby_count_is_refused(raw: str) -> None:
    with pytest.raises(SettingsError, match="TABLE_STANDBY_REPLICAS"):
        Settings.from_env({"PHOTOSTREAM_TABLE_STANDBY_REPLICAS": raw})
