"""Demo register from the seeds, so the counts come out as the offices printed them. Idempotent: rows are
keyed by their journal number. Dates within each half-year and topics are invented for the demo (the seeds
give only the counts); no row names a person.

Seed 004 (Krasnogvardeysky, 2nd half of 2021): 129 appeals, 10 of them to the head's trust line, all answered.
Seed 002 (Levokumsky, 1st half of 2022): 7 trust-line calls, 4 residents at the head's reception.
ZATO Sibirsky, 2018: seed 001 prints no counts; its measure 9.3 («статистический и аналитический анализ
поступивших обращений») has demo KPIs filled from this register, so its 51 appeals are invented outright.

Seed 004 also quotes Krasnogvardeysky's multifunctional centre: 290 services, 45,939 people applied by
21 December 2021, 9,312 of them through remote offices; recorded as its figures of that date.
"""

from datetime import date, timedelta

from django.db import transaction

from municipalities.models import Municipality

from ..models import Appeal, ServiceCentreFigures, default_due_on
from ..services import fill_kpi_actuals

TOPICS = [
    "улучшение жилищных условий",
    "ремонт крыши многоквартирного дома",
    "благоустройство территории",
    "содержание дорог",
    "водоснабжение",
    "уличное освещение",
    "вывоз твердых коммунальных отходов",
    "социальная поддержка",
]

C = Appeal.Channel
PLAN = {
    # slug: (prefix, first day, last day, [(channel, count)])
    "krasnogvardeisky": (
        "ДЕМО-2021-",
        date(2021, 7, 1),
        date(2021, 12, 31),
        [(C.TRUST_LINE, 10), (C.WRITTEN, 64), (C.ELECTRONIC, 41), (C.RECEPTION, 14)],
    ),
    "levokumsky": ("ДЕМО-2022-", date(2022, 1, 10), date(2022, 6, 30), [(C.TRUST_LINE, 7), (C.RECEPTION, 4)]),
    "zato-sibirsky": (
        "ДЕМО-2018-",
        date(2018, 4, 2),
        date(2018, 12, 28),
        [(C.TRUST_LINE, 6), (C.WRITTEN, 21), (C.ELECTRONIC, 15), (C.RECEPTION, 9)],
    ),
}


# slug: [(as of, services, applicants, of them through remote offices)]
SERVICE_CENTRE = {"krasnogvardeisky": [(date(2021, 12, 21), 290, 45939, 9312)]}


def _service_centre_figures(stdout=None) -> None:
    for slug, rows in SERVICE_CENTRE.items():
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality is None:
            continue
        for as_of, services, applicants, remote in rows:
            ServiceCentreFigures.objects.update_or_create(
                municipality=municipality,
                as_of=as_of,
                defaults={"services": services, "applicants": applicants, "remote_applicants": remote},
            )
        if stdout:
            stdout.write(f"показатели МФЦ: {municipality.name}, записей {len(rows)}")


def _appeals(municipality, prefix, first, last, plan):
    total = sum(n for _c, n in plan)
    span = (last - first).days
    index = 0
    for channel, count in plan:
        for _ in range(count):
            received = first + timedelta(days=span * index // max(1, total - 1))
            yield Appeal(
                municipality=municipality,
                external_number=f"{prefix}{index + 1:03d}",
                received_on=received,
                channel=channel,
                topic=TOPICS[index % len(TOPICS)],
                due_on=default_due_on(received),
                answered_on=received + timedelta(days=5 + index % 20),
            )
            index += 1


@transaction.atomic
def load(stdout=None) -> int:
    created = 0
    for slug, (prefix, first, last, plan) in PLAN.items():
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality is None:
            continue
        existing = set(
            Appeal.objects.filter(municipality=municipality, external_number__startswith=prefix).values_list(
                "external_number", flat=True
            )
        )
        new = [
            a for a in _appeals(municipality, prefix, first, last, plan) if a.external_number not in existing
        ]
        Appeal.objects.bulk_create(new)
        created += len(new)
        if stdout:
            stdout.write(f"обращения граждан: {municipality.name}, добавлено {len(new)}")
    _service_centre_figures(stdout)
    # KPIs whose fact is the register's count (ZATO Sibirsky 9.3): filled as the nightly task would.
    years = sorted({first.year for _prefix, first, _last, _plan in PLAN.values()})
    filled = sum(fill_kpi_actuals(year) for year in years)
    if stdout and filled:
        stdout.write(f"показатели из реестра обращений: записано значений {filled}")
    return created
