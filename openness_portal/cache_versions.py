"""Generation counters for cached pages: a page's key holds its counter, so one bump retires all its keys."""

from django.core.cache import cache


def current_version(key: str) -> int:
    """The counter stored at `key`, 1 until the first bump."""
    version = cache.get(key)
    if version is None:
        version = 1
        cache.add(key, version, timeout=None)
    return version


def bump_version(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not stored yet (or evicted): anything cached under version 1 is retired too
        cache.set(key, 2, timeout=None)
