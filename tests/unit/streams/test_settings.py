from __future__ import annotations

from pathlib import Path

import pytest

from streams.settings import Settings, SettingsError


def test_defaults_describe_the_embedded_stack() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.processing_guarantee == "at_least_once"


def test_environment_round_trips_through_to_env() -> None:
    settings = Settings(
        bootstrap_servers="k1:9092,k2:9092",
        topic_prefix="x.",
        partitions=12,
        buckets=("a", "b"),
        data_dir=Path("/data"),
        exactly_once_unverified=True,
        s3_endpoint_url="http://s3",
    )
    assert Settings.from_env(settings.to_env()) == settings


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("FALSE", False), ("1", True), ("off", False)]
)
def test_booleans_are_parsed_explicitly(raw: str, expected: bool) -> None:
    env = {"PHOTOSTREAM_EXACTLY_ONCE_UNVERIFIED": raw}
    assert Settings.from_env(env).exactly_once_unverified is expected


@pytest.mark.parametrize(
    "env",
    [
        {"PHOTOSTREAM_EXACTLY_ONCE_UNVERIFIED": "maybe"},
        {"PHOTOSTREAM_PARTITIONS": "four"},
        {"PHOTOSTREAM_PARTITIONS": "0"},
        {"PHOTOSTREAM_PROCESSING_GUARANTEE": "at_most_once"},
        {"PHOTOSTREAM_BUCKETS": " , "},
        {"PHOTOSTREAM_SESSION_TIMEOUT_S": "0.5"},
        {"PHOTOSTREAM_HEAD_BYTES": "10"},
    ],
)
def test_bad_values_are_refused_with_the_variable_named(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)
