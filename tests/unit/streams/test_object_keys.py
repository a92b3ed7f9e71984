from __future__ import annotations

import pytest

from streams.object_keys import object_refusal
from streams.settings import Settings, SettingsError

SETTINGS = Settings(buckets=("photos",))


@pytest.mark.parametrize(
    ("user", "bucket", "key", "reason"),
    [
        ("alice", "photos", "users/alice/p1/a.jpg", None),
        ("alice", "other", "users/alice/p1/a.jpg", "bucket_not_allowed"),
        ("mallory", "photos", "users/alice/p1/a.jpg", "key_outside_prefix"),
        ("mallory", "photos", "users/mallory/../alice/a.jpg", "key_outside_prefix"),
        ("ali", "photos", "users/alice/a.jpg", "key_outside_prefix"),
        ("alice/x", "photos", "users/alice/x/a.jpg", "key_outside_prefix"),
        ("alice", "photos", "users/alice", "key_outside_prefix"),
    ],
)
def test_only_the_owners_prefix_in_a_served_bucket_is_readable(
    user: str, bucket: str, key: str, reason: str | None
) -> None:
    refusal = object_refusal(SETTINGS, user, bucket, key)
    assert (refusal[0] if refusal else None) == reason


def test_the_template_is_configurable_and_checked() -> None:
    tenant = Settings(object_key_template="tenants/{user_id}/originals/")
    assert object_refusal(tenant, "bob", "photos", "tenants/bob/originals/x.heic") is None
    assert object_refusal(tenant, "bob", "photos", "tenants/bob/x.heic") is not None
    with pytest.raises(SettingsError, match="user_id"):
        Settings.from_env({"PHOTOSTREAM_OBJECT_KEY_TEMPLATE": "users/{owner}/"})
