"""Reads of the register: counts per channel, month and year, and the share answered on time."""

from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear

from openness_portal import shares

from .models import ON_TIME, Appeal, ServiceCentreFigures


class YearOf(ExtractYear):
    """ExtractYear of a date column; on SQLite the built-in strftime instead of Django's Python function,
    called once per row (200,000 rows for a region of 2,000 municipalities)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(STRFTIME('%%Y', {sql}) AS INTEGER)", params


def public_appeals():
    """What the API and the open-data set publish: the register without anything that names a person."""
    return Appeal.objects.select_related("municipality").only(
        "id",
        "municipality__slug",
        "municipality__name",
        "received_on",
        "channel",
        "topic",
        "due_on",
        "answered_on",
        "external_number",
    )


def channel_month_counts(municipality, year: int) -> dict:
    """{"months": [1..12], "rows": [{channel, label, months: [12 counts], total}], "totals": [...], ...}."""
    counts = defaultdict(int)
    for row in (
        Appeal.objects.filter(municipality=municipality, received_on__year=year)
        .annotate(month=ExtractMonth("received_on"))
        .values("channel", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(row["channel"], row["month"])] = row["n"]
    rows = []
    for channel in Appeal.Channel:
        months = [counts[(channel.value, m)] for m in range(1, 13)]
        rows.append(
            {"channel": channel.value, "label": channel.label, "months": months, "total": sum(months)}
        )
    month_totals = [sum(r["months"][m] for r in rows) for m in range(12)]
    return {
        "months": list(range(1, 13)),
        "rows": rows,
        "month_totals": month_totals,
        "total": sum(month_totals),
    }


def year_totals(municipality_ids, year: int | None = None) -> dict:
    """Per municipality (without `year`: per (municipality_id, year)): total, per channel, on time.

    `municipality_ids`: ids or a values("pk") queryset (a subquery, so any number of municipalities)."""
    qs = Appeal.objects.filter(municipality_id__in=municipality_ids)
    if year is not None:
        qs = qs.filter(received_on__year=year)
    rows = (
        qs.annotate(year=YearOf("received_on"))
        .values("municipality_id", "year", "channel")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=ON_TIME))
        .order_by()
    )
    result: dict = {}
    for row in rows:
        key = row["municipality_id"] if year is not None else (row["municipality_id"], row["year"])
        entry = result.setdefault(key, {"total": 0, "on_time": 0, "by_channel": {}})
        entry["total"] += row["n"]
        entry["on_time"] += row["on_time"]
        entry["by_channel"][row["channel"]] = entry["by_channel"].get(row["channel"], 0) + row["n"]
    for entry in result.values():
        entry["on_time_percent"] = shares.percent(entry["on_time"], entry["total"], places=1)
    return result


def yearly_summary(municipality) -> list[dict]:
    """Every year with appeals, newest first: total, per channel (in choice order), answered on time."""
    totals = year_totals([municipality.pk])
    years = sorted((y for (_m, y) in totals), reverse=True)
    return [
        {
            "year": y,
            **totals[(municipality.pk, y)],
            "channels": [totals[(municipality.pk, y)]["by_channel"].get(c.value, 0) for c in Appeal.Channel],
        }
        for y in years
    ]


def period_counts(municipality, start, end) -> dict:
    """Appeals received on the days start..end inclusive: total, to the trust line, answered on time."""
    return Appeal.objects.filter(municipality=municipality, received_on__range=(start, end)).aggregate(
        total=Count("pk"),
        trust_line=Count("pk", filter=Q(channel=Appeal.Channel.TRUST_LINE)),
        on_time=Count("pk", filter=ON_TIME),
    )


def latest_service_centre_figures(municipality, start, end) -> ServiceCentreFigures | None:
    """The service centre's latest figures recorded as of a day start..end inclusive (one query)."""
    return (
        ServiceCentreFigures.objects.filter(municipality=municipality, as_of__range=(start, end))
        .order_by("-as_of")
        .first()
    )
