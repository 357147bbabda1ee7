"""A reader in Chromium: a point's «Замечание к этому пункту» link preselects it, the comment lands «к п. …»,
and after the summary the final редакция stands beside it (two columns on a wide screen, one on a phone)."""

import os

from surveys.demo import draft_act
from surveys.models import Comment, Discussion, ModerationSettings
from tests.browser import browser_test
from tests.factories import MunicipalityFactory

pytestmark = browser_test
SHOTS = os.environ.get("DRAFT_ACT_SCREENSHOTS", "")


def test_comment_on_a_point_and_the_final_version_beside_the_summary(browser, live_server, transactional_db):
    municipality = MunicipalityFactory(slug="nefteyugansky", time_zone="Asia/Yekaterinburg")
    ModerationSettings.objects.create(municipality=municipality, mode=ModerationSettings.Mode.POST)
    draft_act.load(municipality)
    opened = Discussion.objects.get(title=draft_act.OPEN_TITLE)
    closed = Discussion.objects.get(title=draft_act.CLOSED_TITLE)

    page = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/discussions/{opened.pk}/")
    point = page.locator(".paragraph").filter(has_text="1.2. Пункт 3.3")
    point.get_by_role("link", name="Замечание к этому пункту").click()
    assert page.locator("#id_paragraph option:checked").inner_text().startswith("п. 1.2 — ")
    page.fill("#id_author_name", "Сидорова А.В.")
    page.fill("#id_email", "sidorova@example.ru")
    page.fill("#id_text", "Ежеквартальная отчетность избыточна: достаточно раза в полугодие.")
    page.check("#id_consent")
    page.click("text=Отправить")
    assert "опубликовано" in page.inner_text(".post-notice")
    assert "к п. 1.2" in page.inner_text(".comments")
    assert "1 замечание" in page.locator(".paragraph").filter(has_text="1.2. Пункт 3.3").inner_text()
    assert Comment.objects.get(discussion=opened).paragraph.anchor == "п. 1.2"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/open.png", full_page=True)

    page.goto(f"{live_server.url}/discussions/{closed.pk}/")
    summary = page.locator("section.summary").bounding_box()
    final = page.locator("#final-version").bounding_box()
    assert final["x"] > summary["x"] + summary["width"] - 1  # beside, not below
    assert "новый" in page.locator(".paragraph.change-new").first.inner_text()
    assert "учтено" in page.locator(".paragraph.change-changed").first.inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/closed.png", full_page=True)
    phone = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{live_server.url}/discussions/{closed.pk}/")
    summary = phone.locator("section.summary").bounding_box()
    final = phone.locator("#final-version").bounding_box()
    assert final["y"] >= summary["y"] + summary["height"] - 1  # one column on a phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
