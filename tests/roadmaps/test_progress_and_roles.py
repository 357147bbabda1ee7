"""The progress workflow and who may do what, through the API and the admin, for every role."""

from datetime import date

import pytest
from django.urls import reverse

from municipalities.models import StaffRole
from roadmaps.models import Deadline, ProgressEntry
from roadmaps.services import move_deadline, set_deadline_rule
from tests.factories import (
    DepartmentFactory,
    MeasureExecutorFactory,
    MeasureFactory,
    OfficialFactory,
    ProgressEntryFactory,
    RoadmapFactory,
    SectionFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two municipalities; in the first, an executor's department leads measure A, another leads B."""
    roadmap = RoadmapFactory(first_year=2022, last_year=2023)
    other_roadmap = RoadmapFactory(first_year=2022, last_year=2023)
    municipality = roadmap.municipality
    section = SectionFactory(roadmap=roadmap)
    mine, theirs = DepartmentFactory(municipality=municipality), DepartmentFactory(municipality=municipality)
    measure_a = MeasureFactory(section=section, roadmap=roadmap, number="1")
    measure_b = MeasureFactory(section=section, roadmap=roadmap, number="2")
    MeasureExecutorFactory(measure=measure_a, department=mine)
    MeasureExecutorFactory(measure=measure_b, department=theirs)
    set_deadline_rule(measure_a, "до 1 апреля 2022 года")
    executor = UserFactory(username="executor")
    OfficialFactory(municipality=municipality, department=mine, user=executor)
    StaffRoleFactory(user=executor, role=StaffRole.Role.EXECUTOR, municipality=municipality)
    coordinator = StaffRoleFactory(user=UserFactory(username="coord"), municipality=municipality).user
    foreign_coordinator = StaffRoleFactory(
        user=UserFactory(username="foreign"), municipality=other_roadmap.municipality
    ).user
    supervisor = StaffRoleFactory(
        user=UserFactory(username="sup"), role=StaffRole.Role.SUPERVISOR, municipality=None
    ).user
    return locals()


def test_executor_submits_progress_and_coordinator_accepts_it(client, world):
    client.force_login(world["executor"])
    created = client.post(
        "/api/v1/progress-entries/",
        {
            "measure": world["measure_a"].pk,
            "period": "2022-H1",
            "text": "Проведен семинар для 12 служащих.",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    entry_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert client.post(f"/api/v1/progress-entries/{entry_id}/submit/").json()["status"] == "submitted"
    # the executor cannot accept their own entry
    assert client.post(f"/api/v1/progress-entries/{entry_id}/accept/").status_code == 403

    client.force_login(world["coordinator"])
    accepted = client.post(f"/api/v1/progress-entries/{entry_id}/accept/")
    assert accepted.status_code == 200
    entry = ProgressEntry.objects.get(pk=entry_id)
    assert entry.status == ProgressEntry.Status.ACCEPTED
    assert entry.deadline.due_date == date(2022, 4, 1)
    assert entry.deadline.completed_on is not None
    # accepted entries are public; the history records every step
    client.logout()
    public = client.get("/api/v1/progress-entries/").json()["results"]
    assert [e["id"] for e in public] == [entry_id]
    assert entry.history.count() >= 3


def test_executor_cannot_report_on_someone_elses_measure(client, world):
    client.force_login(world["executor"])
    response = client.post(
        "/api/v1/progress-entries/",
        {
            "measure": world["measure_b"].pk,
            "period": "2022-H1",
            "text": "не моё",
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "исполнителем" in response.json()["detail"]
    assert ProgressEntry.objects.count() == 0


def test_returning_needs_a_reason_and_tells_the_author(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    world["executor"].email = "executor@example.ru"
    world["executor"].save()
    entry = ProgressEntryFactory(
        measure=world["measure_a"], author=world["executor"], status=ProgressEntry.Status.SUBMITTED
    )
    client.force_login(world["coordinator"])
    no_reason = client.post(
        f"/api/v1/progress-entries/{entry.pk}/return/", {"reason": ""}, content_type="application/json"
    )
    assert no_reason.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        returned = client.post(
            f"/api/v1/progress-entries/{entry.pk}/return/",
            {"reason": "Нет ссылки на отчет"},
            content_type="application/json",
        )
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert len(mailoutbox) == 1
    assert "возвращена на доработку" in mailoutbox[0].subject
    assert "Нет ссылки на отчет" in mailoutbox[0].body
    # a retried task does not send it twice
    from roadmaps.notifications import notify_progress_returned

    entry.refresh_from_db()
    assert notify_progress_returned(entry.pk, entry.reviewed_at.isoformat()) is False
    assert len(mailoutbox) == 1


def test_bad_period_gets_a_russian_message(client, world):
    client.force_login(world["executor"])
    response = client.post(
        "/api/v1/progress-entries/",
        {
            "measure": world["measure_a"].pk,
            "period": "весна",
            "text": "x",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Неверный отчетный период" in str(response.json())


def test_drafts_are_invisible_to_the_public_and_to_other_municipalities(client, world):
    draft = ProgressEntryFactory(measure=world["measure_a"], author=world["executor"], text="черновик")
    assert client.get("/api/v1/progress-entries/").json()["results"] == []
    client.force_login(world["foreign_coordinator"])
    assert client.get("/api/v1/progress-entries/").json()["results"] == []
    assert client.get(f"/api/v1/progress-entries/{draft.pk}/").status_code == 404
    # nor in the admin, even by direct URL
    assert client.get(reverse("admin:roadmaps_progressentry_change", args=[draft.pk])).status_code in (
        302,
        403,
        404,
    )
    assert client.get(reverse("admin:roadmaps_measure_change", args=[world["measure_a"].pk])).status_code in (
        302,
        403,
        404,
    )
    client.force_login(world["coordinator"])
    assert client.get(f"/api/v1/progress-entries/{draft.pk}/").status_code == 200


def test_admin_scopes_every_role(client, world):
    ProgressEntryFactory(measure=world["measure_a"], author=world["executor"], text="моё")
    ProgressEntryFactory(measure=world["measure_b"], text="соседей")
    changelist = reverse("admin:roadmaps_progressentry_changelist")

    client.force_login(world["executor"])
    html = client.get(changelist).content.decode()
    assert html.count('class="action-select"') == 1
    other = ProgressEntry.objects.get(text="соседей")
    assert client.get(reverse("admin:roadmaps_progressentry_change", args=[other.pk])).status_code in (
        302,
        403,
        404,
    )
    # executors may not edit measures
    response = client.get(reverse("admin:roadmaps_measure_change", args=[world["measure_a"].pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()

    client.force_login(world["supervisor"])
    html = client.get(changelist).content.decode()
    assert html.count('class="action-select"') == 2
    response = client.get(reverse("admin:roadmaps_measure_change", args=[world["measure_a"].pk]))
    assert 'name="_save"' not in response.content.decode()

    client.force_login(world["foreign_coordinator"])
    assert client.get(reverse("admin:roadmaps_measure_change", args=[world["measure_b"].pk])).status_code in (
        302,
        403,
        404,
    )


def test_executor_dashboard_shows_my_deadlines(client, world):
    client.force_login(world["executor"])
    html = client.get(reverse("admin:index")).content.decode()
    assert "Мои мероприятия" in html
    assert world["measure_a"].title in html
    assert world["measure_b"].title not in html


def test_coordinator_dashboard_lists_unparsed_phrases(client, world):
    set_deadline_rule(world["measure_b"], "когда-нибудь потом")
    client.force_login(world["coordinator"])
    html = client.get(reverse("admin:index")).content.decode()
    assert "Сроки, требующие уточнения" in html
    assert "когда-нибудь потом" in html


def test_moving_a_deadline_needs_a_reason_kept_in_history(world):
    deadline = Deadline.objects.get(measure=world["measure_a"])
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        move_deadline(deadline, date(2022, 5, 1), reason=" ", user=world["coordinator"])
    move_deadline(
        deadline, date(2022, 5, 1), reason="Перенос по распоряжению № 5-р", user=world["coordinator"]
    )
    deadline.refresh_from_db()
    assert deadline.due_date == date(2022, 5, 1)
    assert deadline.history.first().history_change_reason == "Перенос по распоряжению № 5-р"


def test_changing_a_rule_keeps_completed_deadlines(world):
    measure = world["measure_a"]
    deadline = Deadline.objects.get(measure=measure)
    deadline.completed_on = date(2022, 3, 30)
    deadline.save()
    set_deadline_rule(measure, "ежегодно до 1 марта")
    periods = sorted(measure.deadlines.values_list("due_date", flat=True))
    assert date(2022, 4, 1) in periods  # completed, kept
    assert date(2022, 3, 1) in periods and date(2023, 3, 1) in periods


def test_deadline_status_rules():
    d = Deadline(due_date=date(2024, 5, 10))
    assert d.status(date(2024, 4, 1)) == "upcoming"
    assert d.status(date(2024, 5, 1)) == "due_soon"
    assert d.status(date(2024, 5, 11)) == "overdue"
    d.completed_on = date(2024, 5, 10)
    assert d.status(date(2024, 6, 1)) == "done_on_time"
    d.completed_on = date(2024, 5, 11)
    assert d.status(date(2024, 6, 1)) == "done_late"
    assert Deadline(due_date=None).status(date(2024, 1, 1)) == "not_applicable"


def _admin_add(client, measure, text):
    return client.post(
        reverse("admin:roadmaps_progressentry_add"),
        {
            "measure": measure.pk,
            "period": "2022-H1",
            "text": text,
            "deadline": "",
            "completed_on": "",
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-MIN_NUM_FORMS": "0",
            "evidence-MAX_NUM_FORMS": "1000",
            "evidence-0-title": "Отчет на сайте",
            "evidence-0-url": "https://example.ru/otchet",
            "_save": "Сохранить",
        },
    )


def test_executor_enters_progress_with_evidence_in_the_admin(client, world):
    client.force_login(world["executor"])
    response = _admin_add(client, world["measure_a"], "Проведено обучение")
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = ProgressEntry.objects.get()
    assert entry.author == world["executor"]
    assert entry.evidence.get().url == "https://example.ru/otchet"


def test_executor_gets_a_message_not_a_403_for_someone_elses_measure(client, world):
    client.force_login(world["executor"])
    response = _admin_add(client, world["measure_b"], "чужое")
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html
    assert ProgressEntry.objects.count() == 0


def test_roadmap_admin_links_to_its_table_exports(client, world):
    client.force_login(world["coordinator"])
    html = client.get(reverse("admin:roadmaps_roadmap_change", args=[world["roadmap"].pk])).content.decode()
    docx = reverse("admin:importing_importjob_export", args=[world["roadmap"].pk, "docx"])
    assert docx in html
    response = client.get(docx)
    assert response.status_code == 200
    assert response.content[:2] == b"PK"  # a real DOCX (zip) file


def _move_in_admin(client, deadline, new_date, reason):
    return client.post(
        reverse("admin:roadmaps_deadline_change", args=[deadline.pk]),
        {
            "due_date": new_date,
            "period": deadline.period,
            "part_label": deadline.part_label,
            "completed_on": "",
            "change_reason": reason,
            "_save": "Сохранить",
        },
    )


def test_coordinator_moves_a_deadline_in_the_admin_only_with_a_reason(client, world):
    deadline = Deadline.objects.get(measure=world["measure_a"])
    client.force_login(world["coordinator"])
    refused = _move_in_admin(client, deadline, "2022-05-01", "")
    assert refused.status_code == 200 and "Укажите причину переноса срока" in refused.content.decode()
    deadline.refresh_from_db()
    assert deadline.due_date == date(2022, 4, 1)
    assert _move_in_admin(client, deadline, "2022-05-01", "Распоряжение № 7-р").status_code == 302
    deadline.refresh_from_db()
    assert deadline.due_date == date(2022, 5, 1)
    assert deadline.history.first().history_change_reason == "Распоряжение № 7-р"
    client.force_login(world["executor"])
    assert _move_in_admin(client, deadline, "2022-06-01", "хочу позже").status_code == 403
