"""The Kubernetes manifests: valid, complete, and wired to what the workers really do.

Built-in kinds are validated against the Kubernetes JSON schemas that
kubernetes-validate ships (strict: unknown fields fail); the custom resources
(KEDA, Strimzi) against the schemas in deploy/k8s/schemas/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import faust.stores
import jsonschema
import kubernetes_validate
import pytest
import yaml

from streams.settings import Settings
from streams.worker import ROLES, build_worker_app, consumer_group

from .overlays import (
    DEPLOY,
    K8S,
    OVERLAYS,
    Resource,
    containers,
    named,
    of_kind,
    pod_spec,
    rendered,
    role_sets,
    settings_env,
    settings_of,
    worker_roles,
    workloads,
)

KUBERNETES_VERSION = "1.30.0"
CUSTOM_SCHEMAS = {
    path.stem: json.loads(path.read_text()) for path in (K8S / "schemas").glob("*.json")
}
EXAMPLES = sorted((K8S / "examples").glob("*.yaml"))
ALL_YAML = sorted(DEPLOY.rglob("*.yaml"))


def _validate(resource: Resource) -> None:
    group_version = resource["apiVersion"].replace("/", "_")
    custom = CUSTOM_SCHEMAS.get(f"{group_version}_{resource['kind']}")
    if custom is not None:
        jsonschema.validate(resource, custom)
        return
    kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("path", ALL_YAML, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_yaml_file_parses(path: Path) -> None:
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    assert documents, f"{path} holds no document"
    assert all(isinstance(d, dict) for d in documents)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rendered_resources_validate_against_their_schemas(overlay: str) -> None:
    resources = rendered(overlay)
    assert {r["kind"] for r in resources} >= {
        "ConfigMap",
        "Deployment",
        "StatefulSet",
        "PodDisruptionBudget",
        "ScaledObject",
        "KafkaTopic",
    }
    for resource in resources:
        _validate(resource)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_credential_examples_validate(path: Path) -> None:
    for resource in yaml.safe_load_all(path.read_text()):
        _validate(resource)


def test_validation_rejects_a_misspelt_field() -> None:
    # The checks above are only worth something if a typo fails them.
    deployment = named(rendered("prod"), "Deployment", "photostream-ingest")
    broken: dict[str, Any] = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["resource"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        _validate(broken)
    scaled = json.loads(json.dumps(named(rendered("prod"), "ScaledObject", "photostream-vision")))
    scaled["spec"]["triggers"][0]["metadata"]["lagThreshold"] = 850  # must be a string
    with pytest.raises(jsonschema.ValidationError):
        _validate(scaled)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_requests_and_limits(overlay: str) -> None:
    for workload in workloads(rendered(overlay)):
        for container in containers(workload):
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    assert what in resources.get(bound, {}), (
                        f"{overlay}: {workload['metadata']['name']}/{container['name']} "
                        f"has no {what} {bound}"
                    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_workload_per_role_with_probes_on_the_worker_endpoints(overlay: str) -> None:
    resources = rendered(overlay)
    assert role_sets(resources) == sorted((role,) for role in ROLES)
    port = settings_of(resources).http_port
    assert port == 9400
    for workload in workloads(resources):
        (worker,) = [c for c in pod_spec(workload)["containers"] if c["name"] == "worker"]
        ports = {p["name"]: p["containerPort"] for p in worker["ports"]}
        assert ports["http"] == port
        probes = {
            kind: worker[kind]["httpGet"]
            for kind in ("startupProbe", "livenessProbe", "readinessProbe")
        }
        assert probes["livenessProbe"]["path"] == "/livez"
        assert probes["startupProbe"]["path"] == "/livez"
        assert probes["readinessProbe"]["path"] == "/readyz"
        for probe in probes.values():
            assert probe["port"] in ("http", port)
        annotations = workload["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(port)
        assert annotations["prometheus.io/path"] == "/metrics"
        # Settings arrive whole from the ConfigMap.
        assert {"configMapRef": {"name": "photostream-settings"}} in worker["envFrom"]


def _settings_names_in_code() -> set[str]:
    names = set(Settings().to_env())
    for path in (Path(__file__).resolve().parents[2] / "streams").rglob("*.py"):
        names.update(re.findall(r"PHOTOSTREAM_[A-Z0-9_]+", path.read_text()))
    return names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_config_map_holds_valid_known_settings(overlay: str) -> None:
    resources = rendered(overlay)
    env = settings_env(resources)
    unknown = set(env) - _settings_names_in_code()
    assert not unknown, f"settings no code reads: {sorted(unknown)}"
    settings = Settings.from_env(env)
    # Every workload's own env entries are settings too, and valid on top of the map.
    for workload in workloads(resources):
        for container in containers(workload):
            extra = {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
            assert not set(extra) - _settings_names_in_code()
            Settings.from_env({**env, **extra})
    # The store must be one Faust knows, with its data directory on a volume.
    assert faust.stores.by_url(settings.store) is not None
    assert settings.store.startswith("rocksdb://")
    for workload in workloads(resources):
        (worker,) = [c for c in pod_spec(workload)["containers"] if c["name"] == "worker"]
        mounts = {m["mountPath"]: m["name"] for m in worker["volumeMounts"]}
        assert str(settings.data_dir) in mounts, workload["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_curate_keeps_rocksdb_on_a_persistent_volume_with_standbys(overlay: str) -> None:
    resources = rendered(overlay)
    settings = settings_of(resources)
    curate = named(resources, "StatefulSet", "photostream-curate")
    assert worker_roles(curate) == ("curate",)
    (worker,) = pod_spec(curate)["containers"]
    mounts = {m["mountPath"]: m["name"] for m in worker["volumeMounts"]}
    claims = {t["metadata"]["name"] for t in curate["spec"]["volumeClaimTemplates"]}
    assert mounts[str(settings.data_dir)] in claims
    assert settings.table_standby_replicas >= 1
    scaled = named(resources, "ScaledObject", "photostream-curate")
    # A standby needs a second worker to live on.
    assert scaled["spec"]["minReplicaCount"] > settings.table_standby_replicas
    assert named(resources, "Service", curate["spec"]["serviceName"])["spec"]["clusterIP"] == (
        "None"
    )


def _subscribed_topics(settings: Settings, roles: tuple[str, ...], tmp: Path) -> set[str]:
    app = build_worker_app(settings.with_changes(data_dir=tmp), roles)
    topics: set[str] = set()
    for agent in app.agents.values():
        topics.update(agent.channel.topics)  # type: ignore[attr-defined]
    return topics


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscaling_watches_each_roles_own_group_and_topics(overlay: str, tmp_path: Path) -> None:
    resources = rendered(overlay)
    settings = settings_of(resources)
    scaled_objects = of_kind(resources, "ScaledObject")
    targets = set()
    for scaled in scaled_objects:
        spec = scaled["spec"]
        ref = spec["scaleTargetRef"]
        target = named(resources, ref["kind"], ref["name"])
        targets.add(ref["name"])
        roles = worker_roles(target)
        subscribed = _subscribed_topics(settings, roles, tmp_path)
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        # A consumer beyond the partition count would sit idle.
        assert spec["maxReplicaCount"] <= settings.partitions
        assert spec["triggers"]
        for trigger in spec["triggers"]:
            assert trigger["type"] == "kafka"
            meta = trigger["metadata"]
            assert meta["consumerGroup"] == consumer_group(settings, roles)
            assert meta["topic"] in subscribed, (meta["topic"], subscribed)
            assert meta["bootstrapServers"] == settings.bootstrap_servers
            assert int(meta["lagThreshold"]) > 0
            assert meta.get("allowIdleConsumers", "false") == "false"
    assert targets == {w["metadata"]["name"] for w in workloads(resources)}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_has_a_disruption_budget_selecting_its_pods(overlay: str) -> None:
    resources = rendered(overlay)
    budgets = of_kind(resources, "PodDisruptionBudget")
    for workload in workloads(resources):
        labels = workload["spec"]["template"]["metadata"]["labels"]
        matching = [
            b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        assert len(matching) == 1, workload["metadata"]["name"]
        assert matching[0]["spec"]["maxUnavailable"] == 1


def test_prod_vision_runs_on_gpu_nodes_and_dev_needs_none() -> None:
    prod = named(rendered("prod"), "Deployment", "photostream-vision")
    pod = pod_spec(prod)
    (worker,) = pod["containers"]
    assert worker["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert pod["nodeSelector"]
    assert any(t["key"] == "nvidia.com/gpu" for t in pod["tolerations"])
    env = {e["name"]: e["value"] for e in worker["env"]}
    assert env["PHOTOSTREAM_VISION_PROVIDERS"].split(",")[0] == "cuda"
    gpu_users = {
        (overlay, workload["metadata"]["name"])
        for overlay in OVERLAYS
        for workload in workloads(rendered(overlay))
        for container in containers(workload)
        if "nvidia.com/gpu" in container["resources"]["limits"]
    }
    assert gpu_users == {("prod", "photostream-vision")}


def test_prod_settings_replicate_and_run_exactly_once() -> None:
    settings = settings_of(rendered("prod"))
    assert settings.replication_factor == 3
    assert settings.processing_guarantee == "exactly_once"
    assert settings.partitions >= 48


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlays_apply_before_any_secret_exists(overlay: str) -> None:
    # Credentials are created by hand (deploy/README.md, "Credentials"); a
    # missing one must not keep pods from starting where it is not needed.
    for workload in workloads(rendered(overlay)):
        for container in containers(workload):
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    assert source["secretRef"].get("optional") is True
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                assert ref is None or ref.get("optional") is True
