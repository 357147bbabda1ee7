"""The change history of a deadline reads in Russian, with dates, choices and empty values as people read them."""

from datetime import date

import pytest
from django.urls import reverse

from roadmaps import services
from tests.factories import DeadlineFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db


def test_a_moved_deadline_history_is_in_russian_with_readable_values(client):
    deadline = DeadlineFactory(due_date=date(2024, 3, 1), completed_on=None)
    coordinator = StaffRoleFactory(municipality=deadline.measure.roadmap.municipality).user
    services.move_deadline(deadline, date(2024, 4, 15), reason="Распоряжение № 7-р", user=coordinator)
    deadline.refresh_from_db()
    deadline.completed_on = date(2024, 4, 10)
    deadline.save()
    client.force_login(coordinator)
    page = client.get(reverse("admin:roadmaps_deadline_history", args=[deadline.pk])).content.decode()
    page = " ".join(page.split())
    for english in ("View history", "Changes", "Changed by", "None", "True", "False", "2024-03-01"):
        assert english not in page, english
    assert f"История изменений: {deadline}" in page
    assert "Изменения" in page and "Кем изменено" in page and "Причина изменения" in page
    assert "Распоряжение № 7-р" in page
    assert "1 марта 2024 г." in page and "15 апреля 2024 г." in page  # the move, as dates
    assert "Исполнено:</strong> — &nbsp;&rarr;&nbsp;&nbsp;10 апреля 2024 г." in page  # empty was «None»


def test_a_deadline_without_history_rows_says_so_in_russian(client):
    deadline = DeadlineFactory()
    deadline.history.all().delete()
    client.force_login(StaffRoleFactory(municipality=deadline.measure.roadmap.municipality).user)
    page = client.get(reverse("admin:roadmaps_deadline_history", args=[deadline.pk])).content.decode()
    assert "Изменений пока не было." in page and "change history" not in page
