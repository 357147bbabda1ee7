"""Cached region pages: keyed by a region version that a change of its rating method bumps."""

from django.core.cache import cache

PAGE_TIMEOUT = 10 * 60  # figures change with every report; ten minutes old is fresh enough for a rating


def _version_key(slug: str) -> str:
    return f"region:{slug}:version"


def region_version(slug: str) -> int:
    version = cache.get(_version_key(slug))
    if version is None:
        version = 1
        cache.add(_version_key(slug), version, timeout=None)
    return version


def invalidate_region(slug: str) -> None:
    try:
        cache.incr(_version_key(slug))
    except ValueError:
        cache.set(_version_key(slug), 2, timeout=None)


def page_key(slug: str, *parts) -> str:
    return ":".join(["region-page", slug, str(region_version(slug)), *map(str, parts)])
