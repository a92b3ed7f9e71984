"""The test renderer behaves like kustomize for what the overlays use."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .kustomize_render import KustomizeError, render
from .overlays import K8S, OVERLAYS, named, rendered

_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: a}
  template:
    metadata:
      labels: {app: a}
    spec:
      containers:
        - name: main
          image: img:1
          env:
            - {name: A, value: "1"}
          resources:
            limits: {cpu: "1"}
        - name: sidecar
          image: side
      tolerations:
        - {key: x, operator: Exists}
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_strategic_merge_merges_by_key_and_replaces_other_lists(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "base/deployment.yaml": _DEPLOYMENT,
            "base/kustomization.yaml": "resources: [deployment.yaml]\n",
            "over/patch.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
        - name: main
          env:
            - {name: B, value: "2"}
          resources:
            limits: {memory: 1Gi}
      tolerations:
        - {key: y, operator: Exists}
""",
            "over/kustomization.yaml": """\
resources: [../base]
namespace: ns
patches: [{path: patch.yaml}]
images: [{name: img, newName: reg/img, newTag: "2"}]
labels: [{pairs: {team: t}}]
""",
        },
    )
    (deployment,) = render(root / "over")
    pod = deployment["spec"]["template"]["spec"]
    main, sidecar = pod["containers"]
    assert main["image"] == "reg/img:2" and sidecar["image"] == "side"
    assert {e["name"] for e in main["env"]} == {"A", "B"}
    assert main["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    assert pod["tolerations"] == [{"key": "y", "operator": "Exists"}]
    assert deployment["metadata"]["namespace"] == "ns"
    assert deployment["metadata"]["labels"] == {"team": "t"}
    # Only metadata: selectors must not change under a running Deployment.
    assert deployment["spec"]["selector"]["matchLabels"] == {"app": "a"}


def test_config_map_generator_merges_overlay_values(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "base/a.env": "# comment\nX=1\nY=2\n",
            "base/kustomization.yaml": """\
generatorOptions: {disableNameSuffixHash: true}
configMapGenerator: [{name: cfg, envs: [a.env]}]
""",
            "over/b.env": "Y=3\n",
            "over/kustomization.yaml": """\
resources: [../base]
generatorOptions: {disableNameSuffixHash: true}
configMapGenerator: [{name: cfg, behavior: merge, envs: [b.env], literals: [Z=4]}]
""",
        },
    )
    (config_map,) = render(root / "over")
    assert config_map["data"] == {"X": "1", "Y": "3", "Z": "4"}


@pytest.mark.parametrize(
    "kustomization",
    [
        "resources: [d.yaml]\nnamePrefix: x-\n",
        "configMapGenerator: [{name: c, literals: [A=1]}]\n",
        "resources: [d.yaml]\npatches: [{path: missing.yaml, target: {kind: Deployment}}]\n",
    ],
)
def test_unimplemented_features_are_refused(tmp_path: Path, kustomization: str) -> None:
    root = _write(tmp_path, {"d.yaml": _DEPLOYMENT, "kustomization.yaml": kustomization})
    with pytest.raises(KustomizeError):
        render(root)


def test_a_patch_for_a_missing_resource_is_an_error(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "d.yaml": _DEPLOYMENT,
            "p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\n",
            "kustomization.yaml": "resources: [d.yaml]\npatches: [{path: p.yaml}]\n",
        },
    )
    with pytest.raises(KustomizeError, match="matches no resource"):
        render(root)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (built-in kustomize) absent")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_renderer_agrees_with_kubectl_kustomize(overlay: str) -> None:
    result = subprocess.run(
        ["kubectl", "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    theirs = [d for d in yaml.safe_load_all(result.stdout) if d is not None]
    ours = rendered(overlay)
    assert len(theirs) == len(ours)
    for resource in theirs:
        assert named(ours, resource["kind"], resource["metadata"]["name"]) == resource
