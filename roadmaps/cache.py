"""Versioned cache keys for public roadmap pages: any change to a roadmap bumps its version."""

from django.core.cache import cache

PAGE_TIMEOUT = 60 * 60


def _version_key(roadmap_id: int) -> str:
    return f"roadmap:{roadmap_id}:version"


def roadmap_version(roadmap_id: int) -> int:
    version = cache.get(_version_key(roadmap_id))
    if version is None:
        version = 1
        cache.add(_version_key(roadmap_id), version, timeout=None)
    return version


def invalidate_roadmap(roadmap_id: int) -> None:
    try:
        cache.incr(_version_key(roadmap_id))
    except ValueError:
        cache.set(_version_key(roadmap_id), 2, timeout=None)


def page_key(roadmap_id: int, *parts) -> str:
    return ":".join(["roadmap-page", str(roadmap_id), str(roadmap_version(roadmap_id)), *map(str, parts)])
