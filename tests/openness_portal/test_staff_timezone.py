"""Admin pages run in the staff member's municipality time zone, so Django's «Ваше время опережает время
сервера» note does not appear for a coordinator in Yekaterinburg, and the times they type are local."""

from datetime import datetime

import pytest
from django.urls import reverse

from surveys.models import Discussion
from tests.factories import MunicipalityFactory, StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

YEKATERINBURG = 5 * 3600
MOSCOW = 3 * 3600


def _offset(html: str) -> int:
    marker = 'data-admin-utc-offset="'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index('"', start)])


def test_a_coordinator_sees_the_admin_in_the_municipality_time_zone(client):
    municipality = MunicipalityFactory(time_zone="Asia/Yekaterinburg")
    client.force_login(StaffRoleFactory(municipality=municipality).user)
    page = client.get(reverse("admin:surveys_discussion_add")).content.decode()
    assert _offset(page) == YEKATERINBURG


@pytest.mark.parametrize("who", ["superuser", "supervisor"])
def test_staff_without_a_municipality_keep_the_server_time_zone(client, who):
    if who == "superuser":
        user = UserFactory(is_superuser=True)
    else:
        user = StaffRoleFactory(role="supervisor", municipality=None).user
    client.force_login(user)
    assert _offset(client.get(reverse("admin:index")).content.decode()) == MOSCOW


def test_a_time_typed_in_the_admin_is_the_municipality_local_time(client):
    municipality = MunicipalityFactory(time_zone="Asia/Yekaterinburg")
    client.force_login(StaffRoleFactory(municipality=municipality).user)
    response = client.post(
        reverse("admin:surveys_discussion_add"),
        {
            "municipality": municipality.pk,
            "kind": "draft_act",
            "title": "Проект постановления",
            "opens_at_0": "01.03.2024",
            "opens_at_1": "10:00:00",
            "length_days": 15,
        },
    )
    assert response.status_code == 302
    opened = Discussion.objects.get().opens_at
    assert opened == datetime(2024, 3, 1, 10, 0, tzinfo=municipality.tz)


def test_the_time_zone_costs_no_extra_query_on_an_admin_page(client, django_assert_max_num_queries):
    municipality = MunicipalityFactory(time_zone="Asia/Yekaterinburg")
    client.force_login(StaffRoleFactory(municipality=municipality).user)
    client.get(reverse("admin:surveys_discussion_changelist"))
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("admin:surveys_discussion_changelist"))
    role_queries = [q["sql"] for q in captured.captured_queries if "roadmaps_staffrole" in q["sql"]]
    assert len(role_queries) == 1, role_queries
