"""The public roadmap page's cache: keyed on validated filters only, and the page still serves without Redis."""

import socket

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openness_portal.cache_config import cache_config
from roadmaps.demo.synthetic import build_roadmap

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadmap():
    return build_roadmap(10, first_year=2022, last_year=2025)


def _url(roadmap, query=""):
    return f"/m/{roadmap.municipality.slug}/roadmaps/{roadmap.pk}/{query}"


def _get(client, url):
    """The page and the number of SQL queries it took (0: served from the cache)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(ctx.captured_queries)


def test_tracking_parameters_hit_the_same_entry(client, roadmap):
    page, queries = _get(client, _url(roadmap))
    assert queries > 0
    for query in ("?utm_source=vk", "?utm_source=tg&utm_medium=post", "?fbclid=abc123"):
        again, queries = _get(client, _url(roadmap, query))
        assert queries == 0 and again == page, query


def test_the_same_filters_in_any_order_or_company_share_an_entry(client, roadmap):
    section = roadmap.sections.order_by("order").first().pk
    filtered, queries = _get(client, _url(roadmap, f"?year=2023&section={section}"))
    assert queries > 0 and "Сбросить" in filtered
    same, queries = _get(client, _url(roadmap, f"?utm_source=x&section={section}&year=2023"))
    assert queries == 0 and same == filtered
    other_year, queries = _get(client, _url(roadmap, f"?year=2024&section={section}"))
    assert queries > 0 and other_year != filtered


def test_invalid_filter_values_create_no_entry_of_their_own(client, roadmap):
    page, _queries = _get(client, _url(roadmap))
    for query in ("?status=bogus", "?year=twenty", "?section=1.5", "?year=2023&status=bogus"):
        served, queries = _get(client, _url(roadmap, query))
        assert queries == 0 and served == page, query  # the unfiltered page, as before, from its entry


def test_the_page_says_filtered_only_for_real_filters(client, roadmap):
    plain, _queries = _get(client, _url(roadmap, "?utm_source=x"))
    assert "Сбросить" not in plain
    filtered, _queries = _get(client, _url(roadmap, "?status=overdue"))
    assert "Сбросить" in filtered and 'value="overdue" selected' in filtered


def test_with_redis_down_the_page_serves_uncached(client, roadmap, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CACHES = {"default": cache_config(f"redis://127.0.0.1:{port}/0")}
    first, queries_first = _get(client, _url(roadmap))
    second, queries_second = _get(client, _url(roadmap))
    assert queries_first > 0 and queries_second == queries_first  # rendered each time, never an error
    assert roadmap.title in first or roadmap.municipality.name in first
