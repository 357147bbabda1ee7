"""The region page in Debian's Chromium (Playwright): every municipality listed, sorted by rating, and no
wider than a 390 px phone screen."""

import pytest

from tests.browser import browser_test, serious_violations

from .helpers import municipality_with

pytestmark = browser_test
URL = "/region/stavropolskii-krai/"


@pytest.fixture
def region(transactional_db):
    """Five municipalities: four rated differently, one without a roadmap (named to sort first by name)."""
    municipality_with("Ясный муниципальный округ", on_time=4)
    municipality_with("Березовский муниципальный округ", on_time=1, overdue=3)
    municipality_with("Кировский муниципальный округ", on_time=3, overdue=1)
    municipality_with("Долинный муниципальный округ", on_time=2, overdue=2, appeals_on_time=1)
    municipality_with("Абрикосовый муниципальный округ", roadmap=False)


def _rows(page) -> list[str]:
    return page.locator("#region-rating tbody th[scope=row] a").all_inner_texts()


def test_region_page_lists_every_municipality_sorted_by_rating(browser, live_server, region):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    page = context.new_page()
    assert page.goto(f"{live_server.url}/region/").status == 200
    page.get_by_role("link", name="Ставропольский край").click()
    page.wait_for_load_state()
    assert page.url.endswith(URL)

    by_rating = _rows(page)
    assert by_rating == [
        "Ясный муниципальный округ",  # 100: every deadline on time
        "Кировский муниципальный округ",  # 75
        "Долинный муниципальный округ",  # (30 × 0.5 + 20 × 1) / 50 = 70: its appeals lift it
        "Березовский муниципальный округ",
        "Абрикосовый муниципальный округ",  # no roadmap: listed last, unrated
    ]
    ranks = page.locator("#region-rating tbody td:first-child").all_inner_texts()
    assert ranks == ["1", "2", "3", "4", "—"]
    scores = [
        float(s.replace(",", ".")) for s in page.locator("#region-rating .rating-score").all_inner_texts()[:4]
    ]
    assert scores == sorted(scores, reverse=True)
    no_roadmap = page.locator("#region-rating tbody tr", has_text="нет дорожной карты")
    assert no_roadmap.count() == 1 and "Абрикосовый" in no_roadmap.inner_text()

    page.get_by_role("link", name="по названию").click()
    page.wait_for_load_state()
    assert _rows(page) == sorted(by_rating)
    page.get_by_role("link", name="по рейтингу").click()
    page.wait_for_load_state()
    assert _rows(page) == by_rating
    assert page.locator("svg.history-chart rect.bar").count() == 1
    context.close()


def test_region_page_fits_a_390px_phone(browser, live_server, region):
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="ru-RU")
    page = context.new_page()
    for path in ("/region/", URL, URL + "?sort=name"):
        assert page.goto(f"{live_server.url}{path}").status == 200
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path}: {overflow}px wider than the screen"
    chart = page.locator("svg.history-chart").bounding_box()
    assert chart["width"] <= 390
    context.close()


def test_axe_finds_nothing_critical_or_serious_on_region_pages(browser, live_server, region):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    page = context.new_page()
    found = {}
    for path in ("/region/", URL):
        page.goto(f"{live_server.url}{path}")
        if violations := serious_violations(page):
            found[path] = violations
    context.close()
    assert found == {}
