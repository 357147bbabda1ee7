"""Public councils: changes start the roadmap's 3-day deadline; pages and API show names, never contacts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from referents import services
from referents.models import CouncilMember, CouncilWorkPlan
from roadmaps.models import Deadline
from roadmaps.services import set_deadline_rule
from tests.factories import MeasureFactory, RoadmapFactory, SectionFactory, StaffRoleFactory
from tests.referents.factories import (
    AgendaItemFactory,
    CouncilFactory,
    CouncilMemberFactory,
    ExpertFactory,
    MeetingFactory,
    MembershipFactory,
    ReferentGroupFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked_council():
    """A council whose membership, regulation and plan changes count for measures 5.1, 5.2, 5.4 (seed 001)."""
    roadmap = RoadmapFactory(first_year=2018, last_year=2018)
    section = SectionFactory(roadmap=roadmap)
    measures = {}
    for number, text in [
        ("5.1", "в течение 3 дней с момента внесения изменений"),
        ("5.2", "в течение 3 дней с момента внесения изменений"),
        ("5.4", "в течение 3 дней со дня утверждения"),
    ]:
        measures[number] = MeasureFactory(section=section, roadmap=roadmap, number=number)
        set_deadline_rule(measures[number], text)
    council = CouncilFactory(
        municipality=roadmap.municipality,
        membership_measure=measures["5.1"],
        regulation_measure=measures["5.2"],
        workplan_measure=measures["5.4"],
    )
    return council, measures


def _event_deadlines(measure):
    return list(measure.deadlines.filter(origin=Deadline.Origin.EVENT).values_list("event_date", "due_date"))


def test_membership_change_creates_a_deadline_three_days_later(linked_council):
    council, measures = linked_council
    services.add_council_member(council, full_name="Новиков Петр Ильич", term_start=date(2022, 5, 10))
    assert _event_deadlines(measures["5.1"]) == [(date(2022, 5, 10), date(2022, 5, 13))]
    member = council.members.get()
    services.end_council_membership(member, on=date(2022, 9, 1))
    assert (date(2022, 9, 1), date(2022, 9, 4)) in _event_deadlines(measures["5.1"])
    assert _event_deadlines(measures["5.2"]) == [] and _event_deadlines(measures["5.4"]) == []


def test_regulation_and_work_plan_start_their_own_deadlines(linked_council):
    council, measures = linked_council
    services.add_regulation(council, title="Положение об общественном совете", date=date(2022, 2, 1))
    plan = CouncilWorkPlan.objects.create(council=council, year=2022)
    services.approve_work_plan(plan, on=date(2022, 1, 20))
    assert _event_deadlines(measures["5.2"]) == [(date(2022, 2, 1), date(2022, 2, 4))]
    assert _event_deadlines(measures["5.4"]) == [(date(2022, 1, 20), date(2022, 1, 23))]


def test_saving_members_in_the_admin_starts_the_deadline(client, linked_council):
    council, measures = linked_council
    client.force_login(StaffRoleFactory(municipality=council.municipality).user)
    data = {
        "municipality": council.municipality.pk,
        "name": council.name,
        "is_public": "on",
        "membership_measure": measures["5.1"].pk,
        "regulation_measure": measures["5.2"].pk,
        "workplan_measure": measures["5.4"].pk,
        "members-TOTAL_FORMS": 1,
        "members-INITIAL_FORMS": 0,
        "members-0-order": 0,
        "members-0-full_name": "Семенова Анна Львовна",
        "members-0-role": "chair",
        "regulations-TOTAL_FORMS": 0,
        "regulations-INITIAL_FORMS": 0,
        "work_plans-TOTAL_FORMS": 0,
        "work_plans-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:referents_council_change", args=[council.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    today = council.municipality.local_today()
    assert _event_deadlines(measures["5.1"]) == [(today, today + timedelta(days=3))]
    assert _event_deadlines(measures["5.2"]) == []


@pytest.fixture
def public_world():
    """A council with current and former members, meetings, and a group with participants — all with contacts."""
    council = CouncilFactory(name="Общественный совет округа")
    CouncilMemberFactory(council=council, full_name="Председателев Иван", role=CouncilMember.Role.CHAIR)
    CouncilMemberFactory.create_batch(3, council=council)
    CouncilMemberFactory(council=council, full_name="Бывший Член Совета", term_end=date(2021, 12, 31))
    meeting = MeetingFactory(council=council, date=date(2022, 3, 24), number="1")
    AgendaItemFactory(meeting=meeting, title="Об отлове и содержании безнадзорных животных")
    group = ReferentGroupFactory(municipality=council.municipality, name="Получатели госуслуг")
    participants = [MembershipFactory(group=group).participant for _ in range(3)]
    participants.append(ExpertFactory(municipality=council.municipality))
    secrets = [p.email for p in participants] + [p.phone for p in participants]
    secrets += [m.email for m in council.members.all()] + [m.phone for m in council.members.all()]
    return council, group, secrets


def _assert_private(content: str, secrets):
    leaked = [s for s in secrets if s and s in content]
    assert not leaked, f"private contacts leaked: {leaked}"
    assert "private.example.ru" not in content


def test_public_pages_show_current_members_and_meetings_without_contacts(client, public_world):
    council, _group, secrets = public_world
    listing = client.get(reverse("referents:councils"))
    detail = client.get(reverse("referents:council", args=[council.pk]))
    by_municipality = client.get(reverse("referents:councils"), {"municipality": council.municipality.slug})
    for response in (listing, detail, by_municipality):
        assert response.status_code == 200
        _assert_private(response.content.decode(), secrets)
    html = detail.content.decode()
    assert "Председателев Иван" in html and "председатель" in html
    assert "Бывший Член Совета" not in html  # term ended
    assert "Об отлове и содержании безнадзорных животных" in html
    assert council.name in by_municipality.content.decode()


def test_api_lists_groups_councils_and_meetings_without_contacts(client, public_world):
    council, group, secrets = public_world
    groups = client.get("/api/v1/referent-groups/")
    councils = client.get("/api/v1/councils/")
    detail = client.get(f"/api/v1/councils/{council.pk}/")
    meetings = client.get(f"/api/v1/councils/{council.pk}/meetings/")
    for response in (groups, councils, detail, meetings):
        assert response.status_code == 200
        _assert_private(response.content.decode(), secrets)
    assert groups.json()["results"][0]["participant_count"] == 3
    members = detail.json()["members"]
    assert [m["full_name"] for m in members][0] == "Председателев Иван"
    assert len(members) == 4 and set(members[0]) == {
        "full_name",
        "role",
        "role_display",
        "represents",
        "term_start",
        "term_end",
    }
    agenda = meetings.json()["results"][0]["agenda_items"]
    assert agenda[0]["title"] == "Об отлове и содержании безнадзорных животных"
    assert client.post("/api/v1/councils/", {}).status_code in (401, 403)


def test_unpublished_council_is_not_public(client):
    hidden = CouncilFactory(is_public=False)
    assert client.get(reverse("referents:council", args=[hidden.pk])).status_code == 404
    assert client.get(f"/api/v1/councils/{hidden.pk}/").status_code == 404
    assert client.get(f"/api/v1/councils/{hidden.pk}/meetings/").status_code == 404


def _grow(council, group, n):
    for _ in range(n):
        CouncilMemberFactory(council=council)
        AgendaItemFactory(meeting=MeetingFactory(council=council))
        MembershipFactory(group=group)
    other = CouncilFactory()
    CouncilMemberFactory.create_batch(n, council=other)
    ReferentGroupFactory(municipality=other.municipality)


@pytest.mark.parametrize("size", [1, 25])
def test_pages_and_api_make_a_constant_number_of_queries(client, django_assert_max_num_queries, size):
    council = CouncilFactory()
    group = ReferentGroupFactory(municipality=council.municipality)
    _grow(council, group, size)
    urls = [
        (reverse("referents:councils"), 6),
        (reverse("referents:council", args=[council.pk]), 9),
        ("/api/v1/councils/", 7),
        ("/api/v1/referent-groups/", 9),
        (f"/api/v1/councils/{council.pk}/meetings/", 6),
    ]
    for url, limit in urls:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200
