"""A real browser (Debian's Chromium via Playwright) against the live server: comment, moderate, close, survey.

Time is moved on the server side with time_machine: the live server runs in a thread of this process.
"""

import re
from datetime import datetime

import pytest
import time_machine

from municipalities.models import StaffRole
from surveys import services
from surveys.models import Comment, Question
from tests.browser import Screens, browser_test
from tests.factories import MunicipalityFactory, StaffRoleFactory, UserFactory
from tests.surveys.factories import SurveyFactory, add_question

pytestmark = browser_test
PASSWORD = "test-password-123"


def _login(page, base, username):
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))


@pytest.mark.parametrize("width", [1366, 390])
def test_citizen_comments_moderator_publishes_window_closes_summary_shows(
    browser, live_server, transactional_db, width
):
    municipality = MunicipalityFactory(time_zone="Europe/Moscow")
    moderator = UserFactory(username="moderator")
    StaffRoleFactory(user=moderator, municipality=municipality, role=StaffRole.Role.COORDINATOR)
    opened = datetime(2024, 5, 6, 9, 0, tzinfo=municipality.tz)
    discussion = services.open_discussion(
        municipality=municipality,
        title="Отчет о реализации муниципальной программы «Развитие транспорта» за 2023 год",
        opens_at=opened,
    )
    url = f"{live_server.url}/discussions/{discussion.pk}/"

    with time_machine.travel(datetime(2024, 5, 6, 10, 0, tzinfo=municipality.tz), tick=True) as traveller:
        citizen = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU").new_page()
        screens = Screens(citizen, width)
        citizen.goto(url)
        assert "осталось 15 дней" in citizen.inner_text(".window-status")
        screens.check("open discussion")
        citizen.fill("#id_author_name", "Сидорова А.В.")
        citizen.fill("#id_email", "sidorova@example.ru")
        citizen.fill("#id_text", "Прошу добавить рейс до села Урманного по выходным.")
        citizen.check("#id_consent")
        citizen.click("text=Отправить")
        notice = citizen.inner_text(".post-notice")
        assert "будет опубликовано после проверки модератором" in notice
        screens.check("comment sent")
        assert "Урманного" not in citizen.inner_text(".comments")

        staff = browser.new_context(locale="ru-RU").new_page()
        _login(staff, live_server.url, "moderator")
        staff.goto(f"{live_server.url}/admin/surveys/comment/?status__exact=pending")
        staff.check("input.action-select")
        staff.select_option("select[name=action]", "publish_selected")
        staff.click("button[name=index]")
        assert "Опубликовано: 1" in staff.inner_text("ul.messagelist")

        citizen.goto(url)
        assert "Урманного" in citizen.inner_text(".comments")
        assert "sidorova@example.ru" not in citizen.content()

        # The window ends at the end of 21 May, local time: the server alone decides.
        traveller.move_to(datetime(2024, 5, 22, 0, 5, tzinfo=municipality.tz))
        citizen.goto(url)
        assert citizen.locator("#id_consent").count() == 0
        assert "Обсуждение завершено 21.05.2024" in citizen.inner_text(".window-status")
        assert "Итоги обсуждения готовятся" in citizen.content()
        screens.check("closed discussion")

        summary = discussion.summary
        _login(staff, live_server.url, "moderator")  # the two-week session ran out while time moved
        staff.goto(f"{live_server.url}/admin/surveys/discussionsummary/{summary.pk}/change/")
        staff.fill(
            "#id_text",
            "По итогам обсуждения поступило одно предложение, оно учтено при корректировке программы.",
        )
        staff.select_option("select[name$='-decision']", "accepted")
        staff.check("#id_publish")
        staff.click("input[name=_save]")
        assert "Итоги опубликованы" in staff.inner_text("ul.messagelist")

        citizen.goto(url)
        assert "поступило одно предложение" in citizen.inner_text(".summary")
        assert "учтено" in citizen.inner_text(".summary")
        screens.check("summary published")
        assert Comment.objects.get().status == Comment.Status.PUBLISHED
    assert screens.faults == {}


@pytest.mark.parametrize("width", [1366, 390])
def test_survey_answered_once_and_refused_the_second_time(browser, live_server, transactional_db, width):
    survey = SurveyFactory(title="Удовлетворенность качеством автомобильных дорог")
    roads = add_question(survey, "Удовлетворены ли вы качеством автомобильных дорог?")
    score = add_question(survey, "Оцените работу МФЦ", kind=Question.Kind.SCALE)
    url = f"{live_server.url}/surveys/{survey.pk}/"
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    first, second = context.new_page(), context.new_page()
    screens = Screens(first, width)
    first.goto(url)
    screens.check("survey form")
    second.goto(url)  # the same resident opened the form twice

    for page in (first, second):
        page.check(f"input[name=q{roads.pk}][value='{roads.options.get(text='скорее Да').pk}']")
        page.check(f"input[name=q{score.pk}][value='4']")
    first.click("text=Отправить ответы")
    assert "Ваш ответ учтен" in first.inner_text(".messages")
    screens.check("answer taken")
    second.click("text=Отправить ответы")
    assert "Вы уже ответили на вопросы этого опроса" in second.inner_text(".refusal")

    first.goto(f"{live_server.url}/surveys/{survey.pk}/results/")
    assert "ответов «скорее Да» - 1 чел. (100%)" in first.inner_text(".results")
    screens.check("results")
    context.close()
    assert screens.faults == {}
