"""The coordinator reviews one entry on one page: accept, or return it with a reason of several lines."""

from datetime import timedelta

import pytest
from django.urls import reverse

from municipalities.models import StaffRole
from roadmaps.models import ProgressEntry
from tests.factories import (
    DeadlineFactory,
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
def queue():
    roadmap = RoadmapFactory(first_year=2024, last_year=2026)
    municipality = roadmap.municipality
    measure = MeasureFactory(
        section=SectionFactory(roadmap=roadmap), roadmap=roadmap, number="3", title="Обучение служащих"
    )
    executor = UserFactory(username="executor")
    official = OfficialFactory(municipality=municipality, user=executor)
    MeasureExecutorFactory(measure=measure, official=official)
    StaffRoleFactory(user=executor, role=StaffRole.Role.EXECUTOR, municipality=municipality)
    coordinator = StaffRoleFactory(user=UserFactory(username="coord"), municipality=municipality).user
    today = municipality.local_today()
    deadline = DeadlineFactory(measure=measure, due_date=today + timedelta(days=20), period=str(today.year))
    entry = ProgressEntryFactory(
        measure=measure,
        deadline=deadline,
        period=str(today.year),
        author=executor,
        text="Обучено 12 служащих.",
        status=ProgressEntry.Status.SUBMITTED,
    )
    return locals()


def test_the_start_page_queue_names_the_measure_and_links_to_the_review(client, queue):
    client.force_login(queue["coordinator"])
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:roadmaps_progressentry_review", args=[queue["entry"].pk]) in page
    assert "Обучение служащих" in page


def test_returning_needs_a_reason_and_keeps_every_line_of_it(client, queue):
    client.force_login(queue["coordinator"])
    url = reverse("admin:roadmaps_progressentry_review", args=[queue["entry"].pk])
    page = client.get(url).content.decode()
    assert "Обучено 12 служащих." in page and "Вернуть на доработку" in page

    refused = client.post(url, {"reason": "  ", "return": "1"})
    assert "Укажите причину возврата." in refused.content.decode()
    queue["entry"].refresh_from_db()
    assert queue["entry"].status == ProgressEntry.Status.SUBMITTED

    reason = "Приложите протокол семинара.\nУкажите число обученных по отделам."
    response = client.post(url, {"reason": reason, "return": "1"}, follow=True)
    assert "возвращена на доработку" in response.content.decode()
    queue["entry"].refresh_from_db()
    assert queue["entry"].status == ProgressEntry.Status.RETURNED
    assert queue["entry"].return_reason == reason


def test_accepting_completes_the_entrys_deadline(client, queue):
    client.force_login(queue["coordinator"])
    url = reverse("admin:roadmaps_progressentry_review", args=[queue["entry"].pk])
    client.post(url, {"accept": "1"})
    queue["entry"].refresh_from_db()
    queue["deadline"].refresh_from_db()
    assert queue["entry"].status == ProgressEntry.Status.ACCEPTED
    assert queue["deadline"].completed_on is not None


def test_an_executor_cannot_review(client, queue):
    client.force_login(queue["executor"])
    url = reverse("admin:roadmaps_progressentry_review", args=[queue["entry"].pk])
    assert client.post(url, {"accept": "1"}).status_code == 403
    queue["entry"].refresh_from_db()
    assert queue["entry"].status == ProgressEntry.Status.SUBMITTED


def test_the_review_page_names_the_period_in_words(client, queue):
    client.force_login(queue["coordinator"])
    url = reverse("admin:roadmaps_progressentry_review", args=[queue["entry"].pk])
    page = client.get(url).content.decode()
    year = queue["today"].year
    assert f"{year} год" in page
    assert f"<dd>{year}</dd>" not in page
