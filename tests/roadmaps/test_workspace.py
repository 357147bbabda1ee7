"""«Мои мероприятия»: an executor reports on a deadline in one form, KPI facts included, and submits it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from municipalities.models import StaffRole
from roadmaps.models import KpiActual, ProgressEntry
from tests.factories import (
    DeadlineFactory,
    DepartmentFactory,
    KpiFactory,
    MeasureExecutorFactory,
    MeasureFactory,
    OfficialFactory,
    RoadmapFactory,
    SectionFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    roadmap = RoadmapFactory(first_year=2024, last_year=2026)
    municipality = roadmap.municipality
    section = SectionFactory(roadmap=roadmap)
    mine, theirs = DepartmentFactory(municipality=municipality), DepartmentFactory(municipality=municipality)
    trained = MeasureFactory(section=section, roadmap=roadmap, number="3", title="Обучение служащих")
    other = MeasureFactory(section=section, roadmap=roadmap, number="4", title="Чужое мероприятие")
    MeasureExecutorFactory(measure=trained, department=mine)
    MeasureExecutorFactory(measure=other, department=theirs)
    kpi = KpiFactory(measure=trained, name="обучено служащих", unit="человек")
    today = municipality.local_today()
    overdue = DeadlineFactory(measure=trained, due_date=today - timedelta(days=40), period=str(today.year))
    soon = DeadlineFactory(measure=trained, due_date=today + timedelta(days=3), period=f"{today.year}-H2")
    foreign = DeadlineFactory(measure=other, due_date=today - timedelta(days=10), period=str(today.year))
    executor = UserFactory(username="executor")
    OfficialFactory(municipality=municipality, department=mine, user=executor)
    StaffRoleFactory(user=executor, role=StaffRole.Role.EXECUTOR, municipality=municipality)
    stranger = UserFactory(username="stranger")
    OfficialFactory(municipality=municipality, department=theirs, user=stranger)
    StaffRoleFactory(user=stranger, role=StaffRole.Role.EXECUTOR, municipality=municipality)
    return locals()


def test_the_workspace_lists_my_overdue_and_coming_deadlines_only(client, desk):
    client.force_login(desk["executor"])
    page = client.get(reverse("admin:roadmaps_my_measures")).content.decode()
    assert "Обучение служащих" in page
    assert "Чужое мероприятие" not in page
    assert reverse("admin:roadmaps_report_on_deadline", args=[desk["overdue"].pk]) in page
    assert reverse("admin:roadmaps_report_on_deadline", args=[desk["soon"].pk]) in page
    assert page.index("Просрочено") < page.index("Срок подходит")
    year = desk["today"].year
    assert f"<td>{year} год</td>" in page and f"<td>II полугодие {year} года</td>" in page


def test_the_form_knows_its_deadline_and_period_and_submits_with_the_kpi_fact(client, desk):
    client.force_login(desk["executor"])
    url = reverse("admin:roadmaps_report_on_deadline", args=[desk["overdue"].pk])
    form_page = client.get(url).content.decode()
    year = desk["today"].year
    assert f"{desk['overdue'].due_date:%d.%m.%Y}" in form_page
    assert f"{year} год" in form_page
    assert "Сохранить и отправить на проверку" in form_page
    assert f"обучено служащих: факт за {year} год" in form_page

    response = client.post(
        url,
        {
            "text": "Проведен семинар, обучено 12 служащих.",
            "completed_on": (desk["today"] - timedelta(days=1)).isoformat(),
            "evidence_url": "https://example.ru/news/seminar",
            f"kpi_{desk['kpi'].pk}": "12",
            "submit": "1",
        },
        follow=True,
    )
    assert "отправлена на проверку" in response.content.decode()
    entry = ProgressEntry.objects.get(measure=desk["trained"])
    assert entry.status == ProgressEntry.Status.SUBMITTED
    assert entry.deadline == desk["overdue"]
    assert entry.period == str(year)
    assert entry.evidence.get().url == "https://example.ru/news/seminar"
    actual = KpiActual.objects.get(kpi=desk["kpi"], period=str(year))
    assert actual.value == 12
    assert actual.progress_entry == entry


def test_a_draft_is_kept_and_continued_in_the_same_form(client, desk):
    client.force_login(desk["executor"])
    url = reverse("admin:roadmaps_report_on_deadline", args=[desk["soon"].pk])
    client.post(url, {"text": "Начата подготовка семинара.", "save": "1"})
    entry = ProgressEntry.objects.get(deadline=desk["soon"])
    assert entry.status == ProgressEntry.Status.DRAFT
    assert entry.period == f"{desk['today'].year}-H2"
    assert "Начата подготовка семинара." in client.get(url).content.decode()
    client.post(url, {"text": "Семинар проведен.", "submit": "1"})
    assert ProgressEntry.objects.filter(deadline=desk["soon"]).count() == 1
    entry.refresh_from_db()
    assert (entry.text, entry.status) == ("Семинар проведен.", ProgressEntry.Status.SUBMITTED)


def test_bad_input_is_explained_in_russian_and_nothing_is_saved(client, desk):
    client.force_login(desk["executor"])
    url = reverse("admin:roadmaps_report_on_deadline", args=[desk["overdue"].pk])
    response = client.post(url, {"text": "", f"kpi_{desk['kpi'].pk}": "-3", "submit": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Опишите, что сделано." in page
    assert "больше либо равно 0" in page
    assert not ProgressEntry.objects.exists()
    assert not KpiActual.objects.exists()


def test_another_executors_deadline_is_refused(client, desk):
    client.force_login(desk["stranger"])
    url = reverse("admin:roadmaps_report_on_deadline", args=[desk["overdue"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"text": "чужое", "submit": "1"}).status_code == 403
    assert not ProgressEntry.objects.exists()


def test_the_workspace_costs_the_same_queries_at_any_number_of_deadlines(
    client, desk, django_assert_max_num_queries
):
    client.force_login(desk["executor"])
    url = reverse("admin:roadmaps_my_measures")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for offset in range(60):
        DeadlineFactory(
            measure=desk["trained"], due_date=date.today() + timedelta(days=offset), period="2026"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_an_executor_is_shown_only_the_models_they_use_and_the_workspace(client, desk):
    client.force_login(desk["executor"])
    executor_apps = client.get(reverse("admin:index")).context["app_list"]
    listed = {(a["app_label"], m["object_name"].lower()) for a in executor_apps for m in a["models"]}
    assert ("roadmaps", "progressentry") in listed
    assert listed <= {
        ("roadmaps", "progressentry"),
        ("roadmaps", "measure"),
        ("roadmaps", "deadline"),
        ("notifications", "notification"),
    }
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:roadmaps_my_measures") in page


def test_an_evidence_file_gets_an_address_nobody_can_guess(desk):
    from django.core.files.base import ContentFile

    from roadmaps.models import Evidence
    from tests.factories import ProgressEntryFactory

    entry = ProgressEntryFactory(measure=desk["trained"])
    first = Evidence.objects.create(progress_entry=entry, file=ContentFile(b"1", name="protokol.pdf"))
    second = Evidence.objects.create(progress_entry=entry, file=ContentFile(b"2", name="protokol.pdf"))
    folder = first.file.name.split("/")[1]
    assert first.file.name.startswith("evidence/") and first.file.name.endswith("/protokol.pdf")
    assert len(folder) == 32 and folder != second.file.name.split("/")[1]
