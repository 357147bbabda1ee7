"""Staff admin: the register with staleness, uploads, answers; scoped to the user's municipality."""

from datetime import date

import pytest

from municipalities.models import StaffRole
from opendata import services
from tests.factories import UserFactory
from tests.opendata.factories import published_dataset

pytestmark = pytest.mark.django_db


def coordinator_of(municipality):
    user = UserFactory()
    StaffRole.objects.create(user=user, role=StaffRole.Role.COORDINATOR, municipality=municipality)
    return user


def test_admin_pages_render_and_flag_stale_sets(client):
    dataset = published_dataset(version_date=date(2020, 1, 1))
    report = services.report_issue(dataset, description="опечатка", author_email="anna@example.ru")
    request_obj = services.request_dataset(dataset.municipality, title="Автобусы")
    client.force_login(coordinator_of(dataset.municipality))
    changelist = client.get("/admin/opendata/dataset/")
    assert changelist.status_code == 200 and "требует актуализации" in changelist.content.decode()
    assert client.get("/admin/opendata/dataset/?stale=yes").content.decode().count(dataset.identifier) >= 1
    for url in [
        f"/admin/opendata/dataset/{dataset.pk}/change/",
        f"/admin/opendata/dataset/{dataset.pk}/publish/",
        f"/admin/opendata/dataissuereport/{report.pk}/change/",
        f"/admin/opendata/datasetrequest/{request_obj.pk}/change/",
        "/admin/opendata/dataissuereport/",
    ]:
        assert client.get(url).status_code == 200, url


def test_other_municipality_staff_cannot_see_or_publish(client):
    dataset = published_dataset()
    other = published_dataset()
    client.force_login(coordinator_of(other.municipality))
    assert dataset.identifier not in client.get("/admin/opendata/dataset/").content.decode()
    assert client.get(f"/admin/opendata/dataset/{dataset.pk}/publish/").status_code == 404
