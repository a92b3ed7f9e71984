"""The one settings object, built once from ``PHOTOSTREAM_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["Settings", "SettingsError"]

_PREFIX = "PHOTOSTREAM_"
_GUARANTEES = ("at_least_once", "exactly_once")


class SettingsError(ValueError):
    """An environment variable holds a value photostream cannot use."""


def _parse_bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (use true or false)")


def _parse_number(name: str, raw: str, kind: type[int] | type[float]) -> float:
    try:
        value = kind(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r} is not a valid {kind.__name__}") from exc
    if value < 0:
        raise SettingsError(f"{name}={raw!r} must not be negative")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a photostream process is configured with.

    Defaults describe the embedded dev stack; production overrides them
    through the environment (see README "Configuration").
    """

    bootstrap_servers: str = "127.0.0.1:9092"
    app_id: str = "photostream"
    topic_prefix: str = ""
    partitions: int = 4
    replication_factor: int = 1
    s3_endpoint_url: str | None = None
    # Unset: schema ids come from the checked-in manifest (no registry calls).
    schema_registry_url: str | None = None
    s3_region: str = "us-east-1"
    buckets: tuple[str, ...] = ("photos",)
    store: str = "memory://"
    data_dir: Path = Path("var/faust")
    processing_guarantee: str = "at_least_once"
    # Run exactly_once even where the start-up probe finds no working
    # transactions (a broker the probe misjudges); effects stay idempotent.
    exactly_once_unverified: bool = False
    # The embedded broker holds JoinGroup for half the session timeout, so a
    # short one keeps rebalances quick; Apache Kafka is happy with 10-45 s.
    session_timeout_s: float = 6.0
    fetch_max_wait_ms: int = 100
    producer_linger_ms: int = 5
    head_bytes: int = 64 * 1024
    max_head_bytes: int = 16 * 1024 * 1024
    extract_threads: int = 2
    # One retry layer for transient faults (S3 throttling, resets, timeouts):
    # exponential backoff with full jitter, then the dead-letter topic.
    retry_attempts: int = 6
    retry_base_delay_s: float = 0.2
    retry_max_delay_s: float = 10.0
    agent_concurrency: int = 4
    # How often each worker sends its users their on-this-day tick; ticks are
    # idempotent, so hourly survives a worker that was down at midnight.
    memories_interval_s: float = 3600.0
    # Empty: ingest requests no vision scores (no vision workers deployed).
    vision_model_version: str = "vision-1"
    vision_batch_size: int = 8
    vision_batch_window_s: float = 0.05
    vision_threads: int = 1
    max_image_bytes: int = 64 * 1024 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(_PREFIX + name)

        def num(name: str, kind: type[int] | type[float], default: float) -> float:
            raw = get(name)
            return default if raw is None else _parse_number(_PREFIX + name, raw, kind)

        defaults = cls()
        guarantee = get("PROCESSING_GUARANTEE") or defaults.processing_guarantee
        if guarantee not in _GUARANTEES:
            raise SettingsError(
                f"{_PREFIX}PROCESSING_GUARANTEE={guarantee!r}: use one of {', '.join(_GUARANTEES)}"
            )
        buckets_raw = get("BUCKETS")
        buckets = (
            tuple(b.strip() for b in buckets_raw.split(",") if b.strip())
            if buckets_raw is not None
            else defaults.buckets
        )
        if not buckets:
            raise SettingsError(f"{_PREFIX}BUCKETS names no bucket")
        settings = cls(
            bootstrap_servers=get("BOOTSTRAP_SERVERS") or defaults.bootstrap_servers,
            app_id=get("APP_ID") or defaults.app_id,
            topic_prefix=get("TOPIC_PREFIX") or "",
            partitions=int(num("PARTITIONS", int, defaults.partitions)),
            replication_factor=int(num("REPLICATION_FACTOR", int, defaults.replication_factor)),
            s3_endpoint_url=get("S3_ENDPOINT_URL") or None,
            schema_registry_url=get("SCHEMA_REGISTRY_URL") or None,
            s3_region=get("S3_REGION") or defaults.s3_region,
            buckets=buckets,
            store=get("STORE") or defaults.store,
            data_dir=Path(get("DATA_DIR") or defaults.data_dir),
            processing_guarantee=guarantee,
            exactly_once_unverified=_parse_bool(
                _PREFIX + "EXACTLY_ONCE_UNVERIFIED", get("EXACTLY_ONCE_UNVERIFIED") or ""
            ),
            session_timeout_s=num("SESSION_TIMEOUT_S", float, defaults.session_timeout_s),
            fetch_max_wait_ms=int(num("FETCH_MAX_WAIT_MS", int, defaults.fetch_max_wait_ms)),
            producer_linger_ms=int(num("PRODUCER_LINGER_MS", int, defaults.producer_linger_ms)),
            head_bytes=int(num("HEAD_BYTES", int, defaults.head_bytes)),
            max_head_bytes=int(num("MAX_HEAD_BYTES", int, defaults.max_head_bytes)),
            extract_threads=int(num("EXTRACT_THREADS", int, defaults.extract_threads)),
            retry_attempts=int(num("RETRY_ATTEMPTS", int, defaults.retry_attempts)),
            retry_base_delay_s=num("RETRY_BASE_DELAY_S", float, defaults.retry_base_delay_s),
            retry_max_delay_s=num("RETRY_MAX_DELAY_S", float, defaults.retry_max_delay_s),
            agent_concurrency=int(num("AGENT_CONCURRENCY", int, defaults.agent_concurrency)),
            vision_model_version=env.get(
                _PREFIX + "VISION_MODEL_VERSION", defaults.vision_model_version
            ),
            vision_batch_size=int(num("VISION_BATCH_SIZE", int, defaults.vision_batch_size)),
            vision_batch_window_s=num(
                "VISION_BATCH_WINDOW_S", float, defaults.vision_batch_window_s
            ),
            vision_threads=int(num("VISION_THREADS", int, defaults.vision_threads)),
            max_image_bytes=int(num("MAX_IMAGE_BYTES", int, defaults.max_image_bytes)),
            memories_interval_s=num("MEMORIES_INTERVAL_S", float, defaults.memories_interval_s),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.partitions < 1:
            raise SettingsError("partitions must be at least 1")
        if self.head_bytes < 1024 or self.head_bytes > self.max_head_bytes:
            raise SettingsError("head_bytes must be between 1 KiB and max_head_bytes")
        if self.session_timeout_s < 1:
            raise SettingsError("session timeout below 1 s never lets a group settle")
        if self.vision_batch_size < 1 or self.vision_threads < 1:
            raise SettingsError("vision_batch_size and vision_threads must be at least 1")
        if self.retry_attempts < 1:
            raise SettingsError("retry_attempts must be at least 1")
        if self.extract_threads < 1 or self.agent_concurrency < 1:
            raise SettingsError("extract_threads and agent_concurrency must be at least 1")

    def to_env(self) -> dict[str, str]:
        """The environment that rebuilds these settings in a child process."""
        env = {
            "BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "APP_ID": self.app_id,
            "TOPIC_PREFIX": self.topic_prefix,
            "PARTITIONS": str(self.partitions),
            "REPLICATION_FACTOR": str(self.replication_factor),
            "S3_REGION": self.s3_region,
            "BUCKETS": ",".join(self.buckets),
            "STORE": self.store,
            "DATA_DIR": str(self.data_dir),
            "PROCESSING_GUARANTEE": self.processing_guarantee,
            "EXACTLY_ONCE_UNVERIFIED": str(self.exactly_once_unverified).lower(),
            "SESSION_TIMEOUT_S": str(self.session_timeout_s),
            "FETCH_MAX_WAIT_MS": str(self.fetch_max_wait_ms),
            "PRODUCER_LINGER_MS": str(self.producer_linger_ms),
            "HEAD_BYTES": str(self.head_bytes),
            "MAX_HEAD_BYTES": str(self.max_head_bytes),
            "EXTRACT_THREADS": str(self.extract_threads),
            "RETRY_ATTEMPTS": str(self.retry_attempts),
            "RETRY_BASE_DELAY_S": str(self.retry_base_delay_s),
            "RETRY_MAX_DELAY_S": str(self.retry_max_delay_s),
            "AGENT_CONCURRENCY": str(self.agent_concurrency),
            "MEMORIES_INTERVAL_S": str(self.memories_interval_s),
            "VISION_MODEL_VERSION": self.vision_model_version,
            "VISION_BATCH_SIZE": str(self.vision_batch_size),
            "VISION_BATCH_WINDOW_S": str(self.vision_batch_window_s),
            "VISION_THREADS": str(self.vision_threads),
            "MAX_IMAGE_BYTES": str(self.max_image_bytes),
        }
        if self.s3_endpoint_url:
            env["S3_ENDPOINT_URL"] = self.s3_endpoint_url
        if self.schema_registry_url:
            env["SCHEMA_REGISTRY_URL"] = self.schema_registry_url
        return {_PREFIX + k: v for k, v in env.items()}

    def with_changes(self, **changes: object) -> Settings:
        updated = replace(self, **changes)  # type: ignore[arg-type]
        updated.validate()
        return updated
