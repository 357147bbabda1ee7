"""Public pages on a phone and in the low-vision version, in Debian's Chromium (Playwright).

No public page may be wider than a 360 px or 390 px screen: a citizen on a phone must not scroll sideways
to read a roadmap, the open-data register or a council's members.
"""

from opendata.models import Dataset
from referents.models import Council
from roadmaps.models import Measure, Roadmap
from surveys.models import Discussion, Survey
from tests.browser import browser_test, serious_violations

pytestmark = browser_test


def _public_paths() -> list[str]:
    public = [r for r in Roadmap.objects.select_related("municipality") if r.is_public]
    roadmap = max(public, key=lambda r: r.measures.count())
    slug = roadmap.municipality.slug
    measure = Measure.objects.filter(roadmap=roadmap).first()
    paths = [
        "/",
        f"/m/{slug}/",
        f"/m/{slug}/roadmaps/{roadmap.pk}/",
        f"/m/{slug}/roadmaps/{roadmap.pk}/measures/{measure.pk}/",
        f"/m/{slug}/roadmaps/{roadmap.pk}/reports/",
        "/discussions/",
        "/surveys/",
        "/opendata/",
        "/councils/",
        "/privacy/",
        "/region/",
        f"/m/{slug}/appeals/",
    ]
    paths += [f"/discussions/{pk}/" for pk in Discussion.objects.values_list("pk", flat=True)[:3]]
    for survey in Survey.objects.all()[:2]:
        paths += [f"/surveys/{survey.pk}/", f"/surveys/{survey.pk}/results/"]
    paths += [dataset.get_absolute_url() for dataset in Dataset.objects.all()[:2]]
    paths += [f"/councils/{pk}/" for pk in Council.objects.values_list("pk", flat=True)[:2]]
    return paths


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_no_public_page_is_wider_than_a_phone(browser, live_server, transactional_db):
    from tests.demo import load_seed_demo

    load_seed_demo()
    paths = _public_paths()
    too_wide = []
    for width in (360, 390):
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="ru-RU")
        page = context.new_page()
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            if (extra := _overflow(page)) > 0:
                too_wide.append(f"{path} at {width}px: {extra}px too wide")
        # The header (brand + navigation) leaves most of the first screen to the content.
        page.goto(f"{live_server.url}/")
        header = page.locator(".site-header").bounding_box()
        assert header["height"] < 800 / 3, f"header {header['height']}px tall at {width}px"
        context.close()
    assert too_wide == []


def test_low_vision_version_is_remembered_across_pages_and_can_be_left(
    browser, live_server, transactional_db
):
    from tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    ordinary = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert page.locator("#low-vision-panel").is_hidden()

    page.get_by_role("link", name="Версия для слабовидящих").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.classList.contains('low-vision')")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= ordinary + 4
    assert page.locator("#low-vision-panel").is_visible()

    page.get_by_role("link", name="белым по черному").click()
    page.wait_for_load_state()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    assert page.get_by_role("link", name="белым по черному").get_attribute("aria-current") == "true"

    # Another page, later: the choice is still there.
    page.goto(f"{live_server.url}/m/{municipality.slug}/")
    assert page.evaluate("document.documentElement.getAttribute('data-lv-scheme')") == "white-on-black"
    page.get_by_role("link", name="очень крупный").click()
    page.wait_for_load_state()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 28

    page.get_by_role("link", name="Обычная версия сайта").click()
    page.wait_for_load_state()
    assert not page.evaluate("document.documentElement.classList.contains('low-vision')")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == ordinary
    context.close()


def test_axe_finds_nothing_critical_or_serious_on_public_pages(browser, live_server, transactional_db):
    from tests.demo import load_seed_demo

    load_seed_demo()
    found = {}
    for width, low_vision in ((1366, False), (390, False), (1366, True)):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
        page = context.new_page()
        if low_vision:
            page.goto(f"{live_server.url}/low-vision/?scheme=white-on-black")
        for path in _public_paths():
            page.goto(f"{live_server.url}{path}")
            if violations := serious_violations(page):
                found[f"{path} at {width}px{' low vision' if low_vision else ''}"] = violations
        context.close()
    assert found == {}


def test_the_axe_check_does_report_a_serious_fault(browser, live_server, transactional_db):
    """Guard for the test above: an image without text and a link without a name are reported."""
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/none.png"><a href="/"></a>\')'
    )
    ids = {line.split(" ")[0] for line in serious_violations(page)}
    assert {"image-alt", "link-name"} <= ids
    context.close()
