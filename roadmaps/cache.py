"""Versioned cache keys for public roadmap pages: any change to a roadmap bumps its version."""

import hashlib
from decimal import Decimal
from urllib.parse import urlencode

from django.core.cache import cache

from openness_portal.cache_versions import bump_version, current_version

PAGE_TIMEOUT = 60 * 60


def _version_key(roadmap_id: int) -> str:
    return f"roadmap:{roadmap_id}:version"


def roadmap_meta(roadmap_id: int) -> dict | None:
    """What a cached page needs to know without SQL: slug, time zone, public or not (None if no such roadmap)."""
    key = f"roadmap:{roadmap_id}:meta"
    meta = cache.get(key)
    if meta is None:
        from .models import Roadmap

        row = (
            Roadmap.objects.filter(pk=roadmap_id)
            .values("status", "municipality__slug", "municipality__time_zone")
            .first()
        )
        if row is None:
            return None
        meta = {
            "slug": row["municipality__slug"],
            "tz": row["municipality__time_zone"],
            "public": row["status"] != Roadmap.Status.DRAFT,
        }
        cache.set(key, meta, PAGE_TIMEOUT)
    return meta


def invalidate_roadmap(roadmap_id: int) -> None:
    cache.delete(f"roadmap:{roadmap_id}:meta")
    bump_version(_version_key(roadmap_id))


def page_key(roadmap_id: int, *parts) -> str:
    return ":".join(
        ["roadmap-page", str(roadmap_id), str(current_version(_version_key(roadmap_id))), *map(str, parts)]
    )


# The public page's filters, in the order its cache key lists them; the page is for one roadmap already.
PAGE_FILTERS = ("section", "status", "executor", "year")


def page_filters(query) -> dict[str, str]:
    """The page's filters as MeasureFilter validates them (no SQL): anything else in the query string
    (utm_source, fbclid…) is ignored, and an invalid value means the unfiltered page, as before."""
    from .filters import MeasureFilter
    from .models import Measure

    filterset = MeasureFilter(query, queryset=Measure.objects.none())
    for name in set(filterset.filters) - set(PAGE_FILTERS):
        del filterset.filters[name]  # the roadmap filter would cost a query; the URL names the roadmap
    if not filterset.is_valid():
        return {}
    filters = {}
    for name in PAGE_FILTERS:
        value = filterset.form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, Decimal):  # section and year: whole numbers only
            if value != value.to_integral_value():
                return {}
            value = int(value)
        filters[name] = str(value)
    return filters


def filters_key(filters: dict[str, str]) -> str:
    """A short key part for validated filters (free executor text may be long or hold spaces)."""
    if not filters:
        return "all"
    return hashlib.blake2b(urlencode(filters).encode(), digest_size=12).hexdigest()
