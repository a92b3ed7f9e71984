"""S3 clients for the stack's moto server, and bucket creation.

moto accepts any credentials but boto needs some: the stack gives its
children, and callers should use, the values in :data:`S3_ENV`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ._errors import DevStackError

__all__ = ["S3_ENV", "S3_REGION", "create_buckets", "s3_client"]

logger = logging.getLogger(__name__)

S3_REGION = "us-east-1"
S3_ENV: dict[str, str] = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": S3_REGION,
}
_ALREADY_MINE = frozenset({"BucketAlreadyOwnedByYou", "BucketAlreadyExists"})


def s3_client(endpoint_url: str) -> Any:
    """A boto3 S3 client for the stack's endpoint, failing fast rather than retrying."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"],
        region_name=S3_REGION,
        config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}),
    )


def create_buckets(endpoint_url: str, buckets: Sequence[str]) -> None:
    """Create each bucket; one that already exists is fine."""
    if not buckets:
        return
    with contextlib.closing(s3_client(endpoint_url)) as s3:
        for bucket in buckets:
            try:
                s3.create_bucket(Bucket=bucket)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in _ALREADY_MINE:
                    raise DevStackError(f"cannot create bucket {bucket!r}: {exc}") from exc
            except BotoCoreError as exc:
                raise DevStackError(f"cannot create bucket {bucket!r}: {exc}") from exc
            logger.debug("bucket %s ready", bucket)
