"""In a real browser set to Yekaterinburg time, a Yekaterinburg coordinator's admin form shows no «Ваше время
опережает время сервера» note; a Moscow coordinator on the same machine still gets it (the note is real)."""

import re

from tests.browser import browser_test
from tests.factories import MunicipalityFactory, StaffRoleFactory, UserFactory

pytestmark = browser_test
PASSWORD = "test-password-123"


def _form_notes(browser, base, username):
    page = browser.new_context(locale="ru-RU", timezone_id="Asia/Yekaterinburg").new_page()
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    page.goto(f"{base}/admin/surveys/discussion/add/")
    page.wait_for_selector("#id_opens_at_0")
    page.wait_for_load_state("load")
    notes = page.locator(".timezonewarning").all_inner_texts()
    page.context.close()
    return notes


def test_no_time_zone_note_for_staff_in_their_municipality_zone(browser, live_server, transactional_db):
    yekaterinburg = MunicipalityFactory(time_zone="Asia/Yekaterinburg")
    moscow = MunicipalityFactory(time_zone="Europe/Moscow")
    StaffRoleFactory(user=UserFactory(username="ural"), municipality=yekaterinburg)
    StaffRoleFactory(user=UserFactory(username="moscow"), municipality=moscow)

    assert _form_notes(browser, live_server.url, "ural") == []
    moscow_notes = _form_notes(browser, live_server.url, "moscow")
    assert moscow_notes and "время сервера" in moscow_notes[0]
