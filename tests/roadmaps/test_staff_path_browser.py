"""The staff path in Debian's Chromium: an executor reports, the coordinator accepts, a citizen reads it.

Driven on the demo data with the demo accounts, on a desktop (1366 px) and a phone (390 px): every screen
on the way is checked with axe-core (no critical or serious fault) and for sideways scrolling.
"""

import pytest

from roadmaps.models import ProgressEntry
from tests.browser import browser_test, serious_violations

pytestmark = browser_test

PASSWORD = "demo-portal-2026"


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


class Screens:
    """Collects what axe and the width check found on each screen, so one run reports every fault."""

    def __init__(self, page, width):
        self.page, self.width, self.faults = page, width, {}

    def check(self, name):
        found = serious_violations(self.page)
        if (extra := _overflow(self.page)) > 0:
            found.append(f"{extra}px wider than the {self.width}px screen")
        if found:
            self.faults[name] = found


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [1366, 390])
def test_executor_reports_coordinator_accepts_citizen_reads(browser, live_server, transactional_db, width):
    from roadmaps.demo.loader import load

    load()
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    screens = Screens(page, width)

    # The executor: «Мои мероприятия», one deadline's form, an error first, then the report sent for review.
    _log_in(page, live_server.url, "executor-khmr")
    page.goto(f"{live_server.url}/admin/my/")
    assert page.get_by_role("heading", name="Мои мероприятия").is_visible()
    screens.check("workspace")
    page.get_by_role("link", name="внести информацию").first.click()
    page.wait_for_load_state()
    form_url = page.url
    assert "/admin/my/deadlines/" in form_url
    period = page.locator(".report-facts dd").nth(2).inner_text()
    assert period.strip(), "the reporting period is prefilled from the deadline"
    screens.check("deadline form")

    page.get_by_role("button", name="Сохранить и отправить на проверку").click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    assert summary.is_visible(), "an empty report is refused with an error summary"
    text_field = page.get_by_label("Информация о проведении мероприятия")
    assert text_field.get_attribute("aria-invalid") == "true"
    screens.check("deadline form with errors")

    report = f"Проведено обучение 12 муниципальных служащих ({width} px)."
    text_field.fill(report)
    page.get_by_role("button", name="Сохранить и отправить на проверку").click()
    page.wait_for_load_state()
    assert page.get_by_text("отправлена на проверку").is_visible()
    entry = ProgressEntry.objects.select_related("measure__roadmap__municipality").get(text=report)
    assert entry.status == ProgressEntry.Status.SUBMITTED
    context.clear_cookies()

    # The coordinator: the review queue on the start page, the entry on one page, «Принять».
    _log_in(page, live_server.url, "coordinator-khmr")
    queued = page.locator("#review-queue").get_by_role("link", name=f"{entry.measure.number} · {period}")
    assert queued.is_visible()
    screens.check("coordinator start page")
    queued.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/roadmaps/progressentry/{entry.pk}/review/")
    assert page.get_by_text(report).is_visible()
    screens.check("review page")
    page.get_by_role("button", name="Принять").click()
    page.wait_for_load_state()
    entry.refresh_from_db()
    assert entry.status == ProgressEntry.Status.ACCEPTED
    context.clear_cookies()

    # The citizen: the measure's public page shows what was accepted.
    measure = entry.measure
    page.goto(
        f"{live_server.url}/m/{measure.roadmap.municipality.slug}/roadmaps/{measure.roadmap_id}/measures/{measure.pk}/"
    )
    assert page.get_by_text(report).is_visible()
    screens.check("public measure page")
    context.close()
    assert screens.faults == {}
