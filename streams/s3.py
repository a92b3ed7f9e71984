"""Ranged reads of uploaded objects from S3 (or any S3-compatible endpoint)."""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiobotocore.session import get_session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from processors.errors import TransientError, UnreadablePhoto

from .observability import stage_timer
from .settings import Settings

__all__ = ["ObjectHead", "ObjectReader"]

logger = logging.getLogger(__name__)

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_MISSING = frozenset({"NoSuchKey", "NoSuchBucket", "404"})
_EMPTY_RANGE = frozenset({"InvalidRange", "416"})


@dataclass(frozen=True, slots=True)
class ObjectHead:
    """The first bytes of an object and the object's full size."""

    data: bytes
    size: int

    @property
    def complete(self) -> bool:
        return len(self.data) >= self.size


class ObjectReader:
    """Reads object heads with ranged GETs over one pooled aiobotocore client."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._exit_stack = contextlib.AsyncExitStack()
        self._client: Any = None

    async def __aenter__(self) -> ObjectReader:
        session = get_session()
        config = Config(
            # Retries are the caller's (streams.retry): one layer, one budget.
            retries={"total_max_attempts": 1, "mode": "standard"},
            max_pool_connections=32,
            connect_timeout=5,
            read_timeout=30,
        )
        self._client = await self._exit_stack.enter_async_context(
            session.create_client(
                "s3",
                region_name=self._settings.s3_region,
                endpoint_url=self._settings.s3_endpoint_url,
                config=config,
            )
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._exit_stack.aclose()
        self._client = None

    async def read_range(self, bucket: str, key: str, start: int, length: int) -> ObjectHead:
        """Read ``length`` bytes from ``start``; the answer may be shorter at the end."""
        if self._client is None:
            raise RuntimeError("ObjectReader used outside 'async with'")
        byte_range = f"bytes={start}-{start + length - 1}"
        try:
            response = await self._client.get_object(Bucket=bucket, Key=key, Range=byte_range)
            async with response["Body"] as body:
                data = await body.read()
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _MISSING:
                raise UnreadablePhoto(
                    "missing_object", f"s3://{bucket}/{key} does not exist"
                ) from exc
            if code in _EMPTY_RANGE and start == 0:
                # A zero-byte object has no byte 0 to range over.
                return ObjectHead(b"", 0)
            raise TransientError(f"S3 GET {byte_range} of s3://{bucket}/{key}: {code}") from exc
        except (BotoCoreError, OSError) as exc:
            raise TransientError(f"S3 GET {byte_range} of s3://{bucket}/{key}: {exc}") from exc
        return ObjectHead(data, _object_size(response, start, data))

    async def read_head(self, bucket: str, key: str, length: int) -> ObjectHead:
        with stage_timer("s3_read"):
            return await self.read_range(bucket, key, 0, length)

    async def read_piece(self, bucket: str, key: str, start: int, length: int) -> bytes:
        """Bytes past the head (a movie header after the media data, PNG text after pixels)."""
        with stage_timer("s3_read"):
            return (await self.read_range(bucket, key, start, length)).data

    async def extend(self, bucket: str, key: str, head: ObjectHead, needed: int) -> ObjectHead:
        """Grow ``head`` to at least ``needed`` bytes (or the whole object)."""
        if head.complete or needed <= len(head.data):
            return head
        with stage_timer("s3_read"):
            more = await self.read_range(bucket, key, len(head.data), needed - len(head.data))
        return ObjectHead(head.data + more.data, head.size)


def _object_size(response: dict[str, Any], start: int, data: bytes) -> int:
    match = _CONTENT_RANGE.fullmatch(str(response.get("ContentRange", "")))
    if match and match.group(3) != "*":
        return int(match.group(3))
    # No Content-Range: the server sent the whole object.
    return start + len(data)
