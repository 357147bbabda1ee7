"""Citizens see each roadmap's progress on the home and municipality pages, and moved deadlines with why."""

from datetime import timedelta

import pytest
from django.urls import reverse

from roadmaps.services import move_deadline
from tests.factories import DeadlineFactory, MeasureFactory, RoadmapFactory, SectionFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    roadmap = RoadmapFactory(first_year=2024, last_year=2026, status="active")
    section = SectionFactory(roadmap=roadmap)
    measure = MeasureFactory(section=section, roadmap=roadmap, number="1")
    today = roadmap.municipality.local_today()
    met = DeadlineFactory(
        measure=measure, due_date=today - timedelta(days=30), completed_on=today - timedelta(days=31)
    )
    DeadlineFactory(
        measure=measure, due_date=today - timedelta(days=20), completed_on=today - timedelta(days=31)
    )
    DeadlineFactory(
        measure=measure, due_date=today - timedelta(days=60), completed_on=today - timedelta(days=10)
    )
    DeadlineFactory(measure=measure, due_date=today - timedelta(days=5))
    DeadlineFactory(measure=measure, due_date=today + timedelta(days=90))
    return roadmap, measure, met


def test_the_home_and_municipality_pages_show_how_many_deadlines_were_met(client, plan):
    roadmap, _measure, _met = plan
    for url in (reverse("home"), reverse("roadmaps:municipality", args=[roadmap.municipality.slug])):
        page = client.get(url).content.decode()
        assert "В срок исполнено 2 из 4 наступивших сроков (50%)" in page, url
        assert '<meter min="0" max="4" value="2"' in page
        assert "1 — с нарушением срока" in page and "просрочен 1" in page


def test_the_home_page_costs_the_same_queries_with_more_roadmaps(client, plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("home"))
    for _ in range(5):
        RoadmapFactory(status="active")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))


def test_a_moved_deadline_shows_its_old_date_and_the_reason(client, plan):
    roadmap, measure, met = plan
    coordinator = StaffRoleFactory(municipality=roadmap.municipality).user
    old = met.due_date
    move_deadline(
        met, old + timedelta(days=14), reason="Перенесено решением комиссии от 01.02", user=coordinator
    )
    url = reverse("roadmaps:measure", args=[roadmap.municipality.slug, roadmap.pk, measure.pk])
    page = client.get(url).content.decode()
    assert f"срок перенесен с {old:%d.%m.%Y} на {old + timedelta(days=14):%d.%m.%Y}" in page
    assert "Перенесено решением комиссии от 01.02" in page
