"""deploy/compose.yaml: not run here (no Docker), but its wiring is checked."""

from __future__ import annotations

from typing import Any

import yaml

from streams.cli import _parser as cli_parser
from streams.settings import Settings
from streams.worker import DEPLOYMENTS, ROLES

from .overlays import DEPLOY

COMPOSE: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]


def _photostream_services() -> dict[str, Any]:
    return {
        name: service
        for name, service in SERVICES.items()
        if service.get("build", {}).get("dockerfile") == "deploy/Dockerfile"
    }


def test_kafka_runs_in_kraft_mode_without_zookeeper() -> None:
    env = SERVICES["kafka"]["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert "KAFKA_CONTROLLER_QUORUM_VOTERS" in env
    assert not any("zookeeper" in name for name in SERVICES)
    assert not any("ZOOKEEPER" in key for key in env)
    # Topics come from `photostream topics --create`, never from auto-creation.
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_workers_use_the_stack_and_valid_settings() -> None:
    workers = _photostream_services()
    assert workers
    for name, service in workers.items():
        settings = Settings.from_env(service["environment"])
        assert settings.bootstrap_servers.split(":")[0] == "kafka", name
        assert settings.schema_registry_url == "http://schema-registry:8081"
        assert settings.s3_endpoint_url == "http://minio:9000"
        assert settings.store == "rocksdb://"
        known = settings.to_env()
        for key in service["environment"]:
            if key.startswith("PHOTOSTREAM_"):
                assert key in known, key


def test_bucket_job_creates_the_configured_bucket() -> None:
    buckets = Settings.from_env(_photostream_services()["topics"]["environment"]).buckets
    script = " ".join(SERVICES["bucket"]["command"])
    for bucket in buckets:
        assert f"local/{bucket}" in script


def test_workers_cover_every_role_in_the_groups_the_topics_command_creates() -> None:
    # `photostream topics --create` creates the changelogs of DEPLOYMENTS'
    # groups, so the workers must run exactly those role sets.
    role_sets = []
    for service in _photostream_services().values():
        args = cli_parser().parse_args(service["command"])
        if args.command == "worker":
            role_sets.append(tuple(r for r in ROLES if r in args.roles))
        else:
            assert service["command"] == ["topics", "--create"]
    assert sorted(role_sets) == sorted(d for d in DEPLOYMENTS if d != ROLES)
