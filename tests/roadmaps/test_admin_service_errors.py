"""The progress admin runs the service over the selection and shows a refused entry's message on the form."""

import pytest
from django.urls import reverse

from municipalities.models import StaffRole
from roadmaps.models import ProgressEntry
from tests.factories import (
    DepartmentFactory,
    MeasureExecutorFactory,
    MeasureFactory,
    OfficialFactory,
    ProgressEntryFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def executor_measure():
    measure = MeasureFactory()
    department = DepartmentFactory(municipality=measure.roadmap.municipality)
    MeasureExecutorFactory(measure=measure, department=department)
    executor = UserFactory()
    OfficialFactory(municipality=measure.roadmap.municipality, department=department, user=executor)
    StaffRoleFactory(user=executor, role=StaffRole.Role.EXECUTOR, municipality=measure.roadmap.municipality)
    return executor, measure


def test_a_period_the_service_rejects_is_shown_on_the_form_and_nothing_is_saved(client, executor_measure):
    executor, measure = executor_measure
    client.force_login(executor)
    response = client.post(
        reverse("admin:roadmaps_progressentry_add"),
        {
            "measure": measure.pk,
            "period": "2022-H7",
            "text": "Проведено обучение",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
            "_save": "Сохранить",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Неверный отчетный период «2022-H7»" in html
    assert "Проведено обучение" in html  # what was typed is kept
    assert ProgressEntry.objects.count() == 0


def test_submitting_several_entries_names_the_refused_one_and_counts_the_rest(client, executor_measure):
    executor, measure = executor_measure
    drafts = ProgressEntryFactory.create_batch(2, measure=measure, author=executor)
    accepted = ProgressEntryFactory(measure=measure, author=executor, status=ProgressEntry.Status.ACCEPTED)
    client.force_login(executor)
    response = client.post(
        reverse("admin:roadmaps_progressentry_changelist"),
        {"action": "submit_selected", "_selected_action": [e.pk for e in [*drafts, accepted]]},
        follow=True,
    )
    html = response.content.decode()
    assert "Отправлено на проверку: 2" in html
    assert f"«{accepted}»:" in html
    assert set(
        ProgressEntry.objects.values_list("status", flat=True).filter(pk__in=[d.pk for d in drafts])
    ) == {ProgressEntry.Status.SUBMITTED}
