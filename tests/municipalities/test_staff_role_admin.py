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
