"""Roles are given in the admin through grant_staff_role: a wrong combination is refused in Russian on the form."""

from django.urls import reverse

from municipalities.models import StaffRole
from tests.factories import MunicipalityFactory, UserFactory


def test_a_coordinator_without_municipality_is_refused_with_a_message_a_clerk_reads(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    clerk = UserFactory()
    url = reverse("admin:municipalities_staffrole_add")
    refused = client.post(url, {"user": clerk.pk, "role": "coordinator", "municipality": "", "region": ""})
    assert refused.status_code == 200
    assert "Укажите муниципальное образование" in refused.content.decode()
    assert not StaffRole.objects.exists()

    municipality = MunicipalityFactory()
    client.post(url, {"user": clerk.pk, "role": "supervisor", "municipality": municipality.pk, "region": ""})
    role = StaffRole.objects.get(user=clerk)
    assert (role.role, role.municipality) == ("supervisor", None)  # a supervisor is not tied to one


def test_a_misspelt_region_is_refused_on_the_form(client, db):
    MunicipalityFactory(region="Ставропольский край")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    clerk = UserFactory()
    url = reverse("admin:municipalities_staffrole_add")
    refused = client.post(
        url, {"user": clerk.pk, "role": "supervisor", "municipality": "", "region": "Ставрополь"}
    )
    assert refused.status_code == 200
    assert "не относится к субъекту «Ставрополь»" in refused.content.decode()
    assert not StaffRole.objects.exists()

    client.post(
        url, {"user": clerk.pk, "role": "supervisor", "municipality": "", "region": "ставропольский край"}
    )
    assert StaffRole.objects.get(user=clerk).region == "Ставропольский край"


def test_an_admin_page_reads_the_role_once_for_an_account_with_no_role(client, db):
    """A superuser has no staff role: the admin's many permission checks must not each ask the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:roadmaps_measure_changelist")).status_code == 200
    role_reads = [q["sql"] for q in queries if StaffRole._meta.db_table in q["sql"]]
    assert len(role_reads) == 1, role_reads
