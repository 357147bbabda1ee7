"""Reads: what a report holds, in a fixed number of queries whatever the roadmap's size.

A report is built as a format-neutral `ReportDocument` (title block, columns, rows, summary tables); the
writers in `reports.writers` only lay it out as XLSX, PDF or DOCX.
"""

import importlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities import access, scoping
from municipalities.models import Municipality, Official, StaffRole
from openness_portal.periods import Period
from roadmaps.executors import executor_labels
from roadmaps.models import (
    Deadline,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    MeasureExecutor,
    ProgressEntry,
    Roadmap,
)

from .models import Report, ReportFile

if TYPE_CHECKING:
    from appeals.models import ServiceCentreFigures

logger = logging.getLogger(__name__)

TOTALS_APPS = ("surveys", "opendata", "referents", "appeals")
NO_DATA = gettext_lazy("нет данных")
TOTAL = "total"
NO_ROADMAP = "no_roadmap"
KPI_MORE = "kpi_more"  # a measure's second, third… KPI: its own row under the measure's (merged) cells
MEASURE_COLUMNS = 4  # №, measure, executors, information: what a measure's KPI rows share


@dataclass
class Column:
    label: str
    width: int  # in characters (XLSX); PDF and DOCX scale it to the page


@dataclass
class Row:
    """One table row: a spanning section heading (`section`) or a measure (`cells`)."""

    cells: list
    section: str = ""
    mark: str = ""  # TOTAL, NO_ROADMAP or KPI_MORE: the writers set such rows apart
    span: int = 1  # rows the measure's first cells cover (one per KPI line)
    number_formats: dict = field(default_factory=dict)  # column index → Excel number format

    @property
    def is_continuation(self) -> bool:
        return self.mark == KPI_MORE

    @property
    def is_total(self) -> bool:
        return self.mark == TOTAL

    @property
    def is_missing(self) -> bool:
        return self.mark == NO_ROADMAP

    @property
    def is_section(self) -> bool:
        return bool(self.section)


@dataclass
class SummaryTable:
    title: str
    rows: list[tuple[str, object]]


@dataclass
class ReportDocument:
    title: str
    subtitle: str  # the roadmap's title (or the region for a summary)
    municipality: str
    approving_act: str
    period_label: str
    columns: list[Column]
    rows: Iterator[Row] | list[Row]
    summaries: list[SummaryTable] = field(default_factory=list)
    generated_on: date | None = None
    row_count: int = 0
    entries_line: str = ""  # which periods' progress entries the report includes
    signature: list[str] = field(default_factory=list)  # «Ответственный: …», «Дата формирования: …»

    @property
    def sheet_title(self) -> str:
        return _("Отчет")


PROGRESS_COLUMNS = [
    (gettext_lazy("№ п/п"), 7),
    (gettext_lazy("Наименование мероприятия"), 50),
    (gettext_lazy("Ответственные исполнители (срок исполнения)"), 32),
    (gettext_lazy("Информация о проведении мероприятия"), 90),
]
KPI_COLUMNS = [
    (gettext_lazy("Показатель"), 30),
    (gettext_lazy("План на год"), 11),
    (gettext_lazy("Факт за год"), 11),
    (gettext_lazy("Исполнение, %"), 11),
]
REGIONAL_COLUMNS = [
    (gettext_lazy("№ п/п"), 6),
    (gettext_lazy("Муниципальное образование"), 30),
    (gettext_lazy("Дорожная карта"), 45),
    (gettext_lazy("Мероприятий"), 12),
    (gettext_lazy("Представлена информация за период"), 14),
    (gettext_lazy("Исполнено в срок"), 12),
    (gettext_lazy("Исполнено с нарушением срока"), 14),
    (gettext_lazy("Просрочено"), 12),
    (gettext_lazy("Срок не наступил"), 12),
    (gettext_lazy("Показатели достигнуты (из)"), 14),
    (gettext_lazy("Рейтинг открытости, баллов"), 12),
    (gettext_lazy("Место в рейтинге"), 10),
]
NO_ENTRY = gettext_lazy("Информация не представлена")


def format_number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}".replace(".", ",")
    return str(value)


def display(value) -> str:
    """A cell as PDF and DOCX print it (XLSX keeps numbers as numbers): «133,3», «—» for no value."""
    return value if isinstance(value, str) else format_number(value)


AMOUNT_FORMAT = "#,##0.###"  # a KPI target or actual: 15, 2,5
PERCENT_FORMAT = "0.0"  # achievement, % (the column header says «%»)


def amount_format(value) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return "#,##0"
    return AMOUNT_FORMAT


def report_owner(roadmap: Roadmap, period_code: str = "") -> Official | None:
    """Who answers for the report: the period's owner, else the municipality's press secretary."""
    from .models import ReportingPeriod

    if period_code:
        period = (
            ReportingPeriod.objects.filter(roadmap=roadmap, code=period_code, owner__isnull=False)
            .select_related("owner")
            .first()
        )
        if period:
            return period.owner
    return (
        Official.objects.filter(municipality_id=roadmap.municipality_id, is_press_secretary=True)
        .order_by("pk")
        .first()
    )


def signature_lines(owner: Official | None, generated_on: date) -> list[str]:
    """The block under the table: who answers for the report and when it was made."""
    lines = []
    if owner is not None:
        who = " ".join(part for part in (owner.post, owner.name) if part)
        lines.append(_("Ответственный: %(who)s") % {"who": who} + " ____________________")
    lines.append(_("Дата формирования: %(date)s") % {"date": generated_on.strftime("%d.%m.%Y")})
    return lines


def act_line(roadmap: Roadmap) -> str:
    act = roadmap.approving_act
    if act is None:
        return ""
    return f"Утвержден(а): {act.get_kind_display()} от {act.date:%d.%m.%Y} № {act.number} «{act.title}»"


def entry_periods(period: Period) -> list[Period]:
    """Which progress entries a report for `period` takes (the rule, in one place), its own period first.

    A half-year report takes that half-year's entries; the second half-year's report, which closes the
    year, takes the entries filed for the whole year too; the annual report takes the year's and both
    half-years' entries.
    """
    if period.is_year:
        return [period, Period(period.year, 1), Period(period.year, 2)]
    if period.half == 2:
        return [period, Period(period.year)]
    return [period]


def entries_line(period: Period) -> str:
    """The line a report prints to say which periods' entries it includes."""
    return _("Включена информация о ходе реализации за: %(periods)s") % {
        "periods": ", ".join(p.label for p in entry_periods(period))
    }


def _progress_texts(roadmap: Roadmap, period: Period) -> dict[int, str]:
    """Accepted entry text per measure from the periods `entry_periods` names; labelled when several."""
    periods = entry_periods(period)
    order = {p.code: i for i, p in enumerate(periods)}
    by_measure: dict[int, dict[str, str]] = defaultdict(dict)
    for measure_id, code, text in (
        ProgressEntry.objects.public()
        .filter(measure__roadmap=roadmap, period__in=list(order))
        .order_by("measure_id", "period", "reviewed_at", "id")
        .values_list("measure_id", "period", "text")
    ):
        by_measure[measure_id][code] = text  # the latest accepted entry of a period wins
    result = {}
    for measure_id, texts in by_measure.items():
        if list(texts) == [period.code]:
            result[measure_id] = texts[period.code]
        else:
            result[measure_id] = "\n\n".join(
                f"{Period.parse(code).label}:\n{texts[code]}" for code in sorted(texts, key=order.get)
            )
    return result


def _executors(roadmap: Roadmap) -> dict[int, list[str]]:
    """Executors as every page prints them (`roadmaps.executors.executor_label`), lead first."""
    return executor_labels(MeasureExecutor.objects.filter(measure__roadmap=roadmap))


@dataclass
class KpiLine:
    name: str
    unit: str
    target: Decimal | None
    actual: Decimal | None
    actual_text: str
    achievement: Decimal | None


def kpi_lines(roadmap: Roadmap, year: int) -> dict[int, list[KpiLine]]:
    """KPI target of the year against its actual (the year's value, else the latest half-year's).

    Reads plain values: a 1,000-measure roadmap has thousands of KPI rows, and model instances would
    cost more than the queries.
    """
    kpis = (
        Kpi.objects.filter(measure__roadmap=roadmap)
        .order_by("measure_id", "order", "id")
        .values_list("pk", "measure_id", "name", "unit", "kind", "comparator")
    )
    targets = dict(
        KpiTarget.objects.filter(kpi__measure__roadmap=roadmap, year=year).values_list("kpi_id", "value")
    )
    preference = {str(year): 0, f"{year}-H2": 1, f"{year}-H1": 2}
    actuals: dict[int, tuple] = {}
    for kpi_id, code, value, text in KpiActual.objects.filter(
        kpi__measure__roadmap=roadmap, period__in=list(preference)
    ).values_list("kpi_id", "period", "value", "text"):
        held = actuals.get(kpi_id)
        if held is None or preference[code] < preference[held[0]]:
            actuals[kpi_id] = (code, value, text)
    judges: dict[tuple, Kpi] = {}  # Kpi.achievement depends on kind and comparator only
    result: dict[int, list[KpiLine]] = defaultdict(list)
    for pk, measure_id, name, unit, kind, comparator in kpis:
        judge = judges.get((kind, comparator))
        if judge is None:
            judge = judges[(kind, comparator)] = Kpi(kind=kind, comparator=comparator)
        target = targets.get(pk)
        _code, value, text = actuals.get(pk, (None, None, ""))
        result[measure_id].append(KpiLine(name, unit, target, value, text, judge.achievement(target, value)))
    return result


DEADLINE_BUCKETS = [
    ("done_on_time", "Исполнено в срок"),
    ("done_late", "Исполнено с нарушением срока"),
    ("overdue", "Просрочено"),
    ("not_due", "Срок не наступил"),
    ("ongoing", "Выполняется постоянно"),
    ("not_applicable", "Не применимо"),
]


def _bucket(status: str) -> str:
    if status in (Deadline.Status.UPCOMING, Deadline.Status.DUE_SOON):
        return "not_due"
    return status


def deadlines_falling_in(period: Period) -> Q:
    """The deadlines a report counts: due within the period; for a year, also its undated (ongoing) ones."""
    due_within = Q(due_date__gte=period.start, due_date__lte=period.end)
    if period.is_year:
        return due_within | Q(due_date__isnull=True, period=period.code)
    return due_within


def deadline_counts(measure_filter: Q, period: Period, *, today: date, group_by: str | None = None) -> dict:
    """Deadlines of the period counted by `Deadline.objects.with_status` (one query; grouped by `group_by`)."""
    fields = ["status_code"] + ([group_by] if group_by else [])
    qs = (
        Deadline.objects.filter(measure_filter)
        .filter(deadlines_falling_in(period))
        .with_status(today)
        .values(*fields)
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict = defaultdict(lambda: dict.fromkeys((k for k, _l in DEADLINE_BUCKETS), 0))
    for row in qs:
        counts[row.get(group_by) if group_by else None][_bucket(row["status_code"])] += row["n"]
    return counts if group_by else counts[None]


def other_app_totals(municipality, year: int) -> list[tuple[str, object]]:
    """The year's totals from the surveys, open data, referents and appeals apps; absent apps say «нет данных»."""
    labels = {
        "surveys": _("Общественные обсуждения и опросы"),
        "opendata": _("Открытые данные"),
        "referents": _("Референтные группы и общественные советы"),
        "appeals": _("Обращения граждан"),
    }
    rows: list[tuple[str, object]] = []
    for app in TOTALS_APPS:
        try:
            module = importlib.import_module(f"{app}.reporting")
            annual_totals = module.annual_totals
        except (ImportError, AttributeError):
            rows.append((labels[app], str(NO_DATA)))
            continue
        try:
            items = list(annual_totals(municipality, year) or [])
        except Exception:  # another app's bug must not stop the report; it is logged and shown as no data
            logger.exception("annual_totals of %s failed", app)
            items = []
        if not items:
            rows.append((labels[app], str(NO_DATA)))
        rows.extend((str(item["label"]), item["value"]) for item in items)
    return rows


def _measure_rows(roadmap: Roadmap, period: Period, *, annual: bool) -> tuple[Iterator[Row], int]:
    measures = list(
        Measure.objects.filter(roadmap=roadmap)
        .order_by("section__order", "section_id", "order", "id")
        .values_list("pk", "number", "title", "section_id", "deadline_rule__text")
    )
    sections = {s["pk"]: s for s in roadmap.sections.values("pk", "number", "title").order_by("order", "pk")}
    executors = _executors(roadmap)
    texts = _progress_texts(roadmap, period)
    kpis = kpi_lines(roadmap, period.year) if annual else {}
    show_sections = len(sections) > 1 or any(s["number"] for s in sections.values())

    def rows() -> Iterator[Row]:
        current_section = None
        for pk, number, title, section_id, deadline_text in measures:
            if show_sections and section_id != current_section:
                current_section = section_id
                s = sections[section_id]
                yield Row([], section=f"{s['number']}. {s['title']}" if s["number"] else s["title"])
            who = "\n".join(executors.get(pk, []))
            if deadline_text:
                who = f"{who}\n\n({deadline_text})" if who else f"({deadline_text})"
            cells = [number, title, who, texts.get(pk) or str(NO_ENTRY)]
            if not annual:
                yield Row(cells)
                continue
            lines = kpis.get(pk) or [None]
            for i, line in enumerate(lines):
                kpi_cells, formats = _kpi_cells(line)
                if i == 0:
                    yield Row(cells + kpi_cells, span=len(lines), number_formats=formats)
                else:
                    yield Row([""] * MEASURE_COLUMNS + kpi_cells, mark=KPI_MORE, number_formats=formats)

    return rows(), len(measures)


def _kpi_cells(line: "KpiLine | None") -> tuple[list, dict]:
    """A KPI's name, target, actual and achievement; numbers stay numbers (numeric cells in XLSX)."""
    if line is None:
        return ["", None, None, None], {}
    actual = line.actual if line.actual is not None else (line.actual_text or None)
    formats = {MEASURE_COLUMNS + 1: amount_format(line.target), MEASURE_COLUMNS + 3: PERCENT_FORMAT}
    if not isinstance(actual, str):
        formats[MEASURE_COLUMNS + 2] = amount_format(actual)
    name = f"{line.name}{f', {line.unit}' if line.unit else ''}"
    return [name, line.target, actual, line.achievement], formats


def roadmap_report(
    roadmap: Roadmap, period: Period, *, annual: bool, today: date | None = None
) -> ReportDocument:
    """The half-year (seed 002 layout) or annual report of one roadmap."""
    municipality = roadmap.municipality
    today = today or municipality.local_today()
    rows, count = _measure_rows(roadmap, period, annual=annual)
    columns = [Column(str(label), width) for label, width in PROGRESS_COLUMNS]
    summaries = []
    if annual:
        columns += [Column(str(label), width) for label, width in KPI_COLUMNS]
        counts = deadline_counts(Q(measure__roadmap=roadmap), period, today=today)
        summaries.append(
            SummaryTable(
                f"Исполнение сроков мероприятий за {period.label}",
                [(label, counts[key]) for key, label in DEADLINE_BUCKETS],
            )
        )
        summaries.append(
            SummaryTable(f"Итоги за {period.label}", other_app_totals(municipality, period.year))
        )
    return ReportDocument(
        title=_("Годовой отчет о ходе реализации за %(period)s") % {"period": period.label}
        if annual
        else _("Отчет о ходе реализации за %(period)s") % {"period": period.label},
        subtitle=roadmap.title,
        municipality=municipality.full_name or municipality.name,
        approving_act=act_line(roadmap),
        period_label=period.label,
        columns=columns,
        rows=rows,
        summaries=summaries,
        generated_on=today,
        row_count=count,
        entries_line=entries_line(period),
        signature=signature_lines(report_owner(roadmap, period.code), today),
    )


def _region_municipalities(region: str) -> list[dict]:
    return list(
        Municipality.objects.filter(**({"region": region} if region else {}))
        .order_by("name", "pk")
        .values("pk", "name")
    )


def _region_ranks(region: str, year: int, today: date) -> tuple[dict[int, tuple], Decimal | None]:
    """Score and place per municipality from the regions app's rating, and the region's average score.

    The rating is defined per region: a summary over all regions shows no places.
    """
    if not region:
        return {}, None
    from regions.services import region_rating

    rating = region_rating(region, year=year, today=today)
    if rating.year != year:  # the rating has no figures for this year: no places rather than another year's
        return {}, None
    ranks = {row.municipality["pk"]: (row.score, row.rank) for row in rating.rows}
    average = next((h["average"] for h in rating.history if h["year"] == year), None)
    return ranks, average


def regional_report(region: str, period: Period, *, today: date | None = None) -> ReportDocument:
    """Every municipality of the region, one row per public roadmap (a marked row when it has none), a
    totals row, and the openness rating with place; a fixed number of queries whatever the region's size."""
    today = today or timezone.localdate()
    municipalities = _region_municipalities(region)
    roadmaps = list(
        Roadmap.objects.filter(Roadmap.public())
        .filter(**({"municipality__region": region} if region else {}))
        .filter(first_year__lte=period.year, last_year__gte=period.year)
        .annotate(measure_total=Count("measures", distinct=True))
        .order_by("municipality__name", "pk")
        .values("pk", "title", "municipality_id", "measure_total")
    )
    roadmaps_of: dict[int, list[dict]] = defaultdict(list)
    for roadmap in roadmaps:
        roadmaps_of[roadmap["municipality_id"]].append(roadmap)
    ids = [r["pk"] for r in roadmaps]
    entries = dict(
        ProgressEntry.objects.public()
        .filter(measure__roadmap_id__in=ids, period__in=[p.code for p in entry_periods(period)])
        .values("measure__roadmap_id")
        .annotate(n=Count("measure_id", distinct=True))
        .order_by()
        .values_list("measure__roadmap_id", "n")
    )
    counts = deadline_counts(
        Q(measure__roadmap_id__in=ids), period, today=today, group_by="measure__roadmap_id"
    )
    achieved = _kpis_achieved(ids, period.year)
    ranks, average = _region_ranks(region, period.year, today)
    without_roadmap = sum(1 for m in municipalities if not roadmaps_of.get(m["pk"]))
    buckets = ("done_on_time", "done_late", "overdue", "not_due")

    def rating_cells(municipality_id: int) -> list:
        score, rank = ranks.get(municipality_id, (None, None))
        return [score, rank if rank is not None else "—"]  # the score a number (XLSX numeric cell)

    def rows() -> Iterator[Row]:
        sums = dict.fromkeys(("measures", "entries", "done", "targets", *buckets), 0)
        number = 0
        for municipality in municipalities:
            own = roadmaps_of.get(municipality["pk"], [])
            if not own:
                number += 1
                yield Row(
                    [
                        number,
                        municipality["name"],
                        _("Нет утвержденной дорожной карты на %(year)s год") % {"year": period.year},
                        *["—"] * 7,
                        *rating_cells(municipality["pk"]),
                    ],
                    mark=NO_ROADMAP,
                )
                continue
            for roadmap in own:
                number += 1
                c = counts[roadmap["pk"]]
                done, total = achieved[roadmap["pk"]]
                sums["measures"] += roadmap["measure_total"]
                sums["entries"] += entries.get(roadmap["pk"], 0)
                sums["done"] += done
                sums["targets"] += total
                for key in buckets:
                    sums[key] += c[key]
                yield Row(
                    [
                        number,
                        municipality["name"],
                        roadmap["title"],
                        roadmap["measure_total"],
                        entries.get(roadmap["pk"], 0),
                        *[c[key] for key in buckets],
                        _("%(done)s из %(total)s") % {"done": done, "total": total} if total else "—",
                        *rating_cells(municipality["pk"]),
                    ]
                )
        yield Row(
            [
                "",
                _("Итого (муниципальных образований: %(count)s)") % {"count": len(municipalities)},
                _("Дорожных карт: %(roadmaps)s; без дорожной карты: %(missing)s")
                % {"roadmaps": len(roadmaps), "missing": without_roadmap},
                sums["measures"],
                sums["entries"],
                *[sums[key] for key in buckets],
                _("%(done)s из %(total)s") % {"done": sums["done"], "total": sums["targets"]}
                if sums["targets"]
                else "—",
                _("в среднем %(score)s") % {"score": format_number(average)} if average is not None else "—",
                "",
            ],
            mark=TOTAL,
        )

    return ReportDocument(
        title=_("Сводка о ходе реализации дорожных карт за %(period)s") % {"period": period.label},
        subtitle=region or _("Все субъекты РФ"),
        municipality=region,
        approving_act="",
        period_label=period.label,
        columns=[Column(str(label), width) for label, width in REGIONAL_COLUMNS],
        rows=rows(),
        generated_on=today,
        row_count=len(roadmaps) + without_roadmap + 1,
        entries_line=entries_line(period),
        signature=signature_lines(None, today),
    )


def _kpis_achieved(roadmap_ids: list[int], year: int) -> dict[int, list[int]]:
    """[achieved, with a target] per roadmap for the year's KPI targets (Kpi.is_achieved); three queries."""
    achieved: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    targets = {
        kpi_id: (value, roadmap_id)
        for kpi_id, value, roadmap_id in KpiTarget.objects.filter(
            kpi__measure__roadmap_id__in=roadmap_ids, year=year
        ).values_list("kpi_id", "value", "kpi__measure__roadmap_id")
    }
    kpis = {k.pk: k for k in Kpi.objects.filter(pk__in=list(targets))}
    latest: dict[int, Decimal | None] = {}
    for kpi_id, code, value in (
        KpiActual.objects.filter(kpi_id__in=list(targets), period__in=[str(year), f"{year}-H2", f"{year}-H1"])
        .order_by("kpi_id", "-period")
        .values_list("kpi_id", "period", "value")
    ):
        if kpi_id not in latest or code == str(year):
            latest[kpi_id] = value
    for kpi_id, (target, roadmap_id) in targets.items():
        achieved[roadmap_id][1] += 1
        if kpis[kpi_id].is_achieved(target, latest.get(kpi_id)):
            achieved[roadmap_id][0] += 1
    return achieved


def document_for(
    *, kind: str, period: Period, roadmap: Roadmap | None = None, region: str = ""
) -> ReportDocument:
    if kind == Report.Kind.REGIONAL:
        if roadmap is not None and not region:
            region = roadmap.municipality.region
        return regional_report(region, period)
    if roadmap is None:
        raise ValueError("roadmap required")
    return roadmap_report(roadmap, period, annual=kind == Report.Kind.ANNUAL)


def published_reports(roadmap: Roadmap) -> list[Report]:
    """Published reports of a roadmap for its public page, each with its ready files (two queries)."""
    return list(
        Report.objects.filter(roadmap=roadmap, published_at__isnull=False)
        .prefetch_related(
            Prefetch("files", queryset=ReportFile.objects.filter(status=ReportFile.Status.READY))
        )
        .order_by("-period", "kind")
    )


def reports_with_files(queryset):
    """Report lists (admin, API) read their files in one more query, whatever the number of reports."""
    return queryset.prefetch_related("files")


# --- Information letters ---------------------------------------------------------------------------------


def draft_act_period(period: Period) -> Period:
    """Draft acts are counted over the year to date (seed 004: «в 2021 году» in a letter on the 2nd
    half-year): the whole year for a letter on the second half or the year, the first half otherwise."""
    return period if period.half == 1 else Period(period.year)


@dataclass
class LetterFigures:
    """What an information letter states, each read from the register it belongs to."""

    period: Period
    draft_act_period: Period
    draft_acts: int  # surveys: draft legal acts whose discussion closed
    remarks: int  # citizens' remarks and proposals on them
    meetings: int  # referents: public-council meetings held
    agenda_items: int  # and the questions they considered
    appeals: int  # appeals: received in the period
    trust_line: int  # of them to the trust line
    appeals_on_time: int  # answered on time
    service_centre: "ServiceCentreFigures | None" = None  # appeals: the MFC's latest figures in the period


def letter_figures(roadmap: Roadmap, period: Period, *, now=None) -> LetterFigures:
    """The letter's figures for the roadmap's municipality: four queries, whatever the number of rows."""
    from appeals.selectors import latest_service_centre_figures, period_counts
    from referents.selectors import council_meeting_totals
    from surveys.selectors import draft_act_totals

    municipality = roadmap.municipality
    acts_period = draft_act_period(period)
    acts = draft_act_totals(municipality, acts_period.start, acts_period.end, now=now)
    council = council_meeting_totals(municipality, period.start, period.end)
    appeals = period_counts(municipality, period.start, period.end)
    return LetterFigures(
        period=period,
        draft_act_period=acts_period,
        draft_acts=acts["discussions"],
        remarks=acts["remarks"],
        meetings=council["meetings"] or 0,
        agenda_items=council["questions"] or 0,
        appeals=appeals["total"] or 0,
        trust_line=appeals["trust_line"] or 0,
        appeals_on_time=appeals["on_time"] or 0,
        service_centre=latest_service_centre_figures(municipality, period.start, period.end),
    )


# Posts that sign a letter for the administration, most fitting first (compared lower-cased, in Python:
# SQLite's LOWER and LIKE fold Latin letters only).
SIGNATORY_POSTS = (
    "глава администрации",
    "глава",
    "исполняющий обязанности главы",
    "и.о. главы",
    "и. о. главы",
)
INITIALS = re.compile(r"^(?:[А-ЯЁA-Z]\.){1,2}$")


def signature_name(name: str) -> str:
    """How a letter is signed: «Куликов Василий Иванович» and «Куликов В. И.» become «В.И. Куликов»."""
    parts = (name or "").split()
    if len(parts) >= 2 and INITIALS.match("".join(parts[1:])) and not INITIALS.match(parts[0]):
        return f"{''.join(parts[1:])} {parts[0]}"
    if len(parts) == 3 and not any("." in part for part in parts):
        return f"{parts[1][0]}.{parts[2][0]}. {parts[0]}"
    return " ".join(parts)


def _signatory_rank(post: str) -> int | None:
    words = post.lower().replace("\n", " ").split()
    text = " ".join(words)
    for rank, prefix in enumerate(SIGNATORY_POSTS):
        if text == prefix or text.startswith(prefix + " "):
            return rank
    return None


def letter_municipality_id(user, periods, period_id) -> int | None:
    """Whose information letter the add form prepares: the municipality of the reporting period given (one
    of `periods`, those the user may see), else the one municipality the user coordinates."""
    if str(period_id or "").isdigit():
        found = periods.filter(pk=period_id).values_list("roadmap__municipality_id", flat=True).first()
        if found is not None:
            return found
    ids = access.coordinated_municipality_ids(user)
    return ids[0] if ids and len(ids) == 1 else None


def default_signatory(municipality_id: int) -> tuple[str, str]:
    """(post, name) a new letter of the municipality is signed with: its last letter's signatory, else its
    head among the officials, else the head of its administration named on the department; ("", "") when
    none is known. Three queries at most."""
    from .models import InformationLetter

    last = (
        InformationLetter.objects.filter(roadmap__municipality_id=municipality_id)
        .order_by("-date", "-id")
        .values_list("signatory_post", "signatory_name")
        .first()
    )
    if last is not None:
        return last
    heads = []
    officials = Official.objects.filter(municipality_id=municipality_id).exclude(post="").exclude(name="")
    for pk, post, name in officials.values_list("pk", "post", "name"):
        rank = _signatory_rank(post)
        if rank is not None:
            heads.append((rank, pk, post, name))
    if heads:
        _rank, _pk, post, name = min(heads)
        return post[:1].upper() + post[1:], signature_name(name)
    for name, head in _administrations(municipality_id):
        if not head:
            continue
        first, rest = (name.split(None, 1) + [""])[:2]
        # «Администрация ЗАТО Сибирский» is headed by the «Глава Администрации ЗАТО Сибирский».
        if first.lower().endswith("я"):
            first = first[:-1] + "и"
        return " ".join(filter(None, (_("Глава"), first, rest))), signature_name(head)
    return "", ""


def _administrations(municipality_id: int) -> list[tuple[str, str]]:
    """(name, head_name) of the municipality's top organs called «администрация …», oldest first; one query."""
    from municipalities.models import Department

    # Compared in Python: SQLite's LIKE folds the case of Latin letters only. Top organs are a handful.
    roots = Department.objects.filter(municipality_id=municipality_id, parent__isnull=True).order_by("pk")
    return [
        (name[:1].upper() + name[1:], head)
        for name, head in roots.values_list("name", "head_name")
        if name.lower().startswith("администрац")
    ]


def administration_name(municipality: Municipality) -> str:
    """How the letterhead names the sender: the municipality's top organ called «администрация …» (one
    query), else «Администрация муниципального образования «…»»."""
    administrations = _administrations(municipality.pk)
    if administrations:
        return administrations[0][0]
    return _("Администрация муниципального образования «%(name)s»") % {"name": municipality.name}


def reports_visible_to(user, queryset=None, *, published_too=False):
    """Reports the user may read: those of the municipalities the user sees (the one scoping rule), a
    regional supervisor's summaries of the region (they have no roadmap), and published ones if asked."""
    extra = Q(pk__in=[])
    role = access.role_of(user)
    if role and role.role == StaffRole.Role.SUPERVISOR:
        extra = Q(roadmap__isnull=True, **({"region": role.region} if role.region else {}))
    if published_too:
        extra |= Q(published_at__isnull=False)
    return scoping.visible_to(Report if queryset is None else queryset, user, public=extra)


def ordered_report(*, roadmap, region: str, period: str, kind: str) -> Report | None:
    """The report already ordered for (roadmap or region, period, kind), if any."""
    scope = {"roadmap": roadmap} if roadmap is not None else {"roadmap": None, "region": region}
    return Report.objects.filter(**scope, period=period, kind=kind).first()
