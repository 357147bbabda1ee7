"""What the annual report prints about referents, and the demo it prints for the seed municipalities."""

from datetime import date

import pytest

from municipalities.models import Municipality
from referents.models import (
    AgendaItem,
    Channel,
    Council,
    Interaction,
    Meeting,
    Principle,
    ReferentGroup,
    Tool,
)
from referents.reporting import annual_totals
from roadmaps.models import Deadline
from tests.referents.factories import (
    AgendaItemFactory,
    CouncilFactory,
    ExpertFactory,
    InteractionFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


def _values(municipality, year):
    return {row["key"]: row["value"] for row in annual_totals(municipality, year)}


def test_annual_totals_count_the_year_only(django_assert_max_num_queries):
    council = CouncilFactory()
    municipality = council.municipality
    for when, questions in [(date(2022, 3, 24), 3), (date(2022, 6, 16), 2)]:
        AgendaItemFactory.create_batch(questions, meeting=MeetingFactory(council=council, date=when))
    MeetingFactory(council=council, date=date(2022, 9, 1), status=Meeting.Status.CANCELLED)
    MeetingFactory(council=council, date=date(2021, 12, 20))
    MeetingFactory(date=date(2022, 4, 1))  # another municipality
    InteractionFactory(municipality=municipality, kind="feedback")
    InteractionFactory(municipality=municipality, kind="informing", date=date(2022, 12, 31))
    InteractionFactory(municipality=municipality, date=date(2023, 1, 1))
    ExpertFactory.create_batch(2, municipality=municipality, accepted_on=date(2022, 2, 1))

    with django_assert_max_num_queries(5):
        rows = annual_totals(municipality, 2022)

    values = {row["key"]: row["value"] for row in rows}
    assert values["referents.council_meetings"] == 2
    assert values["referents.agenda_items"] == 5
    assert values["referents.interactions"] == 2
    assert values["referents.interactions.feedback"] == 1
    assert values["referents.interactions.informing"] == 1
    assert values["referents.experts"] == 2
    assert _values(municipality, 2021)["referents.experts"] == 0  # accepted in 2022
    assert all(row["label"] and isinstance(row["value"], int) for row in rows)


@pytest.mark.parametrize("size", [1, 30])
def test_annual_totals_cost_the_same_at_any_size(django_assert_max_num_queries, size):
    council = CouncilFactory()
    for _ in range(size):
        AgendaItemFactory(meeting=MeetingFactory(council=council))
        InteractionFactory(municipality=council.municipality)
        ExpertFactory(municipality=council.municipality)
    with django_assert_max_num_queries(5):
        assert _values(council.municipality, 2022)["referents.council_meetings"] == size


def test_demo_data_feeds_the_reports_of_the_seed_municipalities(demo_data):
    from referents.demo.loader import load

    load()
    load()  # idempotent: nothing doubles
    levokumsky = Municipality.objects.get(slug="levokumsky")
    values = _values(levokumsky, 2022)
    assert values["referents.council_meetings"] == 2  # seed 002: 2 meetings in H1 2022
    assert values["referents.agenda_items"] == 5
    assert values["referents.interactions"] == 5
    council = Council.objects.get(municipality=levokumsky)
    assert council.members.count() == 27
    questions = " ".join(AgendaItem.objects.filter(meeting__council=council).values_list("title", flat=True))
    for topic in [
        "водных объектах",
        "государственных и муниципальных услуг",
        "социальном обслуживании",
        "безнадзорных животных",
        "благоустройстве",
    ]:
        assert topic in questions

    krasnogvardeisky = _values(Municipality.objects.get(slug="krasnogvardeisky"), 2021)
    assert (krasnogvardeisky["referents.council_meetings"], krasnogvardeisky["referents.agenda_items"]) == (
        9,
        10,
    )

    zato = Municipality.objects.get(slug="zato-sibirsky")
    assert set(ReferentGroup.objects.filter(municipality=zato).values_list("name", flat=True)) == {
        "Представители СМИ",
        "Получатели госуслуг",
    }
    zato_council = Council.objects.get(municipality=zato)
    assert [
        m.number
        for m in (
            zato_council.membership_measure,
            zato_council.regulation_measure,
            zato_council.workplan_measure,
        )
    ] == ["5.1", "5.2", "5.4"]
    assert Deadline.objects.filter(measure=zato_council.membership_measure, origin="event").count() == 1

    # Seed 003's ready lists: 8 principles, 7 channels, 9 tools, shared by every municipality.
    assert Principle.objects.count() == 8
    assert Channel.objects.filter(municipality__isnull=True).count() == 7
    assert Tool.objects.filter(municipality__isnull=True).count() == 9
    assert Interaction.objects.filter(municipality=zato).count() == 3


def test_nefteyugansky_groups_use_the_channels_and_tools_of_its_procedure(demo_data):
    """Seed 003: groups of §2.1 on the channels (§3.1.1) and tools (§3.1.2) of the procedure № 1617-па."""
    from referents.demo.loader import load
    from referents.reference import CHANNELS, TOOLS
    from roadmaps.models import LegalAct

    load()
    nefteyugansky = Municipality.objects.get(slug="nefteyugansky")
    groups = {g.name: g for g in ReferentGroup.objects.filter(municipality=nefteyugansky)}
    assert set(groups) == {"Общественные объединения", "Научное сообщество", "Предпринимательское сообщество"}
    public = groups["Общественные объединения"]
    assert sorted(public.channels.values_list("name", flat=True)) == sorted(CHANNELS)
    assert sorted(public.tools.values_list("name", flat=True)) == sorted(TOOLS)
    assert "горячие линии (телефоны) доверия" in groups["Предпринимательское сообщество"].tools.values_list(
        "name", flat=True
    )
    assert public.principles.count() == 8  # §2.3
    assert list(public.responsible_officials.values_list("name", flat=True)) == ["Михалев В.Г."]
    assert "№ 1617-па" in public.description
    assert LegalAct.objects.filter(
        municipality=nefteyugansky, number="1617-па", date=date(2018, 9, 28)
    ).exists()
    load()  # a second load adds nothing
    assert ReferentGroup.objects.filter(municipality=nefteyugansky).count() == 3
