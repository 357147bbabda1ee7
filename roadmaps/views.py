"""Public pages: municipality, roadmap, measure. Thin: selectors read, templates print."""

import zoneinfo

from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from municipalities.models import Municipality

from . import selectors
from .cache import PAGE_TIMEOUT, filters_key, page_filters, page_key, roadmap_meta
from .filters import MeasureFilter
from .models import Measure, Roadmap
from .rendering import measure_rows_html, measure_url_prefix


@require_GET
def municipality_page(request, slug):
    municipality = get_object_or_404(Municipality, slug=slug)
    roadmaps = list(
        selectors.public_roadmaps().filter(municipality=municipality).select_related("approving_act")
    )
    progress = selectors.roadmap_progress([r.pk for r in roadmaps], today=municipality.local_today())
    for roadmap in roadmaps:
        roadmap.progress = progress[roadmap.pk]
    return render(request, "roadmaps/municipality.html", {"municipality": municipality, "roadmaps": roadmaps})


def _public_roadmap(slug, pk):
    roadmap = get_object_or_404(
        Roadmap.objects.select_related("municipality", "approving_act"), pk=pk, municipality__slug=slug
    )
    if not roadmap.is_public:
        raise Http404
    return roadmap


@transaction.non_atomic_requests  # read-only; spares the cache hit a BEGIN/COMMIT round trip
@require_GET
def roadmap_page(request, slug, pk):
    """The roadmap table. Whole pages are cached per roadmap version, validated filters, language and local
    day, so a hit costs two cache reads and no SQL; any change to the roadmap bumps its version."""
    meta = roadmap_meta(pk)
    if meta is None or meta["slug"] != slug or not meta["public"]:
        raise Http404
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(meta["tz"])).date()
    filters = page_filters(request.GET)
    key = page_key(pk, get_language(), today.isoformat(), filters_key(filters))
    content = cache.get(key)
    if content is None:
        roadmap = _public_roadmap(slug, pk)
        body = _render_roadmap(request, roadmap, today, filters)
        # cacheable_page hides per-visitor bits (flash messages) from the shared copy.
        response = render(
            request,
            "roadmaps/roadmap_shell.html",
            {
                "body": body,
                "municipality": roadmap.municipality,
                "roadmap": roadmap,
                "cacheable_page": True,
            },
        )
        cache.set(key, response.content, PAGE_TIMEOUT)
        return response
    return HttpResponse(content, content_type="text/html; charset=utf-8")


def _render_roadmap(request, roadmap, today, filters):
    from django.template.loader import render_to_string

    years = list(roadmap.years)
    year = today.year if today.year in years else years[-1]
    filterset = MeasureFilter(
        filters or None,
        queryset=roadmap.measures.order_by("order", "pk"),
        today=today,
        default_year=year,
    )
    filterset.form.fields["section"].widget.choices = [("", "—")]
    if filterset.is_bound and filterset.is_valid() and filterset.form.cleaned_data.get("year"):
        year = int(filterset.form.cleaned_data["year"])
    measures = (
        filterset.qs
        if filterset.is_bound and filterset.is_valid()
        else roadmap.measures.order_by("order", "pk")
    )
    rows = selectors.measure_rows(measures, today=today, year=year)
    sections = list(roadmap.sections.order_by("order", "pk"))
    by_section = {}
    for row in rows:
        by_section.setdefault(row.section_id, []).append(row)
    prefix = measure_url_prefix(roadmap)
    grouped = [
        (section, measure_rows_html(by_section[section.pk], measure_url_prefix=prefix))
        for section in sections
        if section.pk in by_section
    ]
    executor_choices = selectors.executor_choices(roadmap)
    from .models import Deadline

    return render_to_string(
        "roadmaps/roadmap.html",
        {
            "roadmap": roadmap,
            "municipality": roadmap.municipality,
            "grouped": grouped,
            "sections": sections,
            "summary": selectors.roadmap_summary(rows),
            "year": year,
            "years": years,
            "today": today,
            "filters": filters,
            "executor_choices": executor_choices,
            "statuses": Deadline.Status.choices,
            "filtered": bool(filters),
        },
        request=request,
    )


@require_GET
def measure_page(request, slug, roadmap_pk, pk):
    roadmap = _public_roadmap(slug, roadmap_pk)
    measure = get_object_or_404(
        Measure.objects.select_related("section", "deadline_rule").prefetch_related(
            "executors__department", "executors__official"
        ),
        pk=pk,
        roadmap=roadmap,
    )
    measure.roadmap = roadmap  # already loaded: links built from the measure cost no query
    today = roadmap.municipality.local_today()
    context = {
        "roadmap": roadmap,
        "municipality": roadmap.municipality,
        "measure": measure,
        "today": today,
        **selectors.measure_page(measure, today=today),
    }
    return render(request, "roadmaps/measure.html", context)
