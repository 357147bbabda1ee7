"""Atom feeds, the follow box and feed link on the public pages, the events API, the admin: what they show,
to whom, and in a constant number of queries."""

from datetime import date
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from following.models import FollowEvent, Subscription
from roadmaps.services import move_deadline
from tests.factories import DeadlineFactory, StaffRoleFactory, UserFactory
from tests.surveys.factories import open_discussion

from .factories import SubscriptionFactory, accept, roadmap_world

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - the portal's own feed, in a test
    return [
        {
            "title": e.findtext(f"{ATOM}title"),
            "summary": e.findtext(f"{ATOM}summary"),
            "link": e.find(f"{ATOM}link").get("href"),
        }
        for e in root.findall(f"{ATOM}entry")
    ]


def _feeds(world, discussion=None):
    roadmap, measure = world["roadmap"], world["measure"]
    slug = roadmap.municipality.slug
    urls = {
        "roadmap": f"/m/{slug}/roadmaps/{roadmap.pk}/feed/",
        "measure": f"/m/{slug}/roadmaps/{roadmap.pk}/measures/{measure.pk}/feed/",
    }
    if discussion is not None:
        urls["discussion"] = f"/discussions/{discussion.pk}/feed/"
    return urls


def test_feeds_list_the_events(client, world, on_commit):
    on_commit(accept, world["measure"], world["coordinator"], text="Проведен семинар для специалистов.")
    deadline = DeadlineFactory(measure=world["other"], due_date=date(2022, 12, 20))
    on_commit(
        move_deadline, deadline, date(2023, 3, 1), reason="Решение Думы отложено", user=world["coordinator"]
    )
    discussion = on_commit(
        open_discussion, world["roadmap"].municipality, measure=world["measure"], opens_at=timezone.now()
    )
    urls = _feeds(world, discussion)

    roadmap_entries = _entries(client.get(urls["roadmap"]))
    titles = [e["title"] for e in roadmap_entries]
    assert titles == [
        f"Открыто общественное обсуждение: {discussion.title}",
        "Перенесен срок мероприятия 2.5 Опрос жителей",
        "Принята информация о ходе реализации мероприятия 2.4 Анализ обращений граждан",
    ]
    assert "Причина: Решение Думы отложено" in roadmap_entries[1]["summary"]
    assert roadmap_entries[2]["link"].endswith(world["measure"].get_absolute_url())

    measure_titles = [e["title"] for e in _entries(client.get(urls["measure"]))]
    assert len(measure_titles) == 2 and not any("2.5" in t for t in measure_titles)
    discussion_entries = _entries(client.get(urls["discussion"]))
    assert [e["title"] for e in discussion_entries] == [titles[0]]


def test_feed_of_a_draft_roadmap_or_wrong_municipality_is_404(client, world):
    roadmap = world["roadmap"]
    assert client.get(f"/m/other-slug/roadmaps/{roadmap.pk}/feed/").status_code == 404
    roadmap.status = roadmap.Status.DRAFT
    roadmap.save()
    assert client.get(_feeds(world)["roadmap"]).status_code == 404
    assert client.get(_feeds(world)["measure"]).status_code == 404


def test_feed_queries_do_not_grow_with_events(client, world, on_commit, django_assert_max_num_queries):
    on_commit(accept, world["measure"], world["coordinator"])
    urls = _feeds(world)
    # The roadmap, its events (and the request's savepoint pair).
    with django_assert_max_num_queries(4) as few:
        client.get(urls["roadmap"])
    for i in range(30):
        on_commit(accept, world["measure"], world["coordinator"], text=f"Запись {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_entries(client.get(urls["roadmap"]))) == 31
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_entries(client.get(urls["measure"]))) == 31


def test_pages_carry_the_follow_box_and_feed_link(client, world, on_commit):
    roadmap, measure = world["roadmap"], world["measure"]
    discussion = on_commit(open_discussion, roadmap.municipality, measure=measure)
    urls = _feeds(world, discussion)
    pages = {
        "roadmap": roadmap.get_absolute_url(),
        "measure": measure.get_absolute_url(),
        "discussion": discussion.get_absolute_url(),
    }
    for kind, page in pages.items():
        html = client.get(page).content.decode()
        head = html.split("</head>")[0]
        assert '<link rel="alternate" type="application/atom+xml"' in head, kind
        assert f'href="{urls[kind]}"' in head, kind
        assert "Следить за изменениями" in html, kind
        target = {"roadmap": roadmap, "measure": measure, "discussion": discussion}[kind]
        assert f'action="/follow/{kind}/{target.pk}/"' in html, kind
        assert 'href="/privacy/"' in html, kind
        # The roadmap page is cached whole: the form carries nothing per visitor.
        assert "csrfmiddlewaretoken" not in html.split("follow-box")[1].split("</section>")[0]


def test_cached_roadmap_page_form_still_subscribes(client, world, on_commit):
    roadmap = world["roadmap"]
    client.get(roadmap.get_absolute_url())  # fills the cache
    other_visitor = type(client)(enforce_csrf_checks=True)
    html = other_visitor.get(roadmap.get_absolute_url()).content.decode()
    assert "follow-email" in html
    response = on_commit(
        other_visitor.post,
        f"/follow/roadmap/{roadmap.pk}/",
        {"follow-email": "x@example.ru", "follow-consent": "on"},
    )
    assert response.status_code == 200
    assert Subscription.objects.filter(email="x@example.ru").exists() and len(mail.outbox) == 1


def test_measure_and_discussion_pages_cost_no_extra_query(client, world, django_assert_max_num_queries):
    """The follow box and feed link are built from objects the page has loaded already."""
    from openness_portal import page_extras

    measure_url = world["measure"].get_absolute_url()
    client.get(measure_url)
    with django_assert_max_num_queries(100) as with_box:
        client.get(measure_url)
    saved = dict(page_extras._renderers)
    page_extras._renderers.clear()
    try:
        with django_assert_max_num_queries(100) as without_box:
            client.get(measure_url)
    finally:
        page_extras._renderers.update(saved)
    assert len(with_box.captured_queries) == len(without_box.captured_queries)


def test_events_api_lists_events_in_constant_queries(client, world, on_commit, django_assert_max_num_queries):
    on_commit(accept, world["measure"], world["coordinator"])
    url = reverse("follow-event-list") + f"?roadmap={world['roadmap'].pk}"
    with django_assert_max_num_queries(5) as few:
        first = client.get(url).json()
    assert first["results"][0]["kind"] == FollowEvent.Kind.PROGRESS_ACCEPTED
    assert first["results"][0]["headline"].startswith("Принята информация")
    assert "email" not in str(first)
    for i in range(20):
        on_commit(accept, world["measure"], world["coordinator"], text=f"Запись {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).json()["results"]) == 21


def test_admin_lists_only_the_coordinators_municipality_read_only(client, world):
    mine = SubscriptionFactory(measure=world["measure"], email="mine@example.ru")
    SubscriptionFactory(roadmap=world["roadmap"], email="mine-too@example.ru")
    elsewhere = roadmap_world()
    SubscriptionFactory(roadmap=elsewhere["roadmap"], email="theirs@example.ru")
    discussion = open_discussion(elsewhere["roadmap"].municipality)
    SubscriptionFactory(discussion=discussion, email="theirs-too@example.ru")

    client.force_login(world["coordinator"])
    listing = client.get("/admin/following/subscription/").content.decode()
    assert "mine@example.ru" in listing and "mine-too@example.ru" in listing
    assert "theirs@example.ru" not in listing and "theirs-too@example.ru" not in listing
    change = client.get(f"/admin/following/subscription/{mine.pk}/change/")
    assert change.status_code == 200
    assert 'name="email"' not in change.content.decode()  # read-only: the address is personal data
    assert (
        client.post(f"/admin/following/subscription/{mine.pk}/change/", {"email": "x@example.ru"}).status_code
        == 403
    )

    client.force_login(elsewhere["coordinator"])
    assert client.get(f"/admin/following/subscription/{mine.pk}/change/").status_code in (302, 404)
    # A coordinator erases an address on its owner's request.
    supervisor = StaffRoleFactory(user=UserFactory(), role="supervisor", municipality=None).user
    client.force_login(supervisor)
    assert client.post(f"/admin/following/subscription/{mine.pk}/delete/", {"post": "yes"}).status_code == 403
    client.force_login(world["coordinator"])
    client.post(f"/admin/following/subscription/{mine.pk}/delete/", {"post": "yes"})
    assert not Subscription.objects.filter(pk=mine.pk).exists()
