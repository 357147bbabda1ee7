"""Public page: how many appeals a municipality received, by channel and month, and how many on time."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from municipalities.models import Municipality

from . import selectors
from .models import Appeal


@require_GET
def municipality_appeals(request, slug):
    municipality = get_object_or_404(Municipality, slug=slug)
    years = selectors.yearly_summary(municipality)
    year_numbers = [y["year"] for y in years]
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = year_numbers[0] if year_numbers else municipality.local_today().year
    return render(
        request,
        "appeals/municipality.html",
        {
            "municipality": municipality,
            "years": years,
            "year": year,
            "channels": Appeal.Channel,
            "table": selectors.channel_month_counts(municipality, year),
        },
    )
