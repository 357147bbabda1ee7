"""Experts in the participants admin go through referents.services: propose, accept, decline, withdraw."""

import pytest
from django.urls import reverse

from referents.models import Participant
from tests.factories import MunicipalityFactory, OfficialFactory, StaffRoleFactory
from tests.referents.factories import ExpertFactory

pytestmark = pytest.mark.django_db


def _change_form(participant, **changes):
    data = {
        "municipality": participant.municipality_id,
        "kind": participant.kind,
        "name": participant.name,
        "organisation": participant.organisation,
        "position": participant.position,
        "notes": participant.notes,
        "email": participant.email,
        "phone": participant.phone,
        "consent_date": f"{participant.consent_date:%d.%m.%Y}" if participant.consent_date else "",
        "is_expert": "on",
        "expert_status": participant.expert_status,
        "proposed_on": "",
        "accepted_on": "",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }
    if participant.consent:
        data["consent"] = "on"
    data.update(changes)
    return data


def _candidate(municipality, *, with_consent=True, **fields):
    """A proposed expert; without consent (no date) unless told."""
    consent = {} if with_consent else {"consent": False, "consent_date": None}
    return ExpertFactory(
        municipality=municipality, expert_status="proposed", accepted_on=None, **consent, **fields
    )


def test_accepting_a_candidate_without_consent_on_the_form_is_refused_with_the_reason(client):
    municipality = MunicipalityFactory()
    candidate = _candidate(municipality, with_consent=False)
    client.force_login(StaffRoleFactory(municipality=municipality).user)
    response = client.post(
        reverse("admin:referents_participant_change", args=[candidate.pk]),
        _change_form(candidate, expert_status="accepted"),
    )
    assert response.status_code == 200
    assert (
        "Эксперта можно включить в базу только с согласием на обработку данных." in response.content.decode()
    )
    candidate.refresh_from_db()
    assert candidate.expert_status == "proposed"


def test_accepting_on_the_form_records_who_accepted(client):
    municipality = MunicipalityFactory()
    candidate = _candidate(municipality)
    role = StaffRoleFactory(municipality=municipality)
    press_secretary = OfficialFactory(municipality=municipality, user=role.user)
    client.force_login(role.user)
    response = client.post(
        reverse("admin:referents_participant_change", args=[candidate.pk]),
        _change_form(candidate, expert_status="accepted"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    candidate.refresh_from_db()
    assert (candidate.expert_status, candidate.accepted_by) == ("accepted", press_secretary)
    assert candidate.accepted_on == municipality.local_today()


def test_bulk_accept_names_the_refused_candidate_and_counts_the_accepted(client):
    municipality = MunicipalityFactory()
    ready = _candidate(municipality)
    no_consent = _candidate(municipality, with_consent=False, name="Без согласия")
    client.force_login(StaffRoleFactory(municipality=municipality).user)
    response = client.post(
        reverse("admin:referents_participant_changelist"),
        {"action": "accept_experts", "_selected_action": [ready.pk, no_consent.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Включено в базу экспертов: 1." in html
    assert "«Без согласия»: Нет действующего согласия эксперта" in html
    statuses = dict(Participant.objects.values_list("name", "expert_status"))
    assert statuses == {ready.name: "accepted", "Без согласия": "proposed"}


def test_a_department_head_proposal_without_a_name_is_refused_on_the_form(client):
    municipality = MunicipalityFactory()
    role = StaffRoleFactory(municipality=municipality, role="executor")
    OfficialFactory(municipality=municipality, user=role.user)
    client.force_login(role.user)
    response = client.post(
        reverse("admin:referents_participant_add"),
        {
            "municipality": municipality.pk,
            "kind": "individual",
            "name": "   ",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert not Participant.objects.exists()
