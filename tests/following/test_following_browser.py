"""A real browser (Debian's Chromium via Playwright) against the live server: a citizen follows a public
roadmap, confirms from the link in the mail, is told of accepted progress, and unsubscribes."""

import re

import pytest
from django.core import mail

from following.models import Subscription
from tests.browser import Screens, browser_test

from .factories import accept, roadmap_world

pytestmark = browser_test


def _link(message, name):
    return re.search(rf"https?://\S+/follow/{name}/\S+/", message.body).group(0)


@pytest.fixture
def world(transactional_db):
    return roadmap_world()


@pytest.mark.parametrize("width", [1366, 390])
def test_citizen_follows_a_roadmap_confirms_and_unsubscribes(browser, live_server, world, settings, width):
    settings.PORTAL_URL = live_server.url
    roadmap = world["roadmap"]
    page = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU").new_page()
    screens = Screens(page, width)
    page.goto(f"{live_server.url}{roadmap.get_absolute_url()}")
    feed = page.locator('head link[rel=alternate][type="application/atom+xml"]')
    assert feed.get_attribute("href").endswith(f"/roadmaps/{roadmap.pk}/feed/")

    box = page.locator(".follow-box")
    assert "Следить за изменениями" in box.inner_text()
    page.fill("#follow-email", "sidorova@example.ru")
    page.check("#follow-consent")
    page.click(".follow-box button[type=submit]")
    assert "Мы отправили письмо на адрес sidorova@example.ru" in page.inner_text(".follow-sent")
    screens.check("asked to confirm")
    assert [m.to for m in mail.outbox] == [["sidorova@example.ru"]]
    assert Subscription.objects.get().status == Subscription.Status.PENDING

    page.goto(_link(mail.outbox[0], "confirm"))
    screens.check("confirmation page")
    page.get_by_role("button", name="Подтвердить подписку").click()
    assert "Подписка подтверждена" in page.inner_text(".follow-done")
    screens.check("confirmed")
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED

    accept(world["measure"], world["coordinator"], text="Аналитический отчет размещен на сайте.")
    notice = mail.outbox[-1]
    assert notice.to == ["sidorova@example.ru"] and "Аналитический отчет размещен" in notice.body

    page.goto(_link(notice, "unsubscribe"))
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED  # opening the link only asks
    screens.check("unsubscribe page")
    page.get_by_role("button", name="Отписаться").click()
    assert "Вы отписались" in page.inner_text(".follow-done")
    screens.check("unsubscribed")
    assert Subscription.objects.get().status == Subscription.Status.UNSUBSCRIBED
    page.context.close()
    assert screens.faults == {}


def test_the_form_shows_a_russian_error_without_consent(browser, live_server, world):
    roadmap = world["roadmap"]
    page = browser.new_context(locale="ru-RU").new_page()
    page.goto(f"{live_server.url}{roadmap.get_absolute_url()}")
    page.fill("#follow-email", "sidorova@example.ru")
    # The browser's own check would stop an empty box; a citizen with it turned off reaches the server.
    page.evaluate("document.querySelector('#follow-consent').removeAttribute('required')")
    page.click(".follow-box button[type=submit]")
    assert "Без согласия на обработку персональных данных подписаться нельзя." in page.inner_text(
        ".error-summary"
    )
    assert page.input_value("#follow-email") == "sidorova@example.ru"
    assert not Subscription.objects.exists() and not mail.outbox
    page.context.close()
