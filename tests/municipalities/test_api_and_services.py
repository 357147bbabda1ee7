"""The municipalities register in the API, and granting staff roles."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from municipalities.models import StaffRole
from municipalities.services import executor_from_text, grant_staff_role
from tests.factories import MunicipalityFactory, OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_register_filters_by_region_and_name_in_any_case(client, django_assert_max_num_queries):
    MunicipalityFactory(
        name="Левокумский муниципальный округ", slug="levokumsky", region="Ставропольский край"
    )
    MunicipalityFactory(name="Красногвардейский округ", slug="krasnogvardeysky", region="Ставропольский край")
    MunicipalityFactory(
        name="Ханты-Мансийский район", slug="khmr", region="Ханты-Мансийский автономный округ"
    )
    for _ in range(20):
        MunicipalityFactory(region="Тестовый край")

    with django_assert_max_num_queries(5):  # savepoint, regions, count, page, release
        stavropol = client.get("/api/v1/municipalities/", {"region": "ставропольский КРАЙ"}).json()
    assert [m["slug"] for m in stavropol["results"]] == ["krasnogvardeysky", "levokumsky"]

    found = client.get("/api/v1/municipalities/", {"q": "левокумский"}).json()
    assert [m["name"] for m in found["results"]] == ["Левокумский муниципальный округ"]

    one = client.get(reverse("municipality-detail", args=["khmr"])).json()
    assert one["region"] == "Ханты-Мансийский автономный округ"


def test_the_register_is_read_only(client, django_user_model):
    municipality = MunicipalityFactory(slug="levokumsky")
    client.force_login(UserFactory(is_superuser=True))
    response = client.patch(
        reverse("municipality-detail", args=["levokumsky"]),
        {"name": "другое"},
        content_type="application/json",
    )
    assert response.status_code == 405
    municipality.refresh_from_db()
    assert municipality.name != "другое"


def test_a_coordinator_is_given_the_official_of_the_same_municipality():
    municipality = MunicipalityFactory()
    official = OfficialFactory(municipality=municipality, post="пресс-секретарь главы района")
    user = UserFactory()

    role = grant_staff_role(user, StaffRole.Role.COORDINATOR, municipality=municipality, official=official)

    assert (role.role, role.municipality) == ("coordinator", municipality)
    official.refresh_from_db()
    assert official.user == user
    # Granting again changes the role, not adds one.
    grant_staff_role(user, StaffRole.Role.EXECUTOR, municipality=municipality, official=official)
    assert StaffRole.objects.filter(user=user).get().role == "executor"


def test_wrong_combinations_are_refused_in_russian_and_nothing_is_saved():
    municipality, other = MunicipalityFactory(), MunicipalityFactory()
    stranger = OfficialFactory(municipality=other)
    user = UserFactory()

    with pytest.raises(ValidationError) as no_municipality:
        grant_staff_role(user, StaffRole.Role.EXECUTOR)
    assert "Укажите муниципальное образование" in str(no_municipality.value)
    with pytest.raises(ValidationError) as foreign:
        grant_staff_role(user, StaffRole.Role.COORDINATOR, municipality=municipality, official=stranger)
    assert "другого муниципального образования" in str(foreign.value)
    assert not StaffRole.objects.filter(user=user).exists()
    stranger.refresh_from_db()
    assert stranger.user is None

    # A supervisor works for a region, never for one municipality.
    role = grant_staff_role(
        user, StaffRole.Role.SUPERVISOR, municipality=municipality, region="Ставропольский край"
    )
    assert (role.municipality, role.region) == (None, "Ставропольский край")


def test_a_role_whose_official_cannot_be_linked_is_not_given_either(monkeypatch):
    from django.db import DatabaseError

    from municipalities.models import Official

    municipality = MunicipalityFactory()
    official = OfficialFactory(municipality=municipality)
    user = UserFactory()

    def failing_save(self, *args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(Official, "save", failing_save)
    with pytest.raises(DatabaseError):
        grant_staff_role(user, StaffRole.Role.EXECUTOR, municipality=municipality, official=official)
    assert not StaffRole.objects.filter(user=user).exists()  # one transaction: the role went with the link


def test_a_supervisors_region_is_recorded_as_its_municipalities_spell_it():
    """He sees the municipalities whose region is exactly his: a different case or a stray space would
    have shown him none, and nobody would have noticed."""
    from municipalities.access import visible_municipalities

    municipality = MunicipalityFactory(region="Ханты-Мансийский автономный округ – Югра")
    MunicipalityFactory(region="Ставропольский край")
    user = UserFactory()

    role = grant_staff_role(
        user, StaffRole.Role.SUPERVISOR, region="  ханты-мансийский  автономный округ – югра "
    )
    assert role.region == "Ханты-Мансийский автономный округ – Югра"
    user.refresh_from_db()
    assert list(visible_municipalities(user)) == [municipality]

    with pytest.raises(ValidationError) as unknown:
        grant_staff_role(user, StaffRole.Role.SUPERVISOR, region="Ханты-Мансийский округ")
    assert "Ни одно муниципальное образование не относится к субъекту «Ханты-Мансийский округ»" in str(
        unknown.value
    )
    role.refresh_from_db()
    assert role.region == "Ханты-Мансийский автономный округ – Югра"  # the refused change saved nothing
    assert grant_staff_role(user, StaffRole.Role.SUPERVISOR, region=" ").region == ""  # every region


def test_executors_a_plan_names_become_departments_or_officials():
    municipality = MunicipalityFactory()
    department = executor_from_text(municipality, "отдел информационных технологий", "department", ["ОИТ"])
    again = executor_from_text(municipality, "отдел информационных технологий", "department", [])
    person = executor_from_text(municipality, "Бегишева Н.А.", "person", [])
    post = executor_from_text(municipality, "пресс-секретарь главы района", "post", [])

    assert again == department and department.aliases == ["ОИТ"]
    assert (person.name, person.post) == ("Бегишева Н.А.", "")
    assert (post.name, post.post) == ("", "пресс-секретарь главы района")
    assert {person.municipality, post.municipality, department.municipality} == {municipality}
