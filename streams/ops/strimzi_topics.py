"""Strimzi ``KafkaTopic`` resources from the topic definitions the workers use.

The manifests in ``deploy/k8s/overlays/*/topics.yaml`` are generated, never
edited: they come from :func:`streams.topic_admin.desired_topics` for the
settings of an overlay (its ``settings.env`` over the base's) and the role
sets its workloads run, so partitions, replication and configs cannot drift
from what ``photostream topics`` checks on a live cluster.

    python -m streams.ops.strimzi_topics \\
        --env-file deploy/k8s/base/settings.env \\
        --env-file deploy/k8s/overlays/prod/settings.env \\
        --output deploy/k8s/overlays/prod/topics.yaml

``--check`` compares instead of writing and exits 1 when the file differs.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..settings import Settings, SettingsError
from ..topic_admin import TopicSpec, desired_topics

__all__ = [
    "WORKLOAD_ROLE_SETS",
    "kafka_topic",
    "read_env_files",
    "render_topics",
]

#: The role sets the Kubernetes workloads run: one workload, and so one
#: consumer group and one set of changelogs, per role.
WORKLOAD_ROLE_SETS: tuple[tuple[str, ...], ...] = (("ingest",), ("curate",), ("vision",))
DEFAULT_CLUSTER = "events"

_NOT_IN_NAME = re.compile(r"[^a-z0-9.-]+")


def read_env_files(paths: Iterable[Path]) -> dict[str, str]:
    """``KEY=VALUE`` lines as kustomize's configMapGenerator reads them; later files win."""
    env: dict[str, str] = {}
    for path in paths:
        for number, raw in enumerate(path.read_text().splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep or not key:
                raise SettingsError(f"{path}:{number}: not KEY=VALUE: {raw!r}")
            env[key.strip()] = value
    return env


def _resource_name(topic: str) -> str:
    """A valid Kubernetes name for ``topic`` (the true name is in spec.topicName)."""
    name = _NOT_IN_NAME.sub("-", topic.lower()).strip(".-")
    if not name:
        raise ValueError(f"topic {topic!r} gives no usable resource name")
    return name[:253]


def kafka_topic(spec: TopicSpec, cluster: str) -> dict[str, object]:
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {
            "name": _resource_name(spec.name),
            "labels": {"strimzi.io/cluster": cluster},
        },
        "spec": {
            "topicName": spec.name,
            "partitions": spec.partitions,
            "replicas": spec.replication,
            "config": dict(sorted(spec.config.items())),
        },
    }


def _quote(value: str) -> str:
    # JSON string syntax is valid YAML and keeps "604800000" a string.
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _yaml(resource: Mapping[str, object], indent: int = 0) -> list[str]:
    lines = []
    pad = " " * indent
    for key, value in resource.items():
        if isinstance(value, Mapping):
            lines.append(f"{pad}{key}:")
            lines.extend(_yaml(value, indent + 2))
        elif isinstance(value, int):
            lines.append(f"{pad}{key}: {value}")
        else:
            lines.append(f"{pad}{key}: {_quote(str(value))}")
    return lines


def render_topics(
    settings: Settings,
    *,
    cluster: str = DEFAULT_CLUSTER,
    role_sets: Sequence[Sequence[str]] = WORKLOAD_ROLE_SETS,
    command: str = "python -m streams.ops.strimzi_topics",
) -> str:
    """Every topic the workloads need, as one multi-document YAML text."""
    header = [
        "# Generated from streams.topic_admin.desired_topics; do not edit. Regenerate with:",
        f"#   {command}",
        "# tests/deploy/test_topics_manifest.py fails when this file and the code disagree.",
    ]
    # Building the apps creates their data directories: keep those out of
    # the configured (production) path.
    with tempfile.TemporaryDirectory(prefix="photostream-topics-") as scratch:
        specs = desired_topics(settings.with_changes(data_dir=Path(scratch)), role_sets)
    documents = ["\n".join(_yaml(kafka_topic(spec, cluster))) for spec in specs]
    return "\n".join(header) + "\n" + "\n---\n".join(documents) + "\n"


def _command_line(args: argparse.Namespace) -> str:
    parts = ["python -m streams.ops.strimzi_topics"]
    parts += [f"--env-file {path}" for path in args.env_files]
    if args.cluster != DEFAULT_CLUSTER:
        parts.append(f"--cluster {args.cluster}")
    parts.append(f"--output {args.output}")
    return " ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m streams.ops.strimzi_topics", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--env-file",
        dest="env_files",
        action="append",
        type=Path,
        required=True,
        help="PHOTOSTREAM_* settings (KEY=VALUE); repeat, later files override",
    )
    parser.add_argument("--cluster", default=DEFAULT_CLUSTER, help="strimzi.io/cluster label")
    parser.add_argument("--output", type=Path, required=True, help="the topics.yaml to write")
    parser.add_argument(
        "--check", action="store_true", help="compare with --output instead of writing it"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(read_env_files(args.env_files))
    except SettingsError as exc:
        print(f"strimzi_topics: {exc}", file=sys.stderr)
        return 2
    text = render_topics(settings, cluster=args.cluster, command=_command_line(args))
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} differs from the code's topics; regenerate it", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
