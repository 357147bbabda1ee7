"""Region pages: every municipality listed, sorted by rating, constant queries, cached, exported safely."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from municipalities.models import StaffRole
from regions.models import Criterion, RatingCriterion, RatingMethod
from tests.factories import StaffRoleFactory, UserFactory

from .helpers import REGION, municipality_with

pytestmark = pytest.mark.django_db
URL = "/region/stavropolskii-krai/"


def _names_in_order(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/m/[^/]+/">([^<]+)</a>', html)


def test_region_list_links_every_region(client):
    municipality_with("Альфа", on_time=1)
    municipality_with("Чужой", region="Алтайский край", roadmap=False)
    html = client.get("/region/").content.decode()
    assert 'href="/region/stavropolskii-krai/"' in html and 'href="/region/altaiskii-krai/"' in html
    assert "с дорожной картой: 0" in html


def test_region_page_lists_every_municipality_by_rating_and_marks_those_without_a_roadmap(client):
    municipality_with("Бета", on_time=1, overdue=1)
    municipality_with("Альфа", on_time=2)
    municipality_with("Вега", roadmap=False)
    html = client.get(URL).content.decode()
    assert _names_in_order(html) == ["Альфа", "Бета", "Вега"]
    assert html.count("нет дорожной карты") == 1
    assert "1 без дорожной карты" in html
    # the method is published on the page: criteria, weights and the formula
    assert "Методика рейтинга" in html and "вес 30 (30.0 %)" in html.replace(",", ".")
    assert "Σ (вес критерия × доля)" in html


def test_sorting_by_name_differs_from_the_rating_order(client):
    municipality_with("Яхонтовый", on_time=2)
    municipality_with("Абрикосовый", overdue=2)
    assert _names_in_order(client.get(URL).content.decode()) == ["Яхонтовый", "Абрикосовый"]
    assert _names_in_order(client.get(URL + "?sort=name").content.decode()) == ["Абрикосовый", "Яхонтовый"]


def test_unknown_region_is_404(client):
    assert client.get("/region/nowhere/").status_code == 404
    assert client.get("/region/nowhere/rating.csv").status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_page_and_api_cost_the_same_queries_for_3_and_30_municipalities(
    client, django_assert_max_num_queries
):
    from django.core.cache import cache

    for i in range(3):
        municipality_with(f"Малый {i}", region="Малый край", on_time=1, overdue=i, appeals_on_time=i)
    for i in range(30):
        municipality_with(
            f"Большой {i:02d}", region="Большой край", on_time=1, overdue=i % 3, appeals_late=i % 2
        )
    for slug in ("malyi-krai", "bolshoi-krai"):
        cache.clear()
        with django_assert_max_num_queries(14):
            assert client.get(f"/region/{slug}/").status_code == 200
    cache.clear()
    small, large = _queries(client, "/region/malyi-krai/"), _queries(client, "/region/bolshoi-krai/")
    assert small == large
    assert _queries(client, "/api/v1/regions/malyi-krai/") == _queries(
        client, "/api/v1/regions/bolshoi-krai/"
    )
    with django_assert_max_num_queries(14):
        client.get("/region/bolshoi-krai/rating.xlsx")


def test_cached_page_costs_no_sql_and_a_new_method_shows_at_once(client, admin_user):
    municipality_with("Альфа", on_time=2, appeals_late=2)
    municipality_with("Бета", on_time=1, overdue=1, appeals_on_time=2)
    assert _names_in_order(client.get(URL).content.decode()) == ["Бета", "Альфа"]
    assert _queries(client, URL) == 0

    client.force_login(admin_user)
    response = client.post(
        "/admin/regions/ratingmethod/add/",
        {
            "region": REGION,
            "approved_by": "приказ № 1",
            "note": "",
            "criteria-TOTAL_FORMS": "2",
            "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "1",
            "criteria-MAX_NUM_FORMS": "1000",
            "criteria-0-criterion": Criterion.DEADLINES_ON_TIME,
            "criteria-0-weight": "90",
            "criteria-1-criterion": Criterion.APPEALS_ON_TIME,
            "criteria-1-weight": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    html = client.get(URL).content.decode()
    assert _names_in_order(html) == ["Альфа", "Бета"]
    assert "приказ № 1" in html


def test_page_has_the_history_chart_without_inline_style_or_script(client):
    municipality_with("Альфа", on_time=1, year=2021)
    municipality_with("Бета", on_time=1, year=2022)
    html = client.get(URL).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<svg" in main and main.count('class="bar"') == 2
    assert "style=" not in main and "<script" not in main
    assert 'id="rating-history"' in main and "2021" in main


def test_exports_are_formula_escaped(client):
    municipality_with('=HYPERLINK("http://evil")', on_time=1)
    municipality_with("Альфа", roadmap=False)
    response = client.get(URL + "rating.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Место", "Муниципальное образование", "Дорожная карта", "Рейтинг открытости"]
    assert rows[1][:4] == ["1", '\'=HYPERLINK("http://evil")', "есть", "100.0"]
    assert rows[2][:4] == ["", "Альфа", "нет", ""]

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(URL + "rating.xlsx").content)).active
    cell = sheet.cell(row=4, column=2)
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"
    assert sheet.cell(row=4, column=4).value == 100.0


def test_supervisors_start_page_links_to_their_region(client):
    municipality_with("Альфа", on_time=1)
    role = StaffRoleFactory(
        role=StaffRole.Role.SUPERVISOR, municipality=None, region=REGION, user=UserFactory()
    )
    client.force_login(role.user)
    html = client.get("/admin/").content.decode()
    assert f'href="{URL}"' in html


def test_supervisor_edits_only_their_regions_method(client):
    municipality_with("Альфа", on_time=1)
    municipality_with("Чужой", region="Алтайский край")
    own = RatingMethod.objects.create(region=REGION)
    other = RatingMethod.objects.create(region="Алтайский край")
    RatingCriterion.objects.create(method=own, criterion=Criterion.KPIS_ACHIEVED, weight=5)
    role = StaffRoleFactory(
        role=StaffRole.Role.SUPERVISOR, municipality=None, region=REGION, user=UserFactory()
    )
    client.force_login(role.user)
    assert client.get(f"/admin/regions/ratingmethod/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/regions/ratingmethod/{other.pk}/change/").status_code in (302, 403, 404)
    add = client.get("/admin/regions/ratingmethod/add/").content.decode()
    assert "Алтайский край" not in add
    assert 'value="30"' in add  # the defaults prefilled

    coordinator = StaffRoleFactory()
    client.force_login(coordinator.user)
    assert client.get("/admin/regions/ratingmethod/").status_code == 403


def test_api_gives_the_rating_rows(client):
    municipality_with("Альфа", on_time=2)
    municipality_with("Бета", roadmap=False)
    regions = client.get("/api/v1/regions/").json()
    assert {"slug": "stavropolskii-krai", "region": REGION, "municipalities": 2, "with_roadmap": 1} in regions
    data = client.get("/api/v1/regions/stavropolskii-krai/?year=2022").json()
    assert data["year"] == 2022
    assert [(r["name"], r["rank"], r["score"], r["has_roadmap"]) for r in data["rows"]] == [
        ("Альфа", 1, "100.0", True),
        ("Бета", None, None, False),
    ]


def test_a_year_that_is_not_a_number_shows_the_latest_rating(client):
    municipality_with("Альфа", on_time=1, year=2021)
    municipality_with("Бета", on_time=1, year=2022)
    assert client.get("/api/v1/regions/stavropolskii-krai/?year=2021").json()["year"] == 2021
    assert client.get("/api/v1/regions/stavropolskii-krai/?year=зима").json()["year"] == 2022
    page = client.get(URL + "?year=зима")
    assert page.status_code == 200 and page.context["rating"].year == 2022


def test_deleting_methods_from_the_admin_list_shows_the_default_rating_at_once(client, admin_user):
    municipality_with("Альфа", on_time=2, appeals_late=2)
    municipality_with("Бета", on_time=1, overdue=1, appeals_on_time=2)
    method = RatingMethod.objects.create(region=REGION, approved_by="приказ № 1")
    RatingCriterion.objects.create(method=method, criterion=Criterion.DEADLINES_ON_TIME, weight=90)
    RatingCriterion.objects.create(method=method, criterion=Criterion.APPEALS_ON_TIME, weight=10)
    assert _names_in_order(client.get(URL).content.decode()) == ["Альфа", "Бета"]  # now cached

    client.force_login(admin_user)
    response = client.post(
        "/admin/regions/ratingmethod/",
        {"action": "delete_selected", "_selected_action": [method.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not RatingMethod.objects.exists()
    client.logout()
    html = client.get(URL).content.decode()
    assert _names_in_order(html) == ["Бета", "Альфа"] and "приказ № 1" not in html
