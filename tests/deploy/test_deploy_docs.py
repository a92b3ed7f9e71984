"""The example configuration and the capacity guide stay true to the code and the benchmarks."""

from __future__ import annotations

import re

from streams.settings import Settings

from .overlays import DEPLOY


def test_env_example_names_every_setting_and_its_values_are_valid() -> None:
    lines = (DEPLOY / "photostream.env.example").read_text().splitlines()
    active = dict(line.split("=", 1) for line in lines if line.startswith("PHOTOSTREAM_"))
    documented = {
        line.lstrip("# ").split("=", 1)[0] for line in lines if "PHOTOSTREAM_" in line
    } | set(active)
    settings = Settings.from_env(active)
    assert set(settings.to_env()) | {"PHOTOSTREAM_S3_ENDPOINT_URL"} <= documented
    assert settings.store == "rocksdb://"


def test_capacity_guide_quotes_figures_that_benchmarks_still_hold() -> None:
    # Each measured input [M..] must be a figure BENCHMARKS.md states; when a
    # benchmark is re-run and its figure changes, the guide must be redone.
    capacity = (DEPLOY / "CAPACITY.md").read_text()
    benchmarks = (DEPLOY.parent / "BENCHMARKS.md").read_text()
    rows = [line for line in capacity.splitlines() if re.match(r"\| M\d+ \|", line)]
    assert len(rows) >= 10
    for row in rows:
        figure = row.split("|")[2]
        numbers = re.findall(r"\d[\d,]*(?:\.\d+)?k?(?:-\d+)?", figure)
        assert numbers, row
        for number in numbers:
            assert number in benchmarks, f"{number} ({row.split('|')[1].strip()})"
