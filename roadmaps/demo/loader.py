"""Load the seed municipalities and roadmaps as demo data. Idempotent: a second run changes nothing."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from municipalities.models import Department, Municipality, Official, StaffRole
from municipalities.services import grant_staff_role

from ..executors import ExecutorMatcher
from ..models import (
    Kpi,
    KpiActual,
    KpiTarget,
    LegalAct,
    Measure,
    MeasureExecutor,
    ProgressEntry,
    Roadmap,
    Section,
)
from ..services import complete_deadline, default_deadline_for, set_deadline_rule
from . import seed_data

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - printed by `make run`; load_demo refuses to run with DEBUG off
ACT_KINDS = {
    "распоряжение": LegalAct.Kind.ORDER,
    "постановление": LegalAct.Kind.RESOLUTION,
    "решение": LegalAct.Kind.DECISION,
}
# Relative deadlines that count from another measure's completion (seed 000: 7 follows 6's report,
# 9 follows 8's report, 10 follows the close of 9's discussion).
TRIGGERS = {"khmr-2019": {"7": "6", "9": "8", "10": "9"}}
DEMO_SOURCE = "демонстрационные данные"
# Illustrative actuals so that the annual report has something to compare with the targets.
DEMO_KPI_ACTUALS = {("khmr-2019", "4"): {"2019": 1, "2020": 2, "2021": 4, "2022": 4}}


def _municipalities():
    result = {}
    for data in seed_data.MUNICIPALITIES:
        fields = {
            k: v
            for k, v in data.items()
            if k in {"name", "full_name", "region", "oktmo", "inn", "time_zone", "site_url"}
        }
        municipality, _ = Municipality.objects.update_or_create(slug=data["slug"], defaults=fields)
        result[data["slug"]] = municipality
    return result


def _people(municipalities):
    for slug, departments in seed_data.DEPARTMENTS.items():
        m = municipalities[slug]
        for d in departments:
            Department.objects.update_or_create(
                municipality=m,
                name=d["name"],
                defaults={
                    "short_name": d.get("short_name", ""),
                    "aliases": d.get("aliases", []),
                    "email": d.get("email", ""),
                    "phone": d.get("phone", ""),
                    "head_name": d.get("head_name", "") or "",
                },
            )
        for d in departments:
            if d.get("parent"):
                Department.objects.filter(municipality=m, name=d["name"]).update(
                    parent=Department.objects.filter(municipality=m, name=d["parent"]).first()
                )
    for slug, officials in seed_data.OFFICIALS.items():
        m = municipalities[slug]
        for o in officials:
            department = None
            if o.get("department"):
                department = Department.objects.filter(municipality=m, name=o["department"]).first()
            Official.objects.update_or_create(
                municipality=m,
                name=o.get("name", ""),
                post=o.get("post", ""),
                defaults={
                    "aliases": o.get("aliases", []),
                    "email": o.get("email", ""),
                    "phone": o.get("phone", ""),
                    "department": department,
                    "is_press_secretary": o.get("is_press_secretary", False),
                },
            )


def _roadmap(data, municipality) -> tuple[Roadmap, bool]:
    act_data = data["act"]
    act, _ = LegalAct.objects.get_or_create(
        municipality=municipality,
        number=act_data["number"],
        date=date.fromisoformat(act_data["date"]),
        defaults={"kind": ACT_KINDS.get(act_data["kind"], LegalAct.Kind.OTHER), "title": act_data["title"]},
    )
    existing = Roadmap.objects.filter(municipality=municipality, approving_act=act).first()
    if existing:
        return existing, False
    roadmap = Roadmap.objects.create(
        municipality=municipality,
        title=data["title"],
        kind=data.get("kind", Roadmap.Kind.ROADMAP),
        approving_act=act,
        first_year=data["first_year"],
        last_year=data["last_year"],
        description=data.get("description", ""),
        status=data.get("status", Roadmap.Status.ACTIVE),
    )
    matcher = ExecutorMatcher(municipality)
    order = 0
    measures = {}
    for s_order, s in enumerate(data["sections"]):
        section = Section.objects.create(
            roadmap=roadmap, number=s.get("number", ""), title=s["title"], order=s_order
        )
        for m in s["measures"]:
            order += 1
            measure = Measure.objects.create(
                roadmap=roadmap,
                section=section,
                number=m["number"],
                title=m["title"],
                description=m.get("description", ""),
                expected_result=m.get("expected_result", ""),
                order=order,
            )
            measures[m["number"]] = (measure, m)
            for e_order, text in enumerate(m.get("executors", [])):
                found = matcher.match(text)
                MeasureExecutor.objects.create(
                    measure=measure,
                    order=e_order,
                    text=text,
                    department=found.department,
                    official=found.official,
                )
            for k_order, k in enumerate(m.get("kpis", [])):
                _create_kpi(measure, k, k_order)
    triggers = TRIGGERS.get(data["key"], {})
    for number, (measure, m) in measures.items():
        trigger = measures.get(triggers.get(number), (None,))[0]
        set_deadline_rule(measure, m.get("deadline_text", ""), trigger_measure=trigger)
    return roadmap, True


def _create_kpi(measure, k: dict, order: int) -> Kpi:
    """A KPI of the seed data with its targets per year."""
    kpi = Kpi.objects.create(
        measure=measure,
        name=k["name"],
        unit=k.get("unit", ""),
        kind=k.get("kind", "quantitative"),
        comparator=k.get("comparator", "gte"),
        baseline=k.get("baseline"),
        order=order,
        auto_source=k.get("auto_source", ""),
    )
    KpiTarget.objects.bulk_create(
        [KpiTarget(kpi=kpi, year=int(y), value=Decimal(str(v))) for y, v in k.get("targets", {}).items()]
    )
    return kpi


def _auto_source_kpis(roadmaps) -> int:
    """KPIs filled from another register (`auto_source`) that a roadmap loaded before they were added to
    the seed data lacks: created on the existing measure, so an older demo database gets them too."""
    created = 0
    for data in seed_data.ROADMAPS:
        roadmap = roadmaps.get(data["key"])
        for m in (m for s in data["sections"] for m in s["measures"]):
            for order, k in enumerate(m.get("kpis", [])):
                if not k.get("auto_source"):
                    continue
                measure = Measure.objects.filter(roadmap=roadmap, number=m["number"]).first()
                if measure is None or Kpi.objects.filter(measure=measure, name=k["name"]).exists():
                    continue
                _create_kpi(measure, k, order)
                created += 1
    return created


def _kpi_actuals(roadmaps):
    for (key, number), values in DEMO_KPI_ACTUALS.items():
        kpi = Kpi.objects.filter(measure__roadmap=roadmaps[key], measure__number=number).first()
        if kpi is None:
            continue
        existing = {a.period: a for a in KpiActual.objects.filter(kpi=kpi)}
        for period, value in values.items():
            wanted = {"value": Decimal(value), "source": DEMO_SOURCE}
            actual = existing.get(period)
            if actual is not None and all(getattr(actual, f) == v for f, v in wanted.items()):
                continue  # saving an unchanged value would add a history row on every `make run`
            KpiActual.objects.update_or_create(kpi=kpi, period=period, defaults=wanted)


def _demo_progress_entries():
    """Seed 002's real entries, plus illustrative yearly entries for KhMR measure 4 matching its demo actuals."""
    yield from seed_data.PROGRESS_ENTRIES
    for period, value in DEMO_KPI_ACTUALS[("khmr-2019", "4")].items():
        yield {
            "roadmap": "khmr-2019",
            "measure": "4",
            "period": period,
            "text": f"Реализовано проектов инициативного бюджетирования: {value} (демонстрационные данные).",
        }


def _progress(roadmaps, reviewers):
    from openness_portal.periods import Period

    for e in _demo_progress_entries():
        if not e["text"].strip():
            continue  # the report shows such measures as «нет информации»
        roadmap = roadmaps[e["roadmap"]]
        reviewer = reviewers[e["roadmap"]]
        measure = Measure.objects.filter(roadmap=roadmap, number=e["measure"]).first()
        if measure is None or ProgressEntry.objects.filter(measure=measure, period=e["period"]).exists():
            continue
        period = Period.parse(e["period"])
        deadline = default_deadline_for(measure, period)
        done_on = (
            deadline.due_date
            if deadline and deadline.due_date and period.contains(deadline.due_date)
            else period.end
        )
        ProgressEntry.objects.create(
            measure=measure,
            period=period.code,
            text=e["text"],
            deadline=deadline,
            completed_on=done_on,
            status=ProgressEntry.Status.ACCEPTED,
            author=reviewer,
            reviewed_by=reviewer,
            submitted_at=timezone.now(),
            reviewed_at=timezone.now(),
        )
        if deadline is not None and deadline.completed_on is None:
            complete_deadline(deadline, done_on)


def _user(username, *, role=None, municipality=None, official=None, superuser=False, region=""):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": superuser}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.email = f"{username}@example.ru"
        user.save()
    if role:
        grant_staff_role(user, role, municipality=municipality, region=region, official=official)
    return user


def _demo_users(municipalities) -> list[tuple[str, str]]:
    khmr, levokumsky = municipalities["khanty-mansiysky"], municipalities["levokumsky"]
    _user("admin", superuser=True)
    _user("supervisor", role=StaffRole.Role.SUPERVISOR)
    press = Official.objects.filter(municipality=khmr, is_press_secretary=True).order_by("pk").first()
    _user("coordinator-khmr", role=StaffRole.Role.COORDINATOR, municipality=khmr, official=press)
    kadry = Department.objects.filter(municipality=khmr, name__icontains="кадровой").first()
    kadry_official, _ = Official.objects.get_or_create(
        municipality=khmr,
        post="специалист отдела кадровой работы и муниципальной службы",
        defaults={"department": kadry, "email": kadry.email if kadry else ""},
    )
    _user("executor-khmr", role=StaffRole.Role.EXECUTOR, municipality=khmr, official=kadry_official)
    _user("moderator-khmr", role=StaffRole.Role.MODERATOR, municipality=khmr)
    _user("coordinator-levokumsky", role=StaffRole.Role.COORDINATOR, municipality=levokumsky)
    begisheva = Official.objects.filter(municipality=levokumsky, name="Бегишева Н.А.").first()
    _user("executor-levokumsky", role=StaffRole.Role.EXECUTOR, municipality=levokumsky, official=begisheva)
    return [
        ("admin", "суперпользователь"),
        ("supervisor", "региональный куратор (читает всё)"),
        ("coordinator-khmr", "координатор Ханты-Мансийского района (пресс-секретарь)"),
        ("executor-khmr", "исполнитель: отдел кадровой работы и муниципальной службы"),
        ("moderator-khmr", "модератор обсуждений Ханты-Мансийского района (только замечания)"),
        ("coordinator-levokumsky", "координатор Левокумского округа"),
        ("executor-levokumsky", "исполнитель: Бегишева Н.А."),
    ]


@transaction.atomic
def load(stdout=None) -> dict:
    municipalities = _municipalities()
    _people(municipalities)
    roadmaps = {}
    for data in seed_data.ROADMAPS:
        roadmap, created = _roadmap(data, municipalities[data["municipality"]])
        roadmaps[data["key"]] = roadmap
        if stdout:
            stdout.write(
                f"{'загружена' if created else 'уже есть'}: {roadmap.title[:80]} "
                f"({roadmap.measures.count()} мероприятий)"
            )
    users = _demo_users(municipalities)
    users_by_name = get_user_model().objects.in_bulk(
        ["coordinator-levokumsky", "coordinator-khmr"], field_name="username"
    )
    reviewers = {
        "levokumsky-2021": users_by_name["coordinator-levokumsky"],
        "khmr-2019": users_by_name["coordinator-khmr"],
    }
    _auto_source_kpis(roadmaps)
    _kpi_actuals(roadmaps)
    _progress(roadmaps, reviewers)
    return {"municipalities": municipalities, "roadmaps": roadmaps, "users": users, "password": DEMO_PASSWORD}
