"""The rendered overlays and what the tests read off them."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from streams.cli import _parser as cli_parser
from streams.settings import Settings

from .kustomize_render import render

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = ("dev", "prod")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")

Resource = dict[str, Any]


@functools.cache
def _rendered(overlay: str) -> tuple[Resource, ...]:
    return tuple(render(K8S / "overlays" / overlay))


def rendered(overlay: str) -> list[Resource]:
    return list(_rendered(overlay))


def of_kind(resources: list[Resource], kind: str) -> list[Resource]:
    return [r for r in resources if r["kind"] == kind]


def named(resources: list[Resource], kind: str, name: str) -> Resource:
    (found,) = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    return found


def settings_env(resources: list[Resource]) -> dict[str, str]:
    (config_map,) = [
        r
        for r in of_kind(resources, "ConfigMap")
        if r["metadata"]["name"] == "photostream-settings"
    ]
    return dict(config_map["data"])


def settings_of(resources: list[Resource]) -> Settings:
    return Settings.from_env(settings_env(resources))


def workloads(resources: list[Resource]) -> list[Resource]:
    return [r for r in resources if r["kind"] in WORKLOAD_KINDS]


def pod_spec(workload: Resource) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def containers(workload: Resource) -> list[dict[str, Any]]:
    pod = pod_spec(workload)
    return [*pod.get("initContainers", []), *pod["containers"]]


def worker_roles(workload: Resource) -> tuple[str, ...]:
    """The roles the workload's worker runs, read by photostream's own argument parser."""
    (worker,) = [c for c in pod_spec(workload)["containers"] if c["name"] == "worker"]
    args = cli_parser().parse_args(worker["args"])
    assert args.command == "worker", worker["args"]
    return tuple(args.roles)


def role_sets(resources: list[Resource]) -> list[tuple[str, ...]]:
    return sorted(worker_roles(w) for w in workloads(resources))
