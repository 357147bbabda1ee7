"""The referents admin: every page opens, rows are scoped to the user's municipality, ready lists extend."""

import pytest
from django.contrib import admin
from django.urls import reverse

from referents.models import Channel, Participant
from tests.factories import OfficialFactory, StaffRoleFactory, UserFactory
from tests.referents.factories import (
    AgendaItemFactory,
    CouncilMemberFactory,
    ExpertFactory,
    InteractionFactory,
    MailingFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [m for m in admin.site._registry if m._meta.app_label == "referents"]


@pytest.fixture
def rows():
    membership = MembershipFactory()
    municipality = membership.group.municipality
    CouncilMemberFactory(council__municipality=municipality)
    AgendaItemFactory(meeting__council__municipality=municipality)
    InteractionFactory(municipality=municipality, group=membership.group)
    MailingFactory(group=membership.group)
    return municipality


@pytest.mark.parametrize("who", ["superuser", "coordinator", "supervisor"])
def test_every_admin_page_opens(client, rows, who):
    if who == "superuser":
        user = UserFactory(is_superuser=True)
    else:
        user = StaffRoleFactory(municipality=rows if who == "coordinator" else None, role=who).user
    client.force_login(user)
    for model in MODELS:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{prefix}_changelist")).status_code == 200, model
        obj = model.objects.first()
        if obj is not None:
            assert client.get(reverse(f"{prefix}_change", args=[obj.pk])).status_code == 200, model


def test_coordinator_sees_only_own_participants_and_extends_the_ready_list(client, rows):
    other = ExpertFactory(name="Чужой эксперт")
    mine = ExpertFactory(municipality=rows, name="Свой эксперт")
    client.force_login(StaffRoleFactory(municipality=rows).user)
    listing = client.get(reverse("admin:referents_participant_changelist")).content.decode()
    assert mine.name in listing and other.name not in listing
    assert client.get(reverse("admin:referents_participant_change", args=[other.pk])).status_code == 302

    response = client.post(
        reverse("admin:referents_channel_add"),
        {"municipality": rows.pk, "name": "школьные родительские чаты", "order": 9},
    )
    assert response.status_code == 302
    assert Channel.objects.available_to(rows.pk).filter(name="школьные родительские чаты").exists()
    assert (
        not Channel.objects.available_to(other.municipality_id)
        .filter(name="школьные родительские чаты")
        .exists()
    )
    common = Channel.objects.filter(municipality__isnull=True).first()
    change = client.post(
        reverse("admin:referents_channel_change", args=[common.pk]), {"name": "x", "order": 0}
    )
    assert change.status_code == 403


def test_department_head_proposes_an_expert_in_the_admin(client, rows):
    role = StaffRoleFactory(municipality=rows, role="executor")
    head = OfficialFactory(municipality=rows, user=role.user)
    client.force_login(role.user)
    response = client.post(
        reverse("admin:referents_participant_add"),
        {
            "municipality": rows.pk,
            "kind": "individual",
            "name": "Кандидат в эксперты",
            "consent": "on",
            "consent_date": "01.03.2019",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    candidate = Participant.objects.get(name="Кандидат в эксперты")
    assert (candidate.is_expert, candidate.expert_status, candidate.proposed_by) == (True, "proposed", head)
