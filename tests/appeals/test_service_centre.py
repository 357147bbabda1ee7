"""The service centre's (МФЦ) figures the information letter quotes: recorded in the admin by the
municipality's coordinator, never by another municipality's, and loaded for seed 004 by the demo."""

from datetime import date

import pytest
from django.urls import reverse

from appeals.models import ServiceCentreFigures
from municipalities.models import Municipality, StaffRole
from tests.factories import MunicipalityFactory, StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _coordinator(municipality):
    return StaffRoleFactory(
        user=UserFactory(), municipality=municipality, role=StaffRole.Role.COORDINATOR
    ).user


def _form(municipality, **extra):
    return {
        "municipality": municipality.pk,
        "as_of": "21.12.2021",
        "services": "290",
        "applicants": "45939",
        "remote_applicants": "9312",
        **extra,
    }


def test_a_coordinator_records_the_figures_of_their_own_municipality_only(client):
    own, other = MunicipalityFactory(), MunicipalityFactory()
    client.force_login(_coordinator(own))
    add = reverse("admin:appeals_servicecentrefigures_add")
    page = client.get(add).content.decode()
    assert f'<option value="{own.pk}" selected>' in page and f'value="{other.pk}"' not in page
    response = client.post(add, _form(own))
    assert response.status_code == 302
    figures = ServiceCentreFigures.objects.get()
    assert (figures.as_of, figures.services, figures.applicants, figures.remote_applicants) == (
        date(2021, 12, 21),
        290,
        45939,
        9312,
    )
    response = client.post(add, _form(other, as_of="22.12.2021"))
    assert response.status_code == 200 and "Выберите корректный вариант" in response.content.decode()
    foreign = ServiceCentreFigures.objects.create(
        municipality=other, as_of=date(2021, 12, 1), services=1, applicants=1
    )
    listing = client.get(reverse("admin:appeals_servicecentrefigures_changelist")).content.decode()
    assert "21.12.2021" in listing and "01.12.2021" not in listing
    change = reverse("admin:appeals_servicecentrefigures_change", args=[foreign.pk])
    assert client.get(change).status_code == 302  # not found among the user's rows


def test_bad_figures_are_refused_on_the_form_and_nothing_is_saved(client):
    municipality = MunicipalityFactory()
    client.force_login(_coordinator(municipality))
    add = reverse("admin:appeals_servicecentrefigures_add")
    response = client.post(add, _form(municipality, remote_applicants="50000"))
    assert response.status_code == 200
    assert "больше людей, чем обратилось всего" in response.content.decode()
    client.post(add, _form(municipality))
    response = client.post(add, _form(municipality, services="291"))  # the same date again
    assert response.status_code == 200 and "уже существует" in response.content.decode()
    assert ServiceCentreFigures.objects.get().services == 290


def test_the_demo_records_krasnogvardeyskys_figures_of_seed_004(demo_data):
    from appeals.demo.loader import load

    load()  # a second load changes nothing
    figures = ServiceCentreFigures.objects.get(municipality=Municipality.objects.get(slug="krasnogvardeisky"))
    assert (figures.as_of, figures.services, figures.applicants, figures.remote_applicants) == (
        date(2021, 12, 21),
        290,
        45939,
        9312,
    )
