"""Discussion windows and comments: the rules a citizen and a moderator notice."""

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from roadmaps.services import set_deadline_rule
from surveys import exports, services
from surveys.models import (
    NO_COMMENTS_SUMMARY,
    Comment,
    CommentDisposition,
    CommentModeration,
    Discussion,
    DiscussionSummary,
    ModerationSettings,
)
from tests.factories import (
    MeasureFactory,
    MunicipalityFactory,
    OfficialFactory,
    StaffRoleFactory,
    UserFactory,
)
from tests.surveys.factories import COMMENT_FORM, CommentFactory, open_discussion, post_comment

pytestmark = pytest.mark.django_db


def api_post(client, discussion, **overrides):
    data = {**COMMENT_FORM, "consent": True, **overrides}
    return client.post(
        f"/api/v1/discussions/{discussion.pk}/comments/", data, content_type="application/json"
    )


# --- The window ------------------------------------------------------------------------------------------


def test_window_is_fifteen_days_and_closes_at_local_midnight():
    municipality = MunicipalityFactory(time_zone="Asia/Yekaterinburg")
    opens = datetime(2024, 3, 1, 10, 0, tzinfo=municipality.tz)
    discussion = open_discussion(municipality, opens_at=opens)
    assert discussion.last_day == date(2024, 3, 16)
    assert discussion.closes_at == datetime(2024, 3, 17, 0, 0, tzinfo=municipality.tz)
    assert discussion.status_at(datetime(2024, 3, 16, 23, 59, tzinfo=municipality.tz)) == "open"
    assert discussion.status_at(datetime(2024, 3, 17, 0, 0, tzinfo=municipality.tz)) == "closed"
    assert discussion.status_at(opens - timedelta(seconds=1)) == "scheduled"


def test_window_in_working_days_skips_holidays():
    municipality = MunicipalityFactory()
    # 29 April 2024 (Monday): 30 April is a working day, 1 May a holiday, 4–5 May weekend, 9–10 May holidays.
    discussion = open_discussion(
        municipality,
        opens_at=datetime(2024, 4, 29, 12, tzinfo=municipality.tz),
        length_days=5,
        working_days=True,
    )
    assert discussion.last_day == date(2024, 5, 8)


def test_open_discussion_page_shows_countdown_and_form(client):
    discussion = open_discussion()
    page = client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    assert "осталось 15 дней" in page
    assert 'name="consent"' in page and "152-ФЗ" in page
    assert "style=" not in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all(
        'src="/static/js/' in tag for tag in scripts
    )  # static files only, no inline script


def test_countdown_russian_plurals():
    from surveys.views import days_left_label

    assert days_left_label(15) == "осталось 15 дней"
    assert days_left_label(3) == "осталось 3 дня"
    assert days_left_label(21) == "остался 21 день"
    assert days_left_label(0) == "сегодня последний день"


# --- Posting: each refusal is clear and stores nothing -------------------------------------------------


def test_comment_accepted_with_moderation_notice(client):
    discussion = open_discussion()
    response = post_comment(client, discussion, follow=False)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "будет опубликовано после проверки модератором" in page
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert "продлить маршрут" not in page  # pre-moderation: not shown yet


def test_post_moderation_publishes_at_once(client):
    discussion = open_discussion()
    ModerationSettings.objects.create(municipality=discussion.municipality, mode=ModerationSettings.Mode.POST)
    client.post(reverse("surveys:discussion_detail", args=[discussion.pk]), COMMENT_FORM)
    page = client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    assert "продлить маршрут" in page


def test_posting_outside_the_window_is_refused_and_stores_nothing(client):
    municipality = MunicipalityFactory()
    discussion = open_discussion(municipality, opens_at=timezone.now() - timedelta(days=30))
    page = post_comment(client, discussion)
    assert page.status_code == 403
    assert "Обсуждение завершено" in page.content.decode()
    assert 'name="consent"' not in page.content.decode()  # no form any more
    api = api_post(client, discussion)
    assert api.status_code == 403
    assert "замечания больше не принимаются" in api.json()["detail"]
    future = open_discussion(municipality, opens_at=timezone.now() + timedelta(days=2))
    assert api_post(client, future).status_code == 403
    assert Comment.objects.count() == 0


def test_consent_is_required(client):
    discussion = open_discussion()
    page = post_comment(client, discussion, consent="")
    assert page.status_code == 400
    assert "152-ФЗ" in page.content.decode() and "не может быть принято" in page.content.decode()
    # the citizen's text is kept in the form so nothing typed is lost
    assert "продлить маршрут" in page.content.decode()
    api = api_post(client, discussion, consent=False)
    assert api.status_code == 400 and "consent" in api.json()
    assert Comment.objects.count() == 0


def test_ten_thousand_characters_are_refused(client):
    discussion = open_discussion()
    page = post_comment(client, discussion, text="а" * 10_000)
    assert page.status_code == 400
    assert "не более 5 000 символов, сейчас 10 000" in page.content.decode()
    api = api_post(client, discussion, text="а" * 10_000)
    assert api.status_code == 400 and "5 000" in api.json()["text"][0]
    assert Comment.objects.count() == 0


def test_twenty_posts_a_minute_are_rate_limited(client):
    discussion = open_discussion()
    statuses = [
        api_post(client, discussion, text=f"Предложение {i}", email=f"p{i}@example.ru").status_code
        for i in range(20)
    ]
    assert statuses[:10] == [201] * 10
    assert set(statuses[10:]) == {429}
    limited = api_post(client, discussion, text="ещё одно", email="other@example.ru")
    assert "Слишком много замечаний" in limited.json()["detail"] and int(limited["Retry-After"]) > 0
    page = post_comment(client, discussion, text="и ещё")
    assert page.status_code == 429 and "Слишком много замечаний" in page.content.decode()
    assert Comment.objects.count() == 10  # the refused ones stored nothing


def test_rate_limit_per_email_across_addresses(client, settings):
    settings.COMMENT_RATE_LIMITS = {"ip": [(100, 60)], "email": [(2, 60)]}
    discussion = open_discussion()
    codes = [
        api_post(client, discussion, text=f"текст {i}", email="same@example.ru").status_code for i in range(3)
    ]
    assert codes == [201, 201, 429]


def test_duplicates_and_honeypot_store_nothing(client):
    discussion = open_discussion()
    assert api_post(client, discussion).status_code == 201
    duplicate = api_post(client, discussion, text="  прошу продлить маршрут автобуса   до улицы Садовой. ")
    assert duplicate.status_code == 400 and "уже получено" in duplicate.json()["text"][0]
    bot = post_comment(client, discussion, text="Купите слона", website="http://spam.example")
    assert bot.status_code == 302  # the bot is told nothing
    assert Comment.objects.count() == 1


def test_invalid_email_and_missing_name(client):
    discussion = open_discussion()
    api = api_post(client, discussion, email="not-an-address", author_name="")
    assert api.status_code == 400
    assert set(api.json()) >= {"email", "author_name"}
    assert Comment.objects.count() == 0


# --- What the public sees ---------------------------------------------------------------------------------


def test_citizen_text_is_escaped_links_inert_email_never_shown(client):
    discussion = open_discussion()
    CommentFactory(
        discussion=discussion, text="<b>жирный</b> см. https://evil.example/x", email="secret@example.ru"
    )
    official = OfficialFactory(municipality=discussion.municipality)
    CommentFactory(
        discussion=discussion,
        text="Ответ: https://adminlmr.ru/otchet",
        is_official=True,
        author_name=str(official),
    )
    page = client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    assert "&lt;b&gt;жирный&lt;/b&gt;" in page
    assert 'href="https://evil.example/x"' not in page
    assert 'href="https://adminlmr.ru/otchet"' in page
    assert "ответ администрации" in page
    assert "secret@example.ru" not in page
    api = client.get(f"/api/v1/discussions/{discussion.pk}/comments/").content.decode()
    assert "secret@example.ru" not in api and "email" not in api


def test_reply_one_level_deep(client):
    discussion = open_discussion()
    ModerationSettings.objects.create(municipality=discussion.municipality, mode=ModerationSettings.Mode.POST)
    top = CommentFactory(discussion=discussion)
    assert api_post(client, discussion, parent=top.pk, text="Поддерживаю").status_code == 201
    reply = Comment.objects.get(parent=top)
    nested = api_post(client, discussion, parent=reply.pk, text="Ответ на ответ")
    assert nested.status_code == 400 and "parent" in nested.json()


def test_official_reply_is_published_and_marked(client):
    discussion = open_discussion()
    top = CommentFactory(discussion=discussion)
    user = UserFactory()
    OfficialFactory(municipality=discussion.municipality, user=user, name="Бегишева Н.А.")
    client.force_login(user)
    response = client.post(
        reverse("surveys:discussion_detail", args=[discussion.pk]),
        {"text": "Спасибо, учтем: https://adminlmr.ru", "parent": top.pk},
    )
    assert response.status_code == 302
    reply = Comment.objects.get(parent=top)
    assert reply.is_official and reply.status == Comment.Status.PUBLISHED and "Бегишева" in reply.author_name


def test_readers_flags_hide_after_threshold_and_moderator_restores(client):
    discussion = open_discussion()
    ModerationSettings.objects.create(municipality=discussion.municipality, auto_hide_flags=2)
    comment = CommentFactory(discussion=discussion)
    url = reverse("surveys:comment_flag", args=[discussion.pk, comment.pk])
    client.get(reverse("surveys:discussion_detail", args=[discussion.pk]))
    client.post(url, {"reason": "abuse"})
    client.post(url, {"reason": "abuse"})  # the same reader twice counts once
    comment.refresh_from_db()
    assert comment.flag_count == 1 and comment.status == Comment.Status.PUBLISHED
    from django.test import Client

    other_reader = Client()
    other_reader.get(reverse("surveys:discussion_detail", args=[discussion.pk]))
    other_reader.post(url, {"reason": "spam"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.FLAGGED
    assert (
        comment.text
        not in client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    )
    coordinator = StaffRoleFactory(municipality=discussion.municipality).user
    with pytest.raises(Exception, match="причину"):
        services.restore_comment(comment, user=coordinator, reason="")
    services.restore_comment(comment, user=coordinator, reason="Жалобы необоснованны")
    services.hide_comment(comment, user=coordinator, reason="Оскорбление")
    log = list(CommentModeration.objects.filter(comment=comment).values_list("action", "reason"))
    assert log == [("auto_hide", "жалоб: 2"), ("restore", "Жалобы необоснованны"), ("hide", "Оскорбление")]


def test_other_municipality_coordinator_cannot_moderate():
    discussion = open_discussion()
    comment = CommentFactory(discussion=discussion, status=Comment.Status.PENDING)
    stranger = StaffRoleFactory().user
    with pytest.raises(Exception, match="координатор"):
        services.publish_comment(comment, user=stranger)


# --- Closing ----------------------------------------------------------------------------------------------


def _closed_discussion_with_measure():
    municipality = MunicipalityFactory()
    coordinator = StaffRoleFactory(municipality=municipality).user
    measure9 = MeasureFactory(section__roadmap__municipality=municipality, number="9")
    measure10 = MeasureFactory(section=measure9.section, roadmap=measure9.roadmap, number="10")
    set_deadline_rule(
        measure10,
        "в течение 7 рабочих дней после завершения процедуры публичного обсуждения",
        trigger_measure=measure9,
    )
    discussion = open_discussion(
        municipality, opens_at=datetime(2024, 5, 6, 9, tzinfo=municipality.tz), measure=measure9
    )
    return discussion, measure10, coordinator


def test_close_time_work_runs_once_and_records_the_measure_event(django_capture_on_commit_callbacks):
    discussion, measure10, coordinator = _closed_discussion_with_measure()
    CommentFactory(discussion=discussion, created_at=datetime(2024, 5, 10, tzinfo=discussion.municipality.tz))
    assert discussion.last_day == date(2024, 5, 21)
    with (
        time_machine.travel(datetime(2024, 5, 22, 1, tzinfo=discussion.municipality.tz)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.close_due_discussions() == 1
        assert services.close_due_discussions() == 0  # idempotent
    discussion.refresh_from_db()
    assert discussion.summary_due_date == date(2024, 5, 30)  # 7 working days after 21 May 2024
    deadline = measure10.deadlines.get(origin="event")
    assert deadline.event_date == date(2024, 5, 21) and deadline.due_date == date(2024, 5, 30)
    summary = discussion.summary
    assert summary.dispositions.count() == 1 and summary.text == ""
    assert len(mail.outbox) == 1 and "подготовьте итоги" in mail.outbox[0].subject
    assert "Предложение номер" in mail.outbox[0].body  # the coordinator gets the comments themselves
    # Publishing needs a decision (and a reason where not accepted) for every comment.
    with pytest.raises(Exception, match="не указано решение"):
        services.publish_summary(summary, user=coordinator, text="По итогам обсуждения…")
    CommentDisposition.objects.filter(summary=summary).update(decision="rejected")
    with pytest.raises(Exception, match="обоснование"):
        services.publish_summary(summary, user=coordinator, text="По итогам обсуждения…")
    CommentDisposition.objects.filter(summary=summary).update(reason="Маршрут не предусмотрен программой")
    with time_machine.travel(datetime(2024, 5, 28, 12, tzinfo=discussion.municipality.tz)):
        services.publish_summary(summary, user=coordinator, text="По итогам обсуждения…")
    deadline.refresh_from_db()
    assert deadline.completed_on == date(2024, 5, 28)


def test_closed_without_comments_gets_the_no_comments_summary(client):
    discussion = open_discussion(opens_at=timezone.now() - timedelta(days=20))
    # No periodic job ran: the page request itself does the close-time work.
    page = client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    assert "Итоги обсуждения готовятся" in page
    summary = DiscussionSummary.objects.get(discussion=discussion)
    assert summary.text == NO_COMMENTS_SUMMARY
    services.publish_summary(summary)
    page = client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    assert NO_COMMENTS_SUMMARY in page and 'name="consent"' not in page
    listing = client.get(reverse("surveys:discussion_list")).content.decode()
    assert NO_COMMENTS_SUMMARY in listing


def test_export_has_dispositions_but_no_emails_or_formulas():
    discussion, _measure, coordinator = _closed_discussion_with_measure()
    CommentFactory(
        discussion=discussion,
        text='=HYPERLINK("http://evil")',
        email="private@example.ru",
        created_at=datetime(2024, 5, 10, tzinfo=discussion.municipality.tz),
    )
    with time_machine.travel(datetime(2024, 5, 22, 1, tzinfo=discussion.municipality.tz)):
        services.close_due_discussions()
    CommentDisposition.objects.update(decision="partial", reason="-учтено в части сроков")
    raw_csv = exports.discussion_comments_csv(discussion).decode("utf-8-sig")
    assert "private@example.ru" not in raw_csv
    rows = list(csv.reader(io.StringIO(raw_csv)))
    assert rows[1][5].startswith("'=HYPERLINK") and rows[1][7] == "учтено частично"
    assert rows[1][8] == "'-учтено в части сроков"
    wb = load_workbook(io.BytesIO(exports.discussion_comments_xlsx(discussion)))
    values = [c.value for row in wb.active.iter_rows() for c in row if c.value]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert "private@example.ru" not in values


def test_admin_export_action_and_moderation_via_admin(client):
    discussion = open_discussion()
    comment = CommentFactory(discussion=discussion, status=Comment.Status.PENDING)
    coordinator = StaffRoleFactory(municipality=discussion.municipality).user
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:surveys_comment_changelist"),
        {"action": "publish_selected", "_selected_action": [comment.pk], "reason": ""},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    export = client.post(
        reverse("admin:surveys_discussion_changelist"),
        {"action": "export_csv", "_selected_action": [discussion.pk]},
    )
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert comment.email not in export.content.decode("utf-8-sig")


# --- API and query counts ---------------------------------------------------------------------------------


def test_api_lists_filter_by_status_and_municipality(client):
    municipality = MunicipalityFactory(slug="khmr")
    open_one = open_discussion(municipality)
    closed_one = open_discussion(municipality, opens_at=timezone.now() - timedelta(days=40))
    open_discussion()  # another municipality
    data = client.get("/api/v1/discussions/?municipality=khmr&status=open").json()
    assert [d["id"] for d in data["results"]] == [open_one.pk]
    assert data["results"][0]["days_left"] == 15 and data["results"][0]["status"] == "open"
    data = client.get("/api/v1/discussions/?municipality=khmr&status=closed").json()
    assert [d["id"] for d in data["results"]] == [closed_one.pk]


@pytest.mark.parametrize("url_name", ["list", "detail", "api_list", "api_comments"])
def test_constant_queries(client, django_assert_max_num_queries, url_name):
    municipality = MunicipalityFactory()
    ModerationSettings.objects.create(municipality=municipality, mode=ModerationSettings.Mode.POST)

    def url(discussion):
        return {
            "list": reverse("surveys:discussion_list"),
            "detail": reverse("surveys:discussion_detail", args=[discussion.pk]),
            "api_list": "/api/v1/discussions/",
            "api_comments": f"/api/v1/discussions/{discussion.pk}/comments/",
        }[url_name]

    def grow(discussion, n):
        for _ in range(n):
            top = CommentFactory(discussion=discussion)
            CommentFactory(discussion=discussion, parent=top, is_official=True)
        open_discussion(municipality)
        closed = open_discussion(municipality, opens_at=timezone.now() - timedelta(days=40))
        services.process_closed_discussion(closed)

    discussion = open_discussion(municipality)
    grow(discussion, 2)
    client.get(url(discussion))
    with django_assert_max_num_queries(8) as small:
        client.get(url(discussion))
    grow(discussion, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(discussion)).status_code == 200


def test_discussion_model_status_property():
    discussion = open_discussion()
    assert discussion.is_open and discussion.status == Discussion.Status.OPEN
