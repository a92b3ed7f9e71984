"""Readiness checks: is the server up and answering its own protocol?"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from ._child import Child
from ._kafka import admin_client
from ._ports import LOOPBACK
from ._s3 import s3_client

__all__ = ["ChildExited", "kafka_answers", "registry_answers", "s3_answers", "wait_until_ready"]

logger = logging.getLogger(__name__)

_POLL_S = 0.05
_CALL_TIMEOUT_S = 2.0


class ChildExited(Exception):
    """The server exited before it answered (often: it lost its port to another process)."""


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=_CALL_TIMEOUT_S):
            return True
    except OSError:
        return False


def kafka_answers(port: int) -> bool:
    """A metadata request succeeds and names at least one broker."""
    if not _accepts(port):
        return False
    admin: AdminClient = admin_client(f"{LOOPBACK}:{port}")
    try:
        return bool(admin.list_topics(timeout=_CALL_TIMEOUT_S).brokers)
    except KafkaException as exc:
        logger.debug("broker on port %d not ready: %s", port, exc)
        return False


def s3_answers(port: int) -> bool:
    """ListBuckets succeeds."""
    if not _accepts(port):
        return False
    with contextlib.closing(s3_client(f"http://{LOOPBACK}:{port}")) as s3:
        try:
            s3.list_buckets()
        except (BotoCoreError, ClientError) as exc:
            logger.debug("S3 server on port %d not ready: %s", port, exc)
            return False
    return True


def registry_answers(port: int) -> bool:
    """``GET /subjects`` answers 200: the schemas are registered and the server is serving."""
    if not _accepts(port):
        return False
    url = f"http://{LOOPBACK}:{port}/subjects"
    try:
        with urllib.request.urlopen(url, timeout=_CALL_TIMEOUT_S) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError as exc:
        exc.close()
        logger.debug("schema registry on port %d not ready: %s", port, exc)
        return False
    except OSError as exc:
        logger.debug("schema registry on port %d not ready: %s", port, exc)
        return False


def wait_until_ready(
    child: Child, port: int, answers: Callable[[int], bool], *, deadline: float
) -> None:
    """Return once ``answers(port)``; raise ChildExited or TimeoutError otherwise."""
    while True:
        code = child.exit_code()
        if code is not None:
            raise ChildExited(f"{child.name} exited with code {code} before answering")
        if answers(port):
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{child.name} did not answer on port {port}")
        time.sleep(_POLL_S)
