"""The Grafana dashboard parses and queries only metrics the workers expose."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from streams.observability.metrics import exposed_names

DASHBOARD = Path(__file__).parents[3] / "deploy" / "grafana" / "photostream-dashboard.json"

# Throughput, stage and end-to-end latency, dead letters, lag and readiness.
REQUIRED = {
    "photostream_events_in_total",
    "photostream_events_out_total",
    "photostream_stage_seconds_bucket",
    "photostream_upload_to_timeline_seconds_bucket",
    "photostream_deadletters_total",
    "photostream_consumer_lag",
    "photostream_ready",
}

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACES = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w$.])([A-Za-z_:][\w:]*)(\s*\()?")
_KEYWORDS = {"and", "or", "unless", "offset", "bool", "inf", "nan", "group_left", "group_right"}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (function names and labels left out)."""
    stripped = _GROUPING.sub(" ", _RANGE.sub(" ", _BRACES.sub(" ", _STRING.sub('""', expr))))
    return {
        name
        for name, call in _IDENTIFIER.findall(stripped)
        if not call and name.lower() not in _KEYWORDS
    }


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('sum by (topic) (rate(a_total{job=~"$job"}[$__rate_interval]))', {"a_total"}),
        ("histogram_quantile(0.99, sum by (le) (rate(b_bucket[5m])))", {"b_bucket"}),
        ("c / on (pod) group_left d", {"c", "d"}),
        ('sum(e{le="+Inf"}) / count(e offset 5m)', {"e"}),
    ],
)
def test_metric_names_reads_selectors_only(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def _dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def _exprs(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def test_every_panel_query_uses_only_metrics_the_workers_define() -> None:
    known = exposed_names()
    exprs = _exprs(_dashboard())
    assert exprs
    used: set[str] = set()
    for expr in exprs:
        names = metric_names(expr)
        assert names, f"no metric in {expr!r}"
        assert names <= known, f"{expr!r} uses undefined {sorted(names - known)}"
        used |= names
    assert not REQUIRED - used, f"no panel shows {sorted(REQUIRED - used)}"


def test_template_variables_read_a_defined_metric() -> None:
    known = exposed_names()
    for variable in _dashboard()["templating"]["list"]:
        if variable["type"] != "query":
            continue
        query = variable["query"]["query"]
        match = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", query)
        assert match, query
        assert match.group(1) in known


def test_panels_have_unique_ids_and_a_datasource() -> None:
    panels = _dashboard()["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    for panel in panels:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
