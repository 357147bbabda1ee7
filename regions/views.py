"""Public region pages: the list of regions, a region's municipalities with the rating, and its exports."""

from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from . import selectors, services
from .cache import PAGE_TIMEOUT, page_key
from .chart import history_bars

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def requested_year(request) -> int | None:
    """The ?year= of a page or API request; absent or not a number means the latest year."""
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return None


@require_GET
def region_list(request):
    return render(request, "regions/region_list.html", {"regions": selectors.regions()})


@transaction.non_atomic_requests  # read-only; spares the cache hit a BEGIN/COMMIT round trip
@require_GET
def region_page(request, slug):
    """Whole pages are cached per region version, query string, language and day (ten minutes at most)."""
    today = timezone.localdate()
    key = page_key(slug, get_language(), today.isoformat(), request.GET.urlencode())
    content = cache.get(key)
    if content is None:
        region = selectors.region_named_by(slug)
        if region is None:
            raise Http404
        rating = services.region_rating(region, year=requested_year(request), today=today)
        sort = "name" if request.GET.get("sort") == "name" else "rating"
        response = render(
            request,
            "regions/region.html",
            {
                "rating": rating,
                "rows": rating.sorted_by(sort),
                "sort": sort,
                "chart": history_bars(rating.history),
                "without_roadmap": sum(1 for r in rating.rows if not r.has_roadmap),
                "cacheable_page": True,
            },
        )
        cache.set(key, response.content, PAGE_TIMEOUT)
        return response
    return HttpResponse(content, content_type="text/html; charset=utf-8")


@require_GET
def region_export(request, slug, fmt):
    if fmt not in EXPORT_TYPES:
        raise Http404
    region = selectors.region_named_by(slug)
    if region is None:
        raise Http404
    rating = services.region_rating(region, year=requested_year(request))
    body = services.rating_csv(rating) if fmt == "csv" else services.rating_xlsx(rating)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="rating-{slug}-{rating.year}.{fmt}"'
    return response
