"""Reads for public pages, dashboards and the API: each a fixed number of queries whatever the size."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from municipalities import access
from municipalities.models import Municipality, StaffRole
from openness_portal.periods import Period
from openness_portal.shares import whole_percent

from .executors import executor_labels
from .models import (
    DEADLINE_KIND_LABELS,
    Deadline,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    MeasureExecutor,
    ProgressEntry,
    Roadmap,
    measure_status_code,
)

DONE = {Deadline.Status.DONE_ON_TIME, Deadline.Status.DONE_LATE}
OPEN_DATED = {Deadline.Status.OVERDUE, Deadline.Status.DUE_SOON, Deadline.Status.UPCOMING}


def today_for_filters() -> date:
    return timezone.localdate()


def public_roadmaps() -> QuerySet:
    return Roadmap.objects.filter(Roadmap.public())


@dataclass
class RoadmapProgress:
    """What a citizen sees of a roadmap at a glance: of the deadlines that have come, how many were met."""

    on_time: int = 0
    late: int = 0
    overdue: int = 0
    upcoming: int = 0

    @property
    def come_due(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def on_time_share(self) -> int | None:
        return whole_percent(self.on_time, self.come_due)


def roadmap_progress(roadmap_ids, *, today: date) -> dict[int, RoadmapProgress]:
    """Deadlines per roadmap by the one status rule, in one query whatever the number of roadmaps."""
    S = Deadline.Status
    rows = (
        Deadline.objects.with_status(today)
        .filter(measure__roadmap_id__in=list(roadmap_ids))
        .values("measure__roadmap_id")
        .annotate(
            on_time=Count("pk", filter=Q(status_code=S.DONE_ON_TIME)),
            late=Count("pk", filter=Q(status_code=S.DONE_LATE)),
            overdue=Count("pk", filter=Q(status_code=S.OVERDUE)),
            upcoming=Count("pk", filter=Q(status_code__in=[S.UPCOMING, S.DUE_SOON])),
        )
        .order_by()
    )
    progress = {pk: RoadmapProgress() for pk in roadmap_ids}
    for row in rows:
        progress[row["measure__roadmap_id"]] = RoadmapProgress(
            on_time=row["on_time"], late=row["late"], overdue=row["overdue"], upcoming=row["upcoming"]
        )
    return progress


def municipalities_with_roadmaps(*, today: date | None = None) -> list[Municipality]:
    """Municipalities with their public roadmaps, each roadmap carrying its `progress`."""
    roadmaps = public_roadmaps().select_related("approving_act").order_by("-first_year", "title")
    municipalities = list(
        Municipality.objects.order_by("name").prefetch_related(
            Prefetch("roadmaps", queryset=roadmaps, to_attr="public_roadmaps")
        )
    )
    all_roadmaps = [r for m in municipalities for r in m.public_roadmaps]
    progress = roadmap_progress([r.pk for r in all_roadmaps], today=today or timezone.localdate())
    for roadmap in all_roadmaps:
        roadmap.progress = progress[roadmap.pk]
    return municipalities


def measures_with_details(queryset: QuerySet | None = None) -> QuerySet:
    """Measures with everything the API and pages print, in six queries whatever their number."""
    queryset = Measure.objects.all() if queryset is None else queryset
    return queryset.select_related("section", "deadline_rule", "roadmap").prefetch_related(
        Prefetch("executors", queryset=MeasureExecutor.objects.select_related("department", "official")),
        Prefetch("deadlines", queryset=Deadline.objects.order_by("due_date", "id")),
        Prefetch("kpis", queryset=Kpi.objects.prefetch_related("targets", "actuals")),
    )


@dataclass
class KpiRow:
    name: str
    unit: str
    target: Decimal | None
    actual: Decimal | None
    actual_text: str
    achievement: Decimal | None
    achieved: bool | None


@dataclass
class MeasureRow:
    pk: int
    number: str
    title: str
    section_id: int
    lead_executor: str
    executors: list[str]
    deadline_text: str
    deadline_kind: str
    deadline_kind_label: str
    needs_clarification: bool
    next_due: date | None  # the earliest open due date; in the past when overdue
    next_due_overdue: bool
    status: str
    status_label: str
    met: int = 0
    due: int = 0
    kpis: list[KpiRow] = field(default_factory=list)

    @property
    def met_share(self) -> int | None:
        return whole_percent(self.met, self.due)


def measure_rows(measures: QuerySet, *, today: date, year: int) -> list[MeasureRow]:
    """Flat rows for a roadmap table: lead executor, next due date, status badge, share met, KPIs of the year.

    Reads with values() rather than model instances: a 1,000-measure roadmap has some 10,000 deadlines.
    The badge is `Measure.objects.with_year_status`, the rule the status filter and the API use too.
    """
    measure_ids = []
    base = {}
    for m in measures.with_year_status(today, year).values(
        "pk",
        "number",
        "title",
        "section_id",
        "deadline_rule__text",
        "deadline_rule__kind",
        "deadline_rule__needs_clarification",
        "year_severity",
    ):
        measure_ids.append(m["pk"])
        base[m["pk"]] = m
    executors = executor_labels(MeasureExecutor.objects.filter(measure_id__in=measures.values("pk")))
    deadlines = defaultdict(list)
    for mid, due, status in (
        Deadline.objects.filter(measure_id__in=measures.values("pk"))
        .with_status(today)
        .values_list("measure_id", "due_date", "status_code")
    ):
        deadlines[mid].append((due, status))
    kpis = defaultdict(list)
    kpi_rows = list(
        Kpi.objects.filter(measure_id__in=measures.values("pk"))
        .order_by("measure_id", "order", "id")
        .values_list("pk", "measure_id", "name", "unit", "kind", "comparator")
    )
    targets = dict(
        KpiTarget.objects.filter(kpi__measure_id__in=measures.values("pk"), year=year).values_list(
            "kpi_id", "value"
        )
    )
    actuals = {}
    for kpi_id, value, text in (
        KpiActual.objects.filter(kpi__measure_id__in=measures.values("pk"), period__startswith=str(year))
        .order_by("period")
        .values_list("kpi_id", "value", "text")
    ):
        actuals[kpi_id] = (value, text)  # the latest period of the year wins (2022 over 2022-H1)
    for pk, measure_id, name, unit, kind, comparator in kpi_rows:
        kpi = Kpi(pk=pk, kind=kind, comparator=comparator)
        target = targets.get(pk)
        value, text = actuals.get(pk, (None, ""))
        kpis[measure_id].append(
            KpiRow(
                name,
                unit,
                target,
                value,
                text,
                kpi.achievement(target, value),
                kpi.is_achieved(target, value),
            )
        )
    rows = []
    status_labels = {code: str(label) for code, label in Deadline.Status.choices}
    kind_labels = {kind: str(label) for kind, label in DEADLINE_KIND_LABELS.items()}
    for mid in measure_ids:
        m = base[mid]
        own = deadlines.get(mid, [])
        open_dates = [due for due, status in own if status in OPEN_DATED]
        past_due = [status for due, status in own if (due and due < today) or status in DONE]
        kind = m["deadline_rule__kind"] or "unknown"
        status = measure_status_code(m["year_severity"])
        labels = executors.get(mid, [])
        rows.append(
            MeasureRow(
                pk=mid,
                number=m["number"],
                title=m["title"],
                section_id=m["section_id"],
                lead_executor=labels[0] if labels else "",
                executors=labels,
                deadline_text=m["deadline_rule__text"] or "",
                deadline_kind=kind,
                deadline_kind_label=kind_labels.get(kind, kind),
                needs_clarification=bool(m["deadline_rule__needs_clarification"]),
                next_due=min(open_dates) if open_dates else None,
                next_due_overdue=bool(open_dates) and min(open_dates) < today,
                status=status,
                status_label=status_labels[status],
                met=sum(1 for s in past_due if s == Deadline.Status.DONE_ON_TIME),
                due=len(past_due),
                kpis=kpis.get(mid, []),
            )
        )
    return rows


def executor_choices(roadmap: Roadmap) -> list[tuple[str, str]]:
    """Filter choices «d<id>» for departments and «o<id>» for officials that execute measures of a roadmap."""
    departments = MeasureExecutor.objects.filter(
        measure__roadmap=roadmap, department__isnull=False
    ).values_list("department_id", "department__name")
    officials = MeasureExecutor.objects.filter(measure__roadmap=roadmap, official__isnull=False).values_list(
        "official_id", "official__name", "official__post"
    )
    choices = {(f"d{pk}", name) for pk, name in departments} | {
        (f"o{pk}", name or post) for pk, name, post in officials
    }
    return sorted(choices, key=lambda choice: choice[1].lower())


def roadmap_summary(rows: list[MeasureRow]) -> dict:
    counts = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    met = sum(r.met for r in rows)
    due = sum(r.due for r in rows)
    return {
        "measures": len(rows),
        "by_status": dict(counts),
        "met": met,
        "due": due,
        "met_share": whole_percent(met, due),
    }


def deadline_moves(deadline_ids) -> dict[int, list[dict]]:
    """Each deadline's moved due dates with the reason given (from its history), in one query."""
    moves, previous = defaultdict(list), {}
    history = (
        Deadline.history.filter(id__in=list(deadline_ids))
        .order_by("id", "history_date", "history_id")
        .values("id", "due_date", "history_change_reason")
    )
    for row in history:
        if row["id"] in previous and previous[row["id"]] != row["due_date"]:
            moves[row["id"]].append(
                {
                    "from": previous[row["id"]],
                    "to": row["due_date"],
                    "reason": row["history_change_reason"] or "",
                }
            )
        previous[row["id"]] = row["due_date"]
    return moves


def measure_page(measure: Measure, *, today: date) -> dict:
    deadlines = list(measure.deadlines.with_status(today).order_by("due_date", "id"))
    moves = deadline_moves(d.pk for d in deadlines)
    for deadline in deadlines:
        deadline.moves = moves.get(deadline.pk, [])
    entries = list(
        ProgressEntry.objects.public()
        .filter(measure=measure)
        .prefetch_related("evidence")
        .order_by("-period")
    )
    kpis = []
    for kpi in measure.kpis.prefetch_related("targets", "actuals"):
        actual_by_year = {}
        for a in sorted(kpi.actuals.all(), key=lambda a: a.period):
            actual_by_year[Period.parse(a.period).year] = a
        series = []
        for t in kpi.targets.all():
            a = actual_by_year.get(t.year)
            value = a.value if a else None
            series.append(
                {
                    "year": t.year,
                    "target": t.value,
                    "actual": value,
                    "achievement": kpi.achievement(t.value, value),
                }
            )
        kpis.append(
            {
                "kpi": kpi,
                "series": series,
                "max": max([s["target"] for s in series] + [s["actual"] or 0 for s in series] + [Decimal(1)]),
            }
        )
    return {"deadlines": deadlines, "entries": entries, "kpis": kpis}


# --- Staff dashboards ---------------------------------------------------------------------------------


def executor_dashboard(user, *, today: date) -> dict:
    mine = executor_measures(user)
    horizon = today + timezone.timedelta(days=30)
    open_deadlines = (
        Deadline.objects.open()
        .filter(measure__in=mine)
        .select_related("measure__roadmap")
        .order_by("due_date")
    )
    return {
        "measures": list(mine.select_related("roadmap").order_by("roadmap_id", "order")[:200]),
        "upcoming": list(open_deadlines.filter(due_date__gte=today, due_date__lte=horizon)[:100]),
        "overdue": list(open_deadlines.filter(due_date__lt=today)[:100]),
        "returned": list(
            ProgressEntry.objects.filter(author=user, status=ProgressEntry.Status.RETURNED).select_related(
                "measure"
            )[:100]
        ),
    }


def coordinator_dashboard(municipality_ids, *, today: date) -> dict:
    """municipality_ids None means every municipality (a superuser)."""
    scope = Q() if municipality_ids is None else Q(measure__roadmap__municipality_id__in=municipality_ids)
    overdue_by_department = (
        MeasureExecutor.objects.filter(
            order=0,
            measure__deadlines__completed_on__isnull=True,
            measure__deadlines__not_applicable=False,
            measure__deadlines__due_date__lt=today,
        )
        .filter(scope)
        .values("department__name", "official__name", "official__post", "text")
        .annotate(overdue=Count("measure__deadlines"))
        .order_by("-overdue")[:50]
    )
    waiting = list(
        ProgressEntry.objects.filter(scope, status=ProgressEntry.Status.SUBMITTED)
        .select_related("measure__roadmap", "author")
        .order_by("submitted_at")[:100]
    )
    for entry in waiting:
        entry.period_label = _period_label(entry.period)
    return {
        "waiting": waiting,
        "overdue_by_department": list(overdue_by_department),
        "unparsed": list(
            Measure.objects.filter(
                deadline_rule__needs_clarification=True,
                **({} if municipality_ids is None else {"roadmap__municipality_id__in": municipality_ids}),
            ).select_related("roadmap", "deadline_rule")[:100]
        ),
    }


def open_entry_for_deadline(deadline: Deadline) -> ProgressEntry | None:
    """The latest draft or returned entry on a deadline: the one the executor goes on writing."""
    return (
        ProgressEntry.objects.filter(
            deadline=deadline, status__in=[ProgressEntry.Status.DRAFT, ProgressEntry.Status.RETURNED]
        )
        .order_by("-created_at")
        .first()
    )


def progress_report_initial(entry: ProgressEntry | None, kpis, *, year: int) -> dict:
    """The report form's starting values: the open entry's text and the KPI facts already given for the year."""
    initial = {"text": entry.text, "completed_on": entry.completed_on} if entry else {}
    for actual in KpiActual.objects.filter(kpi__in=kpis, period=str(year)):
        initial[f"kpi_{actual.kpi_id}"] = actual.value if actual.value is not None else actual.text
    return initial


def _period_label(code: str) -> str:
    try:
        return Period.parse(code).label
    except ValueError:  # an old free-text period: shown as written rather than breaking the page
        return code


def entry_review(entry: ProgressEntry) -> dict:
    """What the coordinator checks beside the text: evidence, KPI facts, and periods in words, not codes."""
    kpi_actuals = list(entry.kpi_actuals.select_related("kpi").order_by("kpi__order", "kpi_id"))
    for actual in kpi_actuals:
        actual.period_label = _period_label(actual.period)
    return {
        "period_label": _period_label(entry.period),
        "evidence": list(entry.evidence.all()),
        "kpi_actuals": kpi_actuals,
    }


def executor_workspace(user, *, today: date) -> dict:
    """«Мои мероприятия»: the executor's open deadlines by urgency and their entries by state."""
    mine = Measure.objects.filter(executor_measure_filter(user)).values("pk")
    open_deadlines = list(
        Deadline.objects.open()
        .filter(measure__in=mine, due_date__isnull=False)
        .select_related("measure__roadmap__municipality")
        .order_by("due_date", "measure__order")[:300]
    )
    entries = list(
        ProgressEntry.objects.filter(measure__in=mine)
        .exclude(status=ProgressEntry.Status.ACCEPTED)
        .select_related("measure", "deadline")
        .order_by("-created_at")[:200]
    )
    for item in (*open_deadlines, *entries):
        item.period_label = _period_label(item.period)
    by_deadline = {e.deadline_id: e for e in reversed(entries) if e.deadline_id}
    rows = [
        {"deadline": d, "status": d.status(today), "entry": by_deadline.get(d.pk)} for d in open_deadlines
    ]
    return {
        "overdue": [r for r in rows if r["status"] == Deadline.Status.OVERDUE],
        "soon": [r for r in rows if r["status"] == Deadline.Status.DUE_SOON],
        "later": [r for r in rows if r["status"] == Deadline.Status.UPCOMING][:50],
        "returned": [e for e in entries if e.status == ProgressEntry.Status.RETURNED],
        "drafts": [e for e in entries if e.status == ProgressEntry.Status.DRAFT],
        "submitted": [e for e in entries if e.status == ProgressEntry.Status.SUBMITTED],
    }


# --- Who works on which measure ----------------------------------------------------------------------


def executor_measure_filter(user) -> Q:
    """Measures where the user's official, or the official's department, is a responsible executor."""
    official = access.official_of(user)
    if official is None:
        return Q(pk__in=[])
    condition = Q(executors__official=official)
    if official.department_id:
        condition |= Q(executors__department_id=official.department_id)
    return condition


def executor_measures(user) -> QuerySet:
    return Measure.objects.filter(executor_measure_filter(user)).distinct()


def can_edit_progress(user, measure: Measure) -> bool:
    """Executors edit progress on their own measures; coordinators on every measure of their municipality."""
    if access.is_coordinator(user, measure.roadmap.municipality_id):
        return True
    role = access.role_of(user)
    if (
        not role
        or role.role != StaffRole.Role.EXECUTOR
        or role.municipality_id != measure.roadmap.municipality_id
    ):
        return False
    return executor_measures(user).filter(pk=measure.pk).exists()
