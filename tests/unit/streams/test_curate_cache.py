from __future__ import annotations

import pytest

from processors.curation import CurationSettings, UserState
from processors.curation.state import Photo
from streams.agents.curate import _StateCache
from streams.settings import Settings, SettingsError

EPOCH = 7


def _cache(table: dict[bytes, bytes], **limits: int) -> _StateCache:
    return _StateCache(table, CurationSettings(), lambda: EPOCH, **limits)


def _grow(cache: _StateCache, user_id: str, photos: int) -> UserState:
    """What curate does with an input: get the state, change it in place, put it."""
    state = cache.get(user_id)
    start = len(state.photos)
    state.photos.update({f"{user_id}-{i}": Photo(f"{user_id}-{i}") for i in range(start, photos)})
    cache.put(state)
    return state


def test_large_libraries_are_evicted_by_photo_count_not_only_by_users() -> None:
    table: dict[bytes, bytes] = {}
    cache = _cache(table, max_users=1024, max_photos=1000)
    for user in ("a", "b", "c"):
        _grow(cache, user, 400)
    # 1,200 photos in three users: the least recently used goes.
    assert len(cache) == 2
    assert cache.photos == 800
    # Growing a cached state in place is counted at its next put.
    _grow(cache, "c", 700)
    assert cache.photos <= 1000
    assert len(cache) == 1


def test_an_evicted_state_comes_back_whole_from_the_table() -> None:
    table: dict[bytes, bytes] = {}
    cache = _cache(table, max_users=1, max_photos=10_000)
    first = _grow(cache, "a", 50)
    _grow(cache, "b", 10)
    again = cache.get("a")
    assert again is not first
    assert sorted(again.photos) == sorted(first.photos)


def test_one_library_over_the_limit_stays_while_in_use() -> None:
    table: dict[bytes, bytes] = {}
    cache = _cache(table, max_users=1024, max_photos=100)
    state = _grow(cache, "huge", 500)
    assert cache.get("huge") is state
    assert cache.photos == 500


def test_forget_and_clear_give_back_their_photos() -> None:
    table: dict[bytes, bytes] = {}
    cache = _cache(table, max_users=1024, max_photos=100_000)
    _grow(cache, "a", 30)
    _grow(cache, "b", 20)
    cache.forget("a")
    assert (len(cache), cache.photos) == (1, 20)
    cache.clear()
    assert (len(cache), cache.photos) == (0, 0)


def test_the_cache_bounds_come_from_the_environment_and_survive_a_child_process() -> None:
    settings = Settings.from_env(
        {"PHOTOSTREAM_CURATE_CACHE_USERS": "64", "PHOTOSTREAM_CURATE_CACHE_PHOTOS": "5000"}
    )
    assert (settings.curate_cache_users, settings.curate_cache_photos) == (64, 5000)
    assert Settings.from_env(settings.to_env()) == settings


@pytest.mark.parametrize(
    ("name", "raw"),
    [("CURATE_CACHE_USERS", "0"), ("CURATE_CACHE_PHOTOS", "-1"), ("CURATE_CACHE_USERS", "many")],
)
def test_a_bad_cache_bound_is_refused(name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=r"(?i)curate_cache"):
        Settings.from_env({f"PHOTOSTREAM_{name}": raw})
