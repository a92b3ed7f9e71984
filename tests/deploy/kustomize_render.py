"""A small kustomize: renders photostream's overlays without a cluster or binary.

It implements the parts of kustomize the manifests in ``deploy/k8s`` use and
refuses anything else, so a new feature in a kustomization fails the tests
instead of rendering wrongly:

- ``resources`` (files, and directories holding a kustomization);
- ``configMapGenerator`` with ``envs``/``literals`` and ``behavior``
  create/merge/replace, with ``generatorOptions.disableNameSuffixHash``;
- ``patches`` with ``path`` (strategic merge; several documents per file);
- ``namespace``, ``labels`` (metadata only) and ``images``.

Strategic merge follows Kubernetes' rules for the lists the patches touch:
lists of built-in kinds merge by their patch merge key (containers and
volumes by name, ...), every other list is replaced, maps merge, ``null``
deletes. Custom resources merge like a JSON merge patch, as kustomize does
for kinds it has no schema for.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

__all__ = ["KustomizeError", "render"]

Resource = dict[str, Any]

_KNOWN_FIELDS = {
    "apiVersion",
    "kind",
    "resources",
    "configMapGenerator",
    "generatorOptions",
    "patches",
    "namespace",
    "labels",
    "images",
}
_CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}
# Patch merge keys of the Kubernetes API for the lists photostream patches.
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "topologySpreadConstraints": "topologyKey",
    "imagePullSecrets": "name",
}
_BUILT_IN_GROUPS = {"v1", "apps/v1", "policy/v1", "batch/v1", "autoscaling/v2"}


class KustomizeError(ValueError):
    """A kustomization uses something this renderer does not implement, or is wrong."""


def _load_documents(path: Path) -> list[Resource]:
    with path.open() as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def _key(resource: Resource) -> tuple[str, str]:
    return resource["kind"], resource["metadata"]["name"]


def _read_env(path: Path) -> dict[str, str]:
    data = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise KustomizeError(f"{path}: not KEY=VALUE: {line!r}")
        data[key] = value
    return data


def _generated_config_map(root: Path, spec: dict[str, Any]) -> Resource:
    unknown = set(spec) - {"name", "envs", "literals", "behavior"}
    if unknown:
        raise KustomizeError(f"configMapGenerator fields not implemented: {sorted(unknown)}")
    data: dict[str, str] = {}
    for env in spec.get("envs", []):
        data.update(_read_env(root / env))
    for literal in spec.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": spec["name"]},
        "data": data,
    }


def _merge(base: Any, patch: Any, *, built_in: bool, field: str | None = None) -> Any:
    if isinstance(patch, dict) and isinstance(base, dict):
        if "$patch" in patch:
            raise KustomizeError("$patch directives are not implemented")
        merged = dict(base)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = _merge(merged[key], value, built_in=built_in, field=key)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(patch, list) and isinstance(base, list) and built_in and field in _MERGE_KEYS:
        merge_key = _MERGE_KEYS[field]
        merged_list = [copy.deepcopy(item) for item in base]
        for item in patch:
            position = next(
                (i for i, old in enumerate(merged_list) if old.get(merge_key) == item[merge_key]),
                None,
            )
            if position is None:
                # New entries go first, as kustomize's merge places them.
                merged_list.insert(0, copy.deepcopy(item))
            else:
                merged_list[position] = _merge(
                    merged_list[position], item, built_in=built_in, field=None
                )
        return merged_list
    return copy.deepcopy(patch)


def _apply_patch(resources: dict[tuple[str, str], Resource], patch: Resource) -> None:
    key = _key(patch)
    if key not in resources:
        raise KustomizeError(f"patch for {key} matches no resource")
    built_in = patch.get("apiVersion") in _BUILT_IN_GROUPS
    resources[key] = _merge(resources[key], patch, built_in=built_in)


def _containers(resource: Resource) -> Iterable[dict[str, Any]]:
    pod = resource.get("spec", {}).get("template", {}).get("spec", {})
    yield from pod.get("initContainers", [])
    yield from pod.get("containers", [])


def _set_image(container: dict[str, Any], images: list[dict[str, str]]) -> None:
    image = container["image"]
    name, _, _tag = image.partition(":")
    for rule in images:
        unknown = set(rule) - {"name", "newName", "newTag", "digest"}
        if unknown:
            raise KustomizeError(f"images fields not implemented: {sorted(unknown)}")
        if rule["name"] != name:
            continue
        new = rule.get("newName", name)
        if "digest" in rule:
            container["image"] = f"{new}@{rule['digest']}"
        elif "newTag" in rule:
            container["image"] = f"{new}:{rule['newTag']}"
        else:
            container["image"] = image.replace(name, new, 1)
        return


def render(directory: Path) -> list[Resource]:
    """The resources ``kubectl kustomize directory`` would print, in no set order."""
    root = Path(directory)
    kustomization = yaml.safe_load((root / "kustomization.yaml").read_text())
    unknown = set(kustomization) - _KNOWN_FIELDS
    if unknown:
        raise KustomizeError(f"{root}: kustomization fields not implemented: {sorted(unknown)}")

    resources: dict[tuple[str, str], Resource] = {}

    def add(resource: Resource) -> None:
        key = _key(resource)
        if key in resources:
            raise KustomizeError(f"{root}: {key} defined twice")
        resources[key] = resource

    for entry in kustomization.get("resources", []):
        path = root / entry
        for resource in render(path) if path.is_dir() else _load_documents(path):
            add(resource)

    options = kustomization.get("generatorOptions", {})
    if kustomization.get("configMapGenerator") and not options.get("disableNameSuffixHash"):
        raise KustomizeError("hashed ConfigMap names are not implemented")
    for spec in kustomization.get("configMapGenerator", []):
        generated = _generated_config_map(root, spec)
        behavior = spec.get("behavior", "create")
        key = _key(generated)
        if behavior == "create":
            add(generated)
        elif key not in resources:
            raise KustomizeError(f"configMapGenerator {behavior} of unknown {key}")
        elif behavior == "merge":
            resources[key]["data"] = {**resources[key].get("data", {}), **generated["data"]}
        elif behavior == "replace":
            resources[key] = {**generated, "metadata": resources[key]["metadata"]}
        else:
            raise KustomizeError(f"configMapGenerator behavior {behavior!r}")

    for entry in kustomization.get("patches", []):
        if set(entry) != {"path"}:
            raise KustomizeError(f"only file patches are implemented: {entry}")
        for patch in _load_documents(root / entry["path"]):
            _apply_patch(resources, patch)

    namespace = kustomization.get("namespace")
    for resource in resources.values():
        metadata = resource["metadata"]
        if namespace and resource["kind"] not in _CLUSTER_SCOPED:
            metadata["namespace"] = namespace
        for label_set in kustomization.get("labels", []):
            if label_set.get("includeSelectors") or label_set.get("includeTemplates"):
                raise KustomizeError("labels on selectors or templates are not implemented")
            metadata["labels"] = {**metadata.get("labels", {}), **label_set["pairs"]}
        for container in _containers(resource):
            _set_image(container, kustomization.get("images", []))
    return list(resources.values())
