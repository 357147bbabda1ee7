"""Synthetic roadmaps of any size, built with bulk inserts: for size tests and benchmarks."""

from decimal import Decimal

from municipalities.models import Department, Municipality, Official

from ..deadline_parser import generate_deadlines, parse_deadline
from ..models import (
    Deadline,
    DeadlineRule,
    Kpi,
    KpiActual,
    KpiTarget,
    LegalAct,
    Measure,
    MeasureExecutor,
    Roadmap,
    Section,
)
from ..services import deadline_slot

PHRASES = [
    "ежеквартально",
    "ежегодно до 1 марта",
    "до 20 декабря",
    "постоянно",
    "в течение года",
    "не позднее 3 рабочих дней от даты предоставления отчета",
]


def build_roadmap(
    measure_count: int,
    *,
    first_year=2019,
    last_year=2025,
    municipality=None,
    phrases=None,
    sections=10,
    with_kpis=True,
    slug_prefix="synthetic",
) -> Roadmap:
    phrases = phrases or PHRASES
    if municipality is None:
        n = Municipality.objects.count()
        municipality = Municipality.objects.create(
            name=f"Тестовый округ {n}",
            slug=f"{slug_prefix}-{n}",
            region="Тестовый край",
            inn=f"{2600000000 + n}",
        )
    act = LegalAct.objects.create(
        municipality=municipality,
        number=f"{measure_count}-р",
        date=f"{first_year - 1}-12-01",
        title="Об утверждении плана мероприятий",
    )
    roadmap = Roadmap.objects.create(
        municipality=municipality,
        title=f"План мероприятий ({measure_count})",
        approving_act=act,
        first_year=first_year,
        last_year=last_year,
        status=Roadmap.Status.ACTIVE,
    )
    section_rows = Section.objects.bulk_create(
        [
            Section(roadmap=roadmap, number=str(i + 1), title=f"Раздел {i + 1}", order=i)
            for i in range(max(1, min(sections, measure_count)))
        ]
    )
    departments = Department.objects.bulk_create(
        [
            Department(
                municipality=municipality,
                name=f"отдел {roadmap.pk}-{i}",
                email=f"d{roadmap.pk}-{i}@example.ru",
            )
            for i in range(10)
        ]
    )
    official = Official.objects.create(
        municipality=municipality,
        name="Петрова А.А.",
        post="пресс-секретарь",
        is_press_secretary=True,
        email=f"press{roadmap.pk}@example.ru",
    )
    measures = Measure.objects.bulk_create(
        [
            Measure(
                roadmap=roadmap,
                section=section_rows[i % len(section_rows)],
                number=f"{i % len(section_rows) + 1}.{i // len(section_rows) + 1}",
                title=f"Мероприятие {i + 1}: размещение информации на сайте",
                order=i,
            )
            for i in range(measure_count)
        ]
    )
    parsed = {p: parse_deadline(p, default_year=first_year) for p in phrases}
    generated = {p: generate_deadlines(parsed[p], first_year, last_year) for p in phrases}
    rules, executors, deadlines, kpis = [], [], [], []
    for i, measure in enumerate(measures):
        phrase = phrases[i % len(phrases)]
        rules.append(
            DeadlineRule(
                measure=measure,
                text=phrase,
                kind=parsed[phrase].kind.value,
                parsed=parsed[phrase].to_dict(),
                needs_clarification=not parsed[phrase].understood,
            )
        )
        executors.append(MeasureExecutor(measure=measure, order=0, department=departments[i % 10]))
        executors.append(MeasureExecutor(measure=measure, order=1, official=official))
        for g in generated[phrase]:
            deadlines.append(
                Deadline(
                    measure=measure,
                    slot=deadline_slot(g.part_label, g.period, g.due_date, g.reporting_only),
                    due_date=g.due_date,
                    period=g.period,
                    part_label=g.part_label,
                    reporting_only=g.reporting_only,
                )
            )
        if with_kpis:
            kpis.append(Kpi(measure=measure, name=f"показатель мероприятия {i + 1}", unit="ед."))
    DeadlineRule.objects.bulk_create(rules, batch_size=2000)
    MeasureExecutor.objects.bulk_create(executors, batch_size=2000)
    Deadline.objects.bulk_create(deadlines, batch_size=2000)
    if with_kpis:
        kpis = Kpi.objects.bulk_create(kpis, batch_size=2000)
        KpiTarget.objects.bulk_create(
            [
                KpiTarget(kpi=k, year=y, value=Decimal(y - first_year + 1))
                for k in kpis
                for y in range(first_year, last_year + 1)
            ],
            batch_size=5000,
        )
        KpiActual.objects.bulk_create(
            [KpiActual(kpi=k, period=str(first_year), value=Decimal(1)) for k in kpis], batch_size=5000
        )
    return roadmap
