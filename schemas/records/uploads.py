"""Events the upload service produces: a photo arrived, a photo was deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from ._base import NAMESPACE, EventId, Record

__all__ = ["PhotoDeleted", "PhotoUploaded"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhotoUploaded(Record):
    """The upload service stored a photo or video in S3 (``photos.uploaded``)."""

    schema_name: ClassVar[str] = f"{NAMESPACE}.PhotoUploaded"

    event_id: EventId
    user_id: str
    photo_id: str
    bucket: str
    key: str
    size: int
    content_type: str
    sha256: str
    filename: str
    uploaded_at: datetime
    client_timezone: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PhotoDeleted(Record):
    """The owner deleted a photo or video (``photos.deleted``)."""

    schema_name: ClassVar[str] = f"{NAMESPACE}.PhotoDeleted"

    event_id: EventId
    user_id: str
    photo_id: str
    deleted_at: datetime
