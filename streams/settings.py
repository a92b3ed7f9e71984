"""The one settings object, built once from ``PHOTOSTREAM_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["Settings", "SettingsError"]

_PREFIX = "PHOTOSTREAM_"
_GUARANTEES = ("at_least_once", "exactly_once")


_KAFKA_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
_SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "AWS_MSK_IAM")


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
    # TLS and SASL for every Kafka client (see streams/kafka_security.py).
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_ssl_cafile: str | None = None
    kafka_ssl_certfile: str | None = None
    kafka_ssl_keyfile: str | None = None
    # MSK IAM signs tokens for this region (default: the S3 region).
    kafka_aws_region: str | None = None
    s3_endpoint_url: str | None = None
    # Unset: schema ids come from the checked-in manifest (no registry calls).
    schema_registry_url: str | None = None
    s3_region: str = "us-east-1"
    buckets: tuple[str, ...] = ("photos",)
    # Where a user's objects may live; an upload event naming any other key
    # is dead-lettered unread, so one user can never make us read another's photo.
    object_key_template: str = "users/{user_id}/"
    # Drop coordinates from outgoing events (place names stay); trips need
    # coordinates, so a redacting deployment gets no trip albums.
    redact_gps: bool = False
    store: str = "memory://"
    data_dir: Path = Path("var/faust")
    processing_guarantee: str = "at_least_once"
    # Run exactly_once even where the start-up probe finds no working
    # transactions (a broker the probe misjudges); effects stay idempotent.
    exactly_once_unverified: bool = False
    # The embedded broker holds JoinGroup for half the session timeout, so a
    # short one keeps rebalances quick; Apache Kafka is happy with 10-45 s.
    session_timeout_s: float = 6.0
    # The embedded broker answers a waiting fetch only when it re-checks it,
    # after half this wait, so every hop between agents costs up to half of
    # it: 20 ms keeps upload-to-timeline near 70 ms (100 ms: ~150 ms) for
    # ~8 % more worker CPU per upload. Apache Kafka answers as soon as data
    # arrives, so there it only paces idle polling: production sets 500.
    # The embedded broker's fetch scans a partition's stored batches and
    # answers empty when that outlasts the wait (~20,000 batches per
    # partition at 10 ms), so long runs on it want 100 or more.
    fetch_max_wait_ms: int = 20
    producer_linger_ms: int = 5
    # The worker's /livez, /readyz and /metrics; 0 picks a free port (logged).
    http_port: int = 9400
    # "json": one JSON object per log line.
    log_format: str = "text"
    head_bytes: int = 64 * 1024
    max_head_bytes: int = 16 * 1024 * 1024
    extract_threads: int = 2
    # One retry layer for transient faults (S3 throttling, resets, timeouts):
    # exponential backoff with full jitter, then the dead-letter topic.
    retry_attempts: int = 6
    retry_base_delay_s: float = 0.2
    retry_max_delay_s: float = 10.0
    agent_concurrency: int = 4
    # Events a stream may hold before Faust stops fetching its partitions
    # (Faust's stream_buffer_maxsize).
    stream_buffer_maxsize: int = 4096
    # How often each worker sends its users their on-this-day tick; ticks are
    # idempotent, so hourly survives a worker that was down at midnight.
    memories_interval_s: float = 3600.0
    # Empty: ingest requests no vision scores (no vision workers deployed).
    vision_model_version: str = "vision-2"
    vision_batch_size: int = 8
    vision_batch_window_s: float = 0.05
    vision_threads: int = 1
    # ONNX Runtime execution providers for the vision models, best first
    # (e.g. "cuda,cpu" on GPU nodes); a missing one falls back with a warning.
    vision_providers: tuple[str, ...] = ("CPUExecutionProvider",)
    max_image_bytes: int = 64 * 1024 * 1024
    # Workers that keep a warm copy of each table partition besides its owner,
    # so a rebalance hands the partition to a worker that needs no recovery.
    table_standby_replicas: int = 1
    # RocksDB memory per table partition (active or standby): two write
    # buffers at most (one flushing) and a block cache, so a worker holding
    # 16 table partitions stays within 16 x (2 x 2 + 4) MiB. Faust's defaults
    # (3 x 64 MiB and 2 GiB per partition) let RSS climb with every write.
    table_write_buffer_mb: int = 2
    table_block_cache_mb: int = 4
    # Curate's decoded user states, least recently used out first. A state
    # costs ~15 KB, ~1 KB per photo and ~2 KB per month with photos, so the
    # photo bound is the one that holds for large libraries.
    curate_cache_users: int = 1024
    curate_cache_photos: int = 100_000

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
            kafka_security_protocol=(
                get("KAFKA_SECURITY_PROTOCOL") or defaults.kafka_security_protocol
            ).upper(),
            kafka_sasl_mechanism=(
                get("KAFKA_SASL_MECHANISM") or defaults.kafka_sasl_mechanism
            ).upper(),
            kafka_sasl_username=get("KAFKA_SASL_USERNAME") or None,
            kafka_sasl_password=get("KAFKA_SASL_PASSWORD") or None,
            kafka_ssl_cafile=get("KAFKA_SSL_CAFILE") or None,
            kafka_ssl_certfile=get("KAFKA_SSL_CERTFILE") or None,
            kafka_ssl_keyfile=get("KAFKA_SSL_KEYFILE") or None,
            kafka_aws_region=get("KAFKA_AWS_REGION") or None,
            s3_endpoint_url=get("S3_ENDPOINT_URL") or None,
            schema_registry_url=get("SCHEMA_REGISTRY_URL") or None,
            s3_region=get("S3_REGION") or defaults.s3_region,
            buckets=buckets,
            object_key_template=env.get(
                _PREFIX + "OBJECT_KEY_TEMPLATE", defaults.object_key_template
            ),
            redact_gps=_parse_bool(_PREFIX + "REDACT_GPS", get("REDACT_GPS") or ""),
            store=get("STORE") or defaults.store,
            data_dir=Path(get("DATA_DIR") or defaults.data_dir),
            processing_guarantee=guarantee,
            exactly_once_unverified=_parse_bool(
                _PREFIX + "EXACTLY_ONCE_UNVERIFIED", get("EXACTLY_ONCE_UNVERIFIED") or ""
            ),
            session_timeout_s=num("SESSION_TIMEOUT_S", float, defaults.session_timeout_s),
            fetch_max_wait_ms=int(num("FETCH_MAX_WAIT_MS", int, defaults.fetch_max_wait_ms)),
            producer_linger_ms=int(num("PRODUCER_LINGER_MS", int, defaults.producer_linger_ms)),
            http_port=int(num("HTTP_PORT", int, defaults.http_port)),
            log_format=(get("LOG_FORMAT") or defaults.log_format).strip().lower(),
            head_bytes=int(num("HEAD_BYTES", int, defaults.head_bytes)),
            max_head_bytes=int(num("MAX_HEAD_BYTES", int, defaults.max_head_bytes)),
            extract_threads=int(num("EXTRACT_THREADS", int, defaults.extract_threads)),
            retry_attempts=int(num("RETRY_ATTEMPTS", int, defaults.retry_attempts)),
            retry_base_delay_s=num("RETRY_BASE_DELAY_S", float, defaults.retry_base_delay_s),
            retry_max_delay_s=num("RETRY_MAX_DELAY_S", float, defaults.retry_max_delay_s),
            agent_concurrency=int(num("AGENT_CONCURRENCY", int, defaults.agent_concurrency)),
            stream_buffer_maxsize=int(
                num("STREAM_BUFFER_MAXSIZE", int, defaults.stream_buffer_maxsize)
            ),
            vision_model_version=env.get(
                _PREFIX + "VISION_MODEL_VERSION", defaults.vision_model_version
            ),
            vision_batch_size=int(num("VISION_BATCH_SIZE", int, defaults.vision_batch_size)),
            vision_batch_window_s=num(
                "VISION_BATCH_WINDOW_S", float, defaults.vision_batch_window_s
            ),
            vision_threads=int(num("VISION_THREADS", int, defaults.vision_threads)),
            vision_providers=tuple(
                p.strip() for p in (get("VISION_PROVIDERS") or "").split(",") if p.strip()
            )
            or defaults.vision_providers,
            max_image_bytes=int(num("MAX_IMAGE_BYTES", int, defaults.max_image_bytes)),
            table_standby_replicas=int(
                num("TABLE_STANDBY_REPLICAS", int, defaults.table_standby_replicas)
            ),
            memories_interval_s=num("MEMORIES_INTERVAL_S", float, defaults.memories_interval_s),
            table_write_buffer_mb=int(
                num("TABLE_WRITE_BUFFER_MB", int, defaults.table_write_buffer_mb)
            ),
            table_block_cache_mb=int(
                num("TABLE_BLOCK_CACHE_MB", int, defaults.table_block_cache_mb)
            ),
            curate_cache_users=int(num("CURATE_CACHE_USERS", int, defaults.curate_cache_users)),
            curate_cache_photos=int(num("CURATE_CACHE_PHOTOS", int, defaults.curate_cache_photos)),
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
        if not self.vision_providers:
            raise SettingsError("vision_providers must name at least one provider")
        try:
            self.object_key_template.format(user_id="u")
        except (KeyError, IndexError, ValueError) as exc:
            raise SettingsError(
                f"object_key_template {self.object_key_template!r} may only use {{user_id}}"
            ) from exc
        if self.http_port > 65535:
            raise SettingsError("http_port must be a TCP port (0 picks a free one)")
        if self.log_format not in ("text", "json"):
            raise SettingsError(f"log_format {self.log_format!r}: use text or json")
        if self.kafka_security_protocol not in _KAFKA_PROTOCOLS:
            raise SettingsError(
                f"kafka_security_protocol {self.kafka_security_protocol!r}:"
                f" use one of {', '.join(_KAFKA_PROTOCOLS)}"
            )
        if self.kafka_sasl_mechanism not in _SASL_MECHANISMS:
            raise SettingsError(
                f"kafka_sasl_mechanism {self.kafka_sasl_mechanism!r}:"
                f" use one of {', '.join(_SASL_MECHANISMS)}"
            )
        if (
            self.kafka_security_protocol.startswith("SASL")
            and self.kafka_sasl_mechanism != "AWS_MSK_IAM"
            and not (self.kafka_sasl_username and self.kafka_sasl_password)
        ):
            raise SettingsError("SASL needs kafka_sasl_username and kafka_sasl_password")
        if self.retry_attempts < 1:
            raise SettingsError("retry_attempts must be at least 1")
        if self.extract_threads < 1 or self.agent_concurrency < 1:
            raise SettingsError("extract_threads and agent_concurrency must be at least 1")
        if self.stream_buffer_maxsize < 1:
            raise SettingsError("stream_buffer_maxsize must be at least 1")
        if self.table_write_buffer_mb < 1 or self.table_block_cache_mb < 1:
            raise SettingsError("table_write_buffer_mb and table_block_cache_mb must be at least 1")
        if self.curate_cache_users < 1 or self.curate_cache_photos < 0:
            raise SettingsError(
                "curate_cache_users must be at least 1 and curate_cache_photos at least 0"
            )

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
            "OBJECT_KEY_TEMPLATE": self.object_key_template,
            "REDACT_GPS": str(self.redact_gps).lower(),
            "STORE": self.store,
            "DATA_DIR": str(self.data_dir),
            "PROCESSING_GUARANTEE": self.processing_guarantee,
            "EXACTLY_ONCE_UNVERIFIED": str(self.exactly_once_unverified).lower(),
            "SESSION_TIMEOUT_S": str(self.session_timeout_s),
            "FETCH_MAX_WAIT_MS": str(self.fetch_max_wait_ms),
            "PRODUCER_LINGER_MS": str(self.producer_linger_ms),
            "HTTP_PORT": str(self.http_port),
            "LOG_FORMAT": self.log_format,
            "HEAD_BYTES": str(self.head_bytes),
            "MAX_HEAD_BYTES": str(self.max_head_bytes),
            "EXTRACT_THREADS": str(self.extract_threads),
            "RETRY_ATTEMPTS": str(self.retry_attempts),
            "RETRY_BASE_DELAY_S": str(self.retry_base_delay_s),
            "RETRY_MAX_DELAY_S": str(self.retry_max_delay_s),
            "AGENT_CONCURRENCY": str(self.agent_concurrency),
            "STREAM_BUFFER_MAXSIZE": str(self.stream_buffer_maxsize),
            "MEMORIES_INTERVAL_S": str(self.memories_interval_s),
            "VISION_MODEL_VERSION": self.vision_model_version,
            "VISION_BATCH_SIZE": str(self.vision_batch_size),
            "VISION_BATCH_WINDOW_S": str(self.vision_batch_window_s),
            "VISION_THREADS": str(self.vision_threads),
            "VISION_PROVIDERS": ",".join(self.vision_providers),
            "MAX_IMAGE_BYTES": str(self.max_image_bytes),
            "TABLE_STANDBY_REPLICAS": str(self.table_standby_replicas),
            "TABLE_WRITE_BUFFER_MB": str(self.table_write_buffer_mb),
            "TABLE_BLOCK_CACHE_MB": str(self.table_block_cache_mb),
            "CURATE_CACHE_USERS": str(self.curate_cache_users),
            "CURATE_CACHE_PHOTOS": str(self.curate_cache_photos),
        }
        env["KAFKA_SECURITY_PROTOCOL"] = self.kafka_security_protocol
        env["KAFKA_SASL_MECHANISM"] = self.kafka_sasl_mechanism
        for name, value in (
            ("KAFKA_SASL_USERNAME", self.kafka_sasl_username),
            ("KAFKA_SASL_PASSWORD", self.kafka_sasl_password),
            ("KAFKA_SSL_CAFILE", self.kafka_ssl_cafile),
            ("KAFKA_SSL_CERTFILE", self.kafka_ssl_certfile),
            ("KAFKA_SSL_KEYFILE", self.kafka_ssl_keyfile),
            ("KAFKA_AWS_REGION", self.kafka_aws_region),
        ):
            if value:
                env[name] = value
        if self.s3_endpoint_url:
            env["S3_ENDPOINT_URL"] = self.s3_endpoint_url
        if self.schema_registry_url:
            env["SCHEMA_REGISTRY_URL"] = self.schema_registry_url
        return {_PREFIX + k: v for k, v in env.items()}

    def with_changes(self, **changes: object) -> Settings:
        updated = replace(self, **changes)  # type: ignore[arg-type]
        updated.validate()
        return updated
