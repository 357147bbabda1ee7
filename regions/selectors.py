"""Reads for region pages: the regions, and every figure of a region's municipalities by year, in a fixed
number of queries whatever the number of municipalities."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import CharField, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast, ExtractYear, Length
from django.utils import timezone
from slugify import slugify

from appeals.selectors import YearOf, year_totals
from municipalities.models import Municipality
from opendata.models import Dataset
from roadmaps.models import Deadline, Kpi, KpiActual, KpiTarget, Roadmap
from surveys.models import Discussion

from .models import Criterion

DS = Deadline.Status
DUE = (DS.DONE_ON_TIME, DS.DONE_LATE, DS.OVERDUE)  # deadlines that have come: the denominator of «в срок»


def region_slug(name: str) -> str:
    return slugify(name) or "region"


def regions() -> list[dict]:
    """Every region with its number of municipalities and of those with a public roadmap."""
    rows = (
        Municipality.objects.values("region")
        .annotate(
            municipalities=Count("pk", distinct=True),
            with_roadmap=Count(
                "pk",
                filter=Roadmap.public("roadmaps__") & Q(roadmaps__isnull=False),
                distinct=True,
            ),
        )
        .order_by("region")
    )
    return [{**row, "slug": region_slug(row["region"])} for row in rows if row["region"]]


def region_named_by(slug: str) -> str | None:
    names = Municipality.objects.values_list("region", flat=True).distinct().order_by()
    return next((name for name in names if name and region_slug(name) == slug), None)


@dataclass
class Figures:
    """One municipality's counts for one year: (part, whole) per criterion, plus the overdue count."""

    deadlines_on_time: int = 0
    deadlines_due: int = 0
    overdue: int = 0
    kpis_achieved: int = 0
    kpis_with_target: int = 0
    discussions_held: int = 0
    discussions_summarised: int = 0
    datasets_fresh: int = 0
    datasets: int = 0
    appeals_on_time: int = 0
    appeals: int = 0

    def share(self, criterion: str) -> tuple[int, int]:
        return {
            Criterion.DEADLINES_ON_TIME: (self.deadlines_on_time, self.deadlines_due),
            Criterion.KPIS_ACHIEVED: (self.kpis_achieved, self.kpis_with_target),
            Criterion.DISCUSSIONS_SUMMARISED: (self.discussions_summarised, self.discussions_held),
            Criterion.OPEN_DATA_FRESH: (self.datasets_fresh, self.datasets),
            Criterion.APPEALS_ON_TIME: (self.appeals_on_time, self.appeals),
        }[criterion]


@dataclass
class RegionFigures:
    region: str
    today: date
    municipalities: list[dict]
    years: list[int]
    by_year: dict = field(default_factory=lambda: defaultdict(Figures))  # (municipality_id, year) -> Figures

    def get(self, municipality_id: int, year: int) -> Figures:
        return self.by_year.get((municipality_id, year)) or Figures()


def region_figures(region: str, today: date | None = None) -> RegionFigures:
    """Everything the rating needs for every municipality and year of the region: eight queries."""
    today = today or timezone.localdate()
    in_region = Municipality.objects.filter(region=region)
    public_roadmap = Roadmap.public("measure__roadmap__")
    municipalities = list(
        in_region.annotate(
            roadmap_count=Count("roadmaps", filter=Roadmap.public("roadmaps__"), distinct=True)
        )
        .values("pk", "name", "slug", "roadmap_count")
        .order_by("name", "pk")
    )
    by_year: dict = defaultdict(Figures)
    years: set[int] = set()

    deadline_rows = (
        Deadline.objects.with_status(today)
        .filter(public_roadmap, measure__roadmap__municipality__region=region, due_date__isnull=False)
        .annotate(municipality_id=F("measure__roadmap__municipality_id"), year=YearOf("due_date"))
        .values("municipality_id", "year", "status_code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in deadline_rows:
        figures = by_year[(row["municipality_id"], row["year"])]
        years.add(row["year"])
        if row["status_code"] in DUE:
            figures.deadlines_due += row["n"]
        if row["status_code"] == DS.DONE_ON_TIME:
            figures.deadlines_on_time += row["n"]
        elif row["status_code"] == DS.OVERDUE:
            figures.overdue += row["n"]

    _add_kpis(region, by_year, years)

    held = Q(summary__published_at__isnull=False) & (
        Q(summary_due_date__isnull=True) | Q(summary__published_at__date__lte=F("summary_due_date"))
    )
    for row in (
        Discussion.objects.closed_at(timezone.now())
        .filter(municipality__region=region)
        .annotate(year=ExtractYear("closes_at"))
        .values("municipality_id", "year")
        .annotate(n=Count("pk"), summarised=Count("pk", filter=held))
        .order_by()
    ):
        figures = by_year[(row["municipality_id"], row["year"])]
        years.add(row["year"])
        figures.discussions_held += row["n"]
        figures.discussions_summarised += row["summarised"]

    # Freshness is a state of today, not of past years: it counts in the current year only.
    for dataset in Dataset.objects.filter(municipality__region=region, is_published=True).only(
        "pk", "municipality_id", "next_update_due"
    ):
        figures = by_year[(dataset.municipality_id, today.year)]
        figures.datasets += 1
        figures.datasets_fresh += not dataset.is_stale(today)

    for (municipality_id, year), counts in year_totals(in_region.values("pk")).items():
        figures = by_year[(municipality_id, year)]
        years.add(year)
        figures.appeals += counts["total"]
        figures.appeals_on_time += counts["on_time"]

    return RegionFigures(
        region=region,
        today=today,
        municipalities=municipalities,
        years=sorted(y for y in years if y <= today.year),
        by_year=by_year,
    )


def _add_kpis(region: str, by_year: dict, years: set[int]) -> None:
    """KPIs with a target for the year, and whether the year's actual reached it (Kpi.is_achieved).

    The actual is the whole-year figure, else the latest part of the year (of the coarsest kind). Targets are grouped by
    (municipality, year, rule, target, actual) in SQL, so each distinct case is judged once."""
    actual = (
        KpiActual.objects.filter(
            kpi_id=OuterRef("kpi_id"), period__startswith=Cast(OuterRef("year"), CharField())
        )
        .order_by(Length("period"), "-period")  # «2022» before «2022-H2» before «2022-H1»
        .values("value")[:1]
    )
    groups = (
        KpiTarget.objects.filter(
            Roadmap.public("kpi__measure__roadmap__"),
            kpi__measure__roadmap__municipality__region=region,
        )
        .annotate(actual=Subquery(actual))
        .values_list(
            "kpi__measure__roadmap__municipality_id",
            "year",
            "kpi__kind",
            "kpi__comparator",
            "value",
            "actual",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    judges: dict[tuple[str, str], Kpi] = {}  # one unsaved Kpi per rule: its is_achieved is the only rule
    for municipality_id, year, kind, comparator, target, value, n in groups:
        kpi = judges.get((kind, comparator)) or judges.setdefault(
            (kind, comparator), Kpi(kind=kind, comparator=comparator)
        )
        achieved = kpi.is_achieved(target, None if value is None else Decimal(value))
        if achieved is None:
            continue  # no actual yet, or a qualitative KPI: neither achieved nor missed
        figures = by_year[(municipality_id, year)]
        years.add(year)
        figures.kpis_with_target += n
        figures.kpis_achieved += n if achieved else 0
