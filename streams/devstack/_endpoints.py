"""Where a running dev stack can be reached."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ._s3 import S3_ENV, S3_REGION

__all__ = ["StackEndpoints"]


@dataclass(frozen=True, slots=True)
class StackEndpoints:
    """Addresses of a running stack and the directory holding its logs and pid files."""

    bootstrap_servers: str
    s3_endpoint_url: str
    schema_registry_url: str
    run_dir: Path

    def env(self) -> dict[str, str]:
        """Environment that points a photostream process (and boto) at this stack.

        The AWS variables carry moto's dummy credentials; any S3 client
        talking to the stack must use the same (moto accepts them only as a
        consistent account).
        """
        return {
            "PHOTOSTREAM_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "PHOTOSTREAM_S3_ENDPOINT_URL": self.s3_endpoint_url,
            "PHOTOSTREAM_SCHEMA_REGISTRY_URL": self.schema_registry_url,
            "PHOTOSTREAM_S3_REGION": S3_REGION,
            **S3_ENV,
        }
