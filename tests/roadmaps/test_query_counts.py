"""Pages and API lists cost the same number of SQL queries for 10 and for 500 measures."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmaps.demo.synthetic import build_roadmap
from roadmaps.models import ProgressEntry

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture
def small_and_large():
    small = build_roadmap(10, first_year=2022, last_year=2025)
    large = build_roadmap(500, first_year=2022, last_year=2025)
    for roadmap in (small, large):
        for measure in roadmap.measures.all()[:10]:
            ProgressEntry.objects.create(
                measure=measure, period="2022", text="сделано", status=ProgressEntry.Status.ACCEPTED
            )
    return small, large


def _page(roadmap, query=""):
    return f"/m/{roadmap.municipality.slug}/roadmaps/{roadmap.pk}/{query}"


@pytest.mark.parametrize(
    "query", ["", "?year=2022", "?status=overdue&year=2023", "?executor=d{dep}&section={sec}"]
)
def test_roadmap_page_query_count_is_constant(client, small_and_large, query, django_assert_max_num_queries):
    small, large = small_and_large

    def url(roadmap):
        dep = roadmap.measures.first().executors.get(order=0).department_id
        return _page(roadmap, query.format(dep=dep, sec=roadmap.sections.first().pk))

    counts = [_queries(client, url(small)), _queries(client, url(large))]
    assert counts[0] == counts[1], counts
    cache.clear()
    with django_assert_max_num_queries(20) as uncached:
        client.get(url(large))
    assert len(uncached.captured_queries) > 0  # drawn, not served from the page cache


def test_cached_roadmap_page_is_cheap_and_invalidated_on_change(client, small_and_large):
    _small, large = small_and_large
    url = _page(large)
    first = client.get(url).content.decode()
    assert _queries(client, url) == 0  # a hit is served from the cache alone
    measure = large.measures.order_by("order").first()
    measure.title = "Новое название мероприятия"
    measure.save()
    assert "Новое название мероприятия" in client.get(url).content.decode()
    assert "Новое название мероприятия" not in first


def test_measure_page_query_count_is_constant(client, small_and_large):
    small, large = small_and_large
    counts = []
    for roadmap in small_and_large:
        measure = roadmap.measures.order_by("order").first()
        counts.append(_queries(client, f"{_page(roadmap)}measures/{measure.pk}/"))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/measures/?roadmap={id}&page_size=500",
        "/api/v1/deadlines/?roadmap={id}",
        "/api/v1/roadmaps/",
        "/api/v1/progress-entries/",
        "/api/v1/municipalities/",
    ],
)
def test_api_lists_query_count_is_constant(client, small_and_large, path):
    small, large = small_and_large
    counts = [_queries(client, path.format(id=small.pk)), _queries(client, path.format(id=large.pk))]
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12


@pytest.mark.parametrize(
    ("changelist", "roadmap_filter"),
    [
        ("roadmaps_measure", "roadmap__id__exact"),
        ("roadmaps_deadline", "measure__roadmap__id__exact"),
        ("roadmaps_progressentry", "measure__roadmap__id__exact"),
        ("roadmaps_kpi", "measure__roadmap__id__exact"),
        ("roadmaps_roadmap", "id__exact"),
    ],
)
def test_admin_lists_query_count_is_constant(client, small_and_large, changelist, roadmap_filter):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "root@example.ru", "x" * 12))
    small, large = small_and_large
    url = reverse(f"admin:{changelist}_changelist")
    counts = [_queries(client, f"{url}?{roadmap_filter}={roadmap.pk}") for roadmap in (small, large)]
    assert counts[0] == counts[1], counts
