"""One real stack (embedded broker + S3 server) per session; fresh topics per test."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from confluent_kafka import Consumer, TopicPartition

from schemas import Codec, PhotoDeleted, PhotoUploaded
from streams.devstack import S3_ENV, DevStack, start_tied
from streams.registry_client import registry_from_settings
from streams.samples import Sample
from streams.sdk.producer import UploadProducer
from streams.settings import Settings
from streams.topics import TopicNames, topic_names
from streams.worker import topic_plan_for

BUCKET = "photos"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    os.environ.update(S3_ENV)
    devstack = DevStack(topics={}, buckets=[BUCKET], run_dir=tmp_path_factory.mktemp("stack"))
    devstack.start()
    try:
        yield devstack
    finally:
        devstack.stop()


@pytest.fixture
def stack_s3_url(stack: DevStack) -> str:
    return stack.endpoints.s3_endpoint_url


@dataclass
class Pipeline:
    """A private set of topics and a consumer group on the shared stack."""

    stack: DevStack
    settings: Settings
    topics: TopicNames
    codec: Codec
    workdir: Path
    workers: list[subprocess.Popen[bytes]]

    def start_worker(
        self, name: str = "w1", roles: Sequence[str] = ("ingest", "curate")
    ) -> subprocess.Popen[bytes]:
        argv = [
            sys.executable,
            "-m",
            "streams.cli",
            "--log-level",
            os.environ.get("PHOTOSTREAM_TEST_WORKER_LOG_LEVEL", "INFO"),
            "worker",
            "--name",
            name,
        ]
        for role in roles:
            argv += ["--role", role]
        env = {**os.environ, **S3_ENV, **self.settings.to_env()}
        proc = start_tied(argv, env, self.workdir / f"{name}.log")
        self.workers.append(proc)
        return proc

    def stop_worker(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def worker_log(self, name: str = "w1") -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def s3(self):  # type: ignore[no-untyped-def]
        return boto3.client(
            "s3", endpoint_url=self.stack.endpoints.s3_endpoint_url, region_name="us-east-1"
        )

    def upload(
        self,
        data: bytes,
        *,
        user_id: str = "alice",
        filename: str = "photo.jpg",
        content_type: str = "image/jpeg",
        client_timezone: str | None = None,
        photo_id: str | None = None,
        put: bool = True,
    ) -> PhotoUploaded:
        photo_id = photo_id or str(uuid.uuid4())
        key = f"users/{user_id}/{photo_id}/{filename}"
        if put:
            self.s3().put_object(Bucket=BUCKET, Key=key, Body=data, ContentType=content_type)
        return PhotoUploaded(
            event_id=str(uuid.uuid4()),
            user_id=user_id,
            photo_id=photo_id,
            bucket=BUCKET,
            key=key,
            size=len(data),
            content_type=content_type,
            sha256=hashlib.sha256(data).hexdigest(),
            filename=filename,
            uploaded_at=datetime.now(UTC),
            client_timezone=client_timezone,
        )

    def upload_sample(self, sample: Sample) -> PhotoUploaded:
        """``upload`` of a generated sample, as its user and under its name and type."""
        return self.upload(
            sample.data,
            user_id=sample.user_id,
            filename=sample.filename,
            content_type=sample.content_type,
            client_timezone=sample.client_timezone,
        )

    def produce(self, events: Sequence[PhotoUploaded], *, backfill: bool = False) -> None:
        """Send upload events as the upload service does, or into the backfill lane."""
        topics = self.topics
        if backfill:
            topics = dataclasses.replace(topics, uploaded=topics.uploaded_backfill)
        with UploadProducer(self.settings.bootstrap_servers, self.codec, topics) as producer:
            for event in events:
                producer.send_upload(event)
            assert producer.flush() == []

    def produce_deletions(self, events: Sequence[PhotoDeleted]) -> None:
        with UploadProducer(self.settings.bootstrap_servers, self.codec, self.topics) as producer:
            for event in events:
                producer.send_deletion(event)
            assert producer.flush() == []

    def wait_for(
        self, condition: Callable[[], bool], *, what: str, timeout_s: float = 60.0
    ) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting until {what}; where each group stands:\n{self.lag()}\n"
                    f"worker log tail:\n{self.worker_log()[-3000:]}"
                )
            time.sleep(0.5)

    def lag(self) -> str:
        """What ``photostream lag`` says about this pipeline's groups (which stage is stuck)."""
        done = subprocess.run(
            [sys.executable, "-m", "streams.cli", "lag"],
            env={**os.environ, **S3_ENV, **self.settings.to_env()},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return done.stdout + done.stderr

    def read(
        self,
        topic: str,
        *,
        until: Callable[[list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]]], bool],
        timeout_s: float = 60.0,
    ) -> list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]]:
        """Read ``topic`` from the start until ``until(records)`` holds."""
        consumer = Consumer(
            {
                "bootstrap.servers": self.settings.bootstrap_servers,
                "group.id": f"reader-{uuid.uuid4()}",
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 50,
            }
        )
        consumer.assign([TopicPartition(topic, p, 0) for p in range(self.settings.partitions)])
        records: list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]] = []
        deadline = time.monotonic() + timeout_s
        try:
            while not until(records):
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"{topic}: condition not met in {timeout_s}s with {len(records)} records;"
                        f" worker log tail:\n{self.worker_log()[-3000:]}"
                    )
                for message in consumer.consume(500, timeout=0.2):
                    if message.error() is None:
                        records.append(
                            (message.key(), message.value(), list(message.headers() or ()))
                        )
        finally:
            consumer.close()
        return records

    def read_all(
        self, topic: str, *, idle_s: float = 1.0, timeout_s: float = 60.0
    ) -> list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]]:
        """Everything in ``topic`` now: read until nothing arrives for ``idle_s``."""
        last = {"at": time.monotonic(), "count": 0}

        def idle(records: list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]]) -> bool:
            now = time.monotonic()
            if len(records) != last["count"]:
                last["at"], last["count"] = now, len(records)
            return now - last["at"] >= idle_s

        return self.read(topic, until=idle, timeout_s=timeout_s)

    def read_events(self, topic: str, count: int, timeout_s: float = 60.0) -> list[object]:
        records = self.read(topic, until=lambda rs: len(rs) >= count, timeout_s=timeout_s)
        return [self.codec.decode(value) for _, value, _ in records if value is not None]


@pytest.fixture
def pipeline_factory(stack: DevStack, tmp_path: Path) -> Iterator[Callable[..., Pipeline]]:
    made: list[Pipeline] = []

    def make(**changes: object) -> Pipeline:
        run = uuid.uuid4().hex[:10]
        settings = Settings(
            bootstrap_servers=stack.endpoints.bootstrap_servers,
            s3_endpoint_url=stack.endpoints.s3_endpoint_url,
            schema_registry_url=stack.endpoints.schema_registry_url,
            app_id=f"photostream-{run}",
            topic_prefix=f"t{run}.",
            partitions=4,
            buckets=(BUCKET,),
            data_dir=tmp_path / "data",
            session_timeout_s=3.0,
            # Several workers share this host: each takes a free port for its endpoints.
            http_port=0,
        ).with_changes(**changes)
        stack.create_topics(topic_plan_for(settings))
        pipeline = Pipeline(
            stack=stack,
            settings=settings,
            topics=topic_names(settings),
            codec=Codec(registry_from_settings(settings)),
            workdir=tmp_path,
            workers=[],
        )
        made.append(pipeline)
        return pipeline

    yield make
    for pipeline in made:
        for proc in pipeline.workers:
            if proc.poll() is None:
                pipeline.stop_worker(proc, signal.SIGKILL)


@pytest.fixture
def pipeline(pipeline_factory: Callable[..., Pipeline]) -> Pipeline:
    return pipeline_factory()
