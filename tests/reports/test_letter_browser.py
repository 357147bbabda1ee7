"""The information letter in Debian's Chromium: Krasnogvardeysky's coordinator opens «Сформировать
информационное письмо», finds the signatory filled in, picks the half-year, saves, and downloads a DOCX
whose text carries the figures of seed 004. On a desktop (1366 px) and a phone (390 px), every screen is
checked with axe-core (no critical or serious fault) and for sideways scrolling."""

import io

import docx
import pytest

from municipalities.models import Municipality, StaffRole
from reports.models import InformationLetter, ReportingPeriod
from tests.browser import Screens, browser_test
from tests.factories import StaffRoleFactory, UserFactory

pytestmark = browser_test

PASSWORD = "test-password-123"  # UserFactory's


def _load_demo():
    from referents.demo.loader import load as load_referents
    from reports.demo.loader import load as load_reports
    from surveys.demo.loader import load as load_surveys
    from tests.demo import load_seed_demo

    load_seed_demo()
    load_referents()
    load_surveys()
    load_reports()  # the reporting periods, and the seed letter signed by В.И. Куликов


@pytest.mark.parametrize("width", [1366, 390])
def test_a_coordinator_builds_and_downloads_the_letter(browser, live_server, transactional_db, width):
    _load_demo()
    krasnogvardeisky = Municipality.objects.get(slug="krasnogvardeisky")
    coordinator = StaffRoleFactory(
        user=UserFactory(username=f"coordinator-krasnogvardeisky-{width}"),
        municipality=krasnogvardeisky,
        role=StaffRole.Role.COORDINATOR,
    ).user
    period = ReportingPeriod.objects.get(roadmap__municipality=krasnogvardeisky, code="2021-H2")

    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="ru-RU", accept_downloads=True
    )
    page = context.new_page()
    screens = Screens(page, width)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/reports/informationletter/add/")
    page.get_by_label("Имя пользователя").fill(coordinator.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Сформировать информационное письмо").is_visible()
    # Prefilled from the municipality's last letter, and editable.
    assert page.get_by_label("Подписывает (инициалы, фамилия)").input_value() == "В.И. Куликов"
    assert page.get_by_label("Должность подписывающего").input_value().startswith("Исполняющий обязанности")
    screens.check("add form")

    page.get_by_label("План и отчетный период").select_option(str(period.pk))
    page.get_by_label("Исходящий номер").fill(f"07-04/12{width}")
    page.get_by_label("Дата письма").fill("28.12.2021")
    page.get_by_label("Адресат").fill("Начальнику управления по региональной политике\nА.Д.Литовкину")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    page.wait_for_load_state()
    letter = InformationLetter.objects.get(number=f"07-04/12{width}")
    assert letter.status == InformationLetter.Status.READY, letter.error  # built on commit (eager Celery)
    assert letter.signatory_name == "В.И. Куликов"
    screens.check("letters list")

    page.goto(f"{live_server.url}/admin/reports/informationletter/{letter.pk}/change/")
    screens.check("letter page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="скачать DOCX").click()
    download = download_info.value
    assert download.suggested_filename == letter.filename
    with open(download.path(), "rb") as f:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(f.read())).paragraphs)
    assert "прошли 37 проектов правовых актов" in text
    assert "предоставляется всего 290 услуг" in text and "через удаленные пункты – 9312 человек" in text
    assert "9 заседаний" in text and "10 вопросов" in text
    assert "129 обращений" in text and "«телефон доверия» - 10." in text
    context.close()
    assert screens.faults == {}
