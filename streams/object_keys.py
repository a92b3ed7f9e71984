"""Which S3 objects an event may make a worker read."""

from __future__ import annotations

from .settings import Settings

__all__ = ["object_refusal"]


def object_refusal(
    settings: Settings, user_id: str, bucket: str, key: str
) -> tuple[str, str] | None:
    """``(reason, message)`` when ``user_id`` may not have us read ``bucket/key``, else None.

    The key must sit under the owner's prefix. A user id holding ``/`` is
    refused too: ``users/a/`` would otherwise cover the objects of user ``a/b``.
    """
    if bucket not in settings.buckets:
        return "bucket_not_allowed", f"bucket {bucket!r} is not served"
    template = settings.object_key_template
    if "{user_id}" in template and "/" in user_id:
        return "key_outside_prefix", "a user id holding '/' cannot own a key prefix"
    prefix = template.format(user_id=user_id)
    if not key.startswith(prefix) or ".." in key[len(prefix) :].split("/"):
        return "key_outside_prefix", f"object key is not under the owner's prefix {prefix!r}"
    return None
