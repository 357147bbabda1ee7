"""The experts database feeds the KPI «не менее 15 экспертов …» (seed 000, measure 2) with nobody typing 15."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from referents import services, tasks
from referents.models import Participant
from roadmaps.models import KpiActual, KpiTarget
from roadmaps.selectors import measure_rows
from tests.factories import (
    DepartmentFactory,
    KpiFactory,
    KpiTargetFactory,
    MeasureFactory,
    OfficialFactory,
    RoadmapFactory,
    SectionFactory,
    StaffRoleFactory,
)
from tests.referents.factories import ExpertFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def experts_kpi():
    roadmap = RoadmapFactory(first_year=2019, last_year=2025)
    measure = MeasureFactory(section=SectionFactory(roadmap=roadmap), roadmap=roadmap, number="2")
    kpi = KpiFactory(
        measure=measure, name="не менее 15 экспертов", unit="экспертов", auto_source=services.EXPERTS_SOURCE
    )
    for year in range(2019, 2026):
        KpiTargetFactory(kpi=kpi, year=year, value=15)
    return kpi


@time_machine.travel("2022-06-01 10:00 +0300", tick=False)
def test_proposed_and_accepted_experts_fill_the_kpi(experts_kpi, django_capture_on_commit_callbacks):
    municipality = experts_kpi.measure.roadmap.municipality
    head = OfficialFactory(municipality=municipality, department=DepartmentFactory(municipality=municipality))
    press = OfficialFactory(
        municipality=municipality, post="пресс-секретарь главы района", is_press_secretary=True
    )
    coordinator = StaffRoleFactory(municipality=municipality).user
    press.user = coordinator
    press.save()
    candidates = [
        services.propose_expert(
            municipality=municipality, name=f"Эксперт {i}", proposed_by=head, consent_date=date(2022, 5, 1)
        )
        for i in range(16)
    ]
    assert not KpiActual.objects.filter(kpi=experts_kpi).exists()  # proposed is not yet in the base

    with django_capture_on_commit_callbacks(execute=True):
        for candidate in candidates[:15]:
            services.accept_expert(candidate, user=coordinator)

    actual = KpiActual.objects.get(kpi=experts_kpi, period="2022")
    assert actual.value == 15 and actual.source == "база данных экспертов"
    assert Participant.objects.get(pk=candidates[0].pk).accepted_by == press
    row = measure_rows(experts_kpi.measure.roadmap.measures.all(), today=date(2022, 6, 1), year=2022)[0]
    kpi_row = row.kpis[0]
    assert (kpi_row.target, kpi_row.actual, kpi_row.achieved) == (15, 15, True)

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_consent(candidates[0])
    assert KpiActual.objects.get(kpi=experts_kpi, period="2022").value == 14


@time_machine.travel("2022-06-01 10:00 +0300", tick=False)
def test_only_a_coordinator_accepts_experts(experts_kpi):
    municipality = experts_kpi.measure.roadmap.municipality
    candidate = services.propose_expert(
        municipality=municipality, name="Кандидат", proposed_by=None, consent_date=date(2022, 5, 1)
    )
    executor = StaffRoleFactory(municipality=municipality, role="executor").user
    with pytest.raises(services.PermissionDenied):
        services.accept_expert(candidate, user=executor)
    no_consent = services.propose_expert(municipality=municipality, name="Без согласия", proposed_by=None)
    with pytest.raises(services.ValidationError, match="согласия"):
        services.accept_expert(no_consent, user=StaffRoleFactory(municipality=municipality).user)


@time_machine.travel("2022-06-01 10:00 +0300", tick=False)
def test_daily_task_counts_experts_of_the_year(experts_kpi):
    municipality = experts_kpi.measure.roadmap.municipality
    ExpertFactory.create_batch(15, municipality=municipality)
    ExpertFactory(municipality=municipality, accepted_on=date(2022, 12, 1))  # not yet in the base today
    ExpertFactory(municipality=municipality, consent=False, consent_date=None)  # no consent: not counted
    Participant.objects.create(
        municipality=municipality, name="Не эксперт", consent=True, consent_date=date(2022, 1, 1)
    )

    assert tasks.refresh_expert_kpis_task.delay().get() == 1
    assert KpiActual.objects.get(kpi=experts_kpi, period="2022").value == 15
    tasks.refresh_expert_kpis_task.delay(municipality.pk)  # idempotent: the same row is corrected
    assert KpiActual.objects.filter(kpi=experts_kpi).count() == 1


@time_machine.travel("2022-06-01 10:00 +0300", tick=False)
def test_admin_accepting_an_expert_refreshes_the_kpi(client, experts_kpi, django_capture_on_commit_callbacks):
    municipality = experts_kpi.measure.roadmap.municipality
    ExpertFactory.create_batch(14, municipality=municipality)
    candidate = ExpertFactory(municipality=municipality, expert_status="proposed", accepted_on=None)
    client.force_login(StaffRoleFactory(municipality=municipality).user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:referents_participant_changelist"),
            {"action": "accept_experts", "_selected_action": [candidate.pk]},
            follow=True,
        )
    assert "Включено в базу экспертов: 1" in response.content.decode()
    assert KpiActual.objects.get(kpi=experts_kpi, period="2022").value == 15


def test_demo_experts_kpi_reads_15_against_15(demo_data):
    from referents.demo.loader import load

    load()
    kpi = KpiTarget.objects.get(
        kpi__measure__roadmap__municipality__slug="khanty-mansiysky", kpi__measure__number="2", year=2022
    ).kpi
    assert kpi.auto_source == services.EXPERTS_SOURCE
    assert KpiTarget.objects.get(kpi=kpi, year=2022).value == 15
    assert KpiActual.objects.get(kpi=kpi, period="2022").value == 15
    experts = Participant.objects.accepted_experts().filter(municipality__slug="khanty-mansiysky")
    assert experts.count() == 15
    assert all(e.proposed_by and e.accepted_by.post.startswith("пресс-секретарь") for e in experts)


@time_machine.travel("2022-06-01 10:00 +0300", tick=False)
def test_daily_task_writes_history_only_when_the_count_changes(experts_kpi):
    municipality = experts_kpi.measure.roadmap.municipality
    history = KpiActual.history.filter(kpi_id=experts_kpi.pk)
    ExpertFactory.create_batch(3, municipality=municipality)

    assert tasks.refresh_expert_kpis_task.delay(municipality.pk).get() == 1
    assert history.count() == 1
    assert tasks.refresh_expert_kpis_task.delay(municipality.pk).get() == 0  # same count: nothing saved
    assert history.count() == 1

    ExpertFactory(municipality=municipality)
    assert tasks.refresh_expert_kpis_task.delay(municipality.pk).get() == 1
    assert history.count() == 2
    assert KpiActual.objects.get(kpi=experts_kpi, period="2022").value == 4
