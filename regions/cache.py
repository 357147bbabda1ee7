"""Cached region pages: keyed by a region version that a change of its rating method bumps."""

from openness_portal.cache_versions import bump_version, current_version

PAGE_TIMEOUT = 10 * 60  # figures change with every report; ten minutes old is fresh enough for a rating


def _version_key(slug: str) -> str:
    return f"region:{slug}:version"


def invalidate_region(slug: str) -> None:
    bump_version(_version_key(slug))


def page_key(slug: str, *parts) -> str:
    return ":".join(["region-page", slug, str(current_version(_version_key(slug))), *map(str, parts)])
