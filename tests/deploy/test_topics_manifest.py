"""The committed KafkaTopic manifests are exactly what the code's topic definitions give."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.ops.strimzi_topics import (
    WORKLOAD_ROLE_SETS,
    kafka_topic,
    main,
    read_env_files,
    render_topics,
)
from streams.settings import Settings
from streams.topic_admin import desired_topics

from .overlays import K8S, OVERLAYS, of_kind, rendered, role_sets, settings_of

REPO = Path(__file__).resolve().parents[2]


def _env_files(overlay: str) -> list[Path]:
    return [K8S / "base" / "settings.env", K8S / "overlays" / overlay / "settings.env"]


def _command(overlay: str) -> str:
    files = " ".join(f"--env-file {p.relative_to(REPO)}" for p in _env_files(overlay))
    output = (K8S / "overlays" / overlay / "topics.yaml").relative_to(REPO)
    return f"python -m streams.ops.strimzi_topics {files} --output {output}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_committed_topics_file_is_what_the_generator_writes(overlay: str) -> None:
    settings = Settings.from_env(read_env_files(_env_files(overlay)))
    expected = render_topics(settings, command=_command(overlay))
    committed = (K8S / "overlays" / overlay / "topics.yaml").read_text()
    assert committed == expected, f"regenerate with: {_command(overlay)}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rendered_topics_match_the_code_for_the_deployed_workloads(
    overlay: str, tmp_path: Path
) -> None:
    # Independent of the generator's own settings reading: the settings come
    # from the rendered ConfigMap, the role sets from the rendered workloads.
    resources = rendered(overlay)
    settings = settings_of(resources).with_changes(data_dir=tmp_path)
    assert sorted(WORKLOAD_ROLE_SETS) == role_sets(resources)
    expected = {
        spec.name: kafka_topic(spec, "events")["spec"]
        for spec in desired_topics(settings, role_sets(resources))
    }
    found = {t["spec"]["topicName"]: t["spec"] for t in of_kind(resources, "KafkaTopic")}
    assert found == expected
    # The changelog of every table a workload declares is among them.
    for roles in role_sets(resources):
        group = "-".join([settings.app_id, *roles])
        assert any(name.startswith(group) and name.endswith("-changelog") for name in found)


def test_prod_topics_are_replicated_compacted_and_retained() -> None:
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind(rendered("prod"), "KafkaTopic")}
    partitions = settings_of(rendered("prod")).partitions
    assert "photos.uploaded" in topics
    for name, spec in topics.items():
        assert spec["replicas"] == 3, name
        assert spec["partitions"] == partitions, name
        assert spec["config"]["min.insync.replicas"] == "2", name
        if name.endswith("-changelog") or name.endswith("photos.ledger"):
            assert spec["config"]["cleanup.policy"] == "compact", name
            assert "retention.ms" not in spec["config"], name
        else:
            assert spec["config"]["cleanup.policy"] == "delete", name
            assert int(spec["config"]["retention.ms"]) >= 24 * 3600 * 1000, name


def test_check_mode_fails_on_a_stale_file(tmp_path: Path) -> None:
    output = tmp_path / "topics.yaml"
    args = [*(a for p in _env_files("prod") for a in ("--env-file", str(p))), "--output"]
    assert main([*args, str(output)]) == 0
    assert main([*args, str(output), "--check"]) == 0
    output.write_text(output.read_text().replace("replicas: 3", "replicas: 2", 1))
    assert main([*args, str(output), "--check"]) == 1


def test_topics_with_names_kubernetes_refuses_keep_their_true_name(tmp_path: Path) -> None:
    settings = Settings(topic_prefix="Team_A.", data_dir=tmp_path)
    (spec, *_) = desired_topics(settings, WORKLOAD_ROLE_SETS)
    resource = kafka_topic(spec, "events")
    assert resource["spec"]["topicName"] == spec.name  # type: ignore[index]
    assert resource["metadata"]["name"].startswith("team-a.")  # type: ignore[index]
