"""The comment POST: a form's rules, an ORM insert, rate limits in Redis, and a clear answer when Redis is down."""

import socket
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openness_portal.cache_config import cache_config
from surveys import ratelimit, services
from surveys.forms import CommentForm
from surveys.models import Comment, ModerationSettings
from tests.surveys.factories import COMMENT_FORM, CommentFactory, open_discussion, post_comment

pytestmark = pytest.mark.django_db


def test_a_valid_post_is_stored_and_redirects_in_as_many_queries_as_the_first(
    client, django_assert_max_num_queries
):
    discussion = open_discussion()
    CommentFactory.create_batch(20, discussion=discussion, status=Comment.Status.PUBLISHED)
    with django_assert_max_num_queries(12) as first:
        assert post_comment(client, discussion, text="Первое замечание.").status_code == 302
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = post_comment(client, discussion)
    assert response.status_code == 302 and "sent=pending" in response["Location"]
    assert Comment.objects.filter(text=COMMENT_FORM["text"]).exists()


def test_duplicate_refused_whatever_the_case_and_spacing(client):
    discussion = open_discussion()
    assert post_comment(client, discussion).status_code == 302
    page = post_comment(client, discussion, text="  прошу продлить маршрут  автобуса до улицы садовой. ")
    assert page.status_code == 400 and "уже получено" in page.content.decode()
    assert Comment.objects.count() == 1


def test_duplicate_reported_together_with_other_mistakes(client):
    discussion = open_discussion()
    assert post_comment(client, discussion).status_code == 302
    page = post_comment(client, discussion, consent="").content.decode()
    assert "уже получено" in page and "152-ФЗ" in page
    assert Comment.objects.count() == 1


def test_the_same_text_posted_twice_at_once_is_stored_once():
    """Both posts passed their duplicate check before either was stored: the unique constraint decides."""
    discussion = open_discussion()
    data = {**COMMENT_FORM, "text": "Одновременно с соседом."}
    first = CommentForm(data, discussion=discussion)
    second = CommentForm(data, discussion=discussion)
    assert first.is_valid() and second.is_valid()
    services.post_comment(first, ip="10.0.0.1")
    with pytest.raises(ValidationError):
        services.post_comment(second, ip="10.0.0.2")
    assert "уже получено" in " ".join(second.errors["text"])
    assert Comment.objects.filter(discussion=discussion).count() == 1


def test_moderation_mode_change_applies_to_the_next_post(client):
    discussion = open_discussion()
    post_comment(client, discussion, text="До смены режима.")
    settings = ModerationSettings.objects.create(
        municipality=discussion.municipality, mode=ModerationSettings.Mode.POST
    )
    assert (
        "sent=published"
        in post_comment(client, discussion, text="После перехода на постмодерацию.")["Location"]
    )
    settings.mode = ModerationSettings.Mode.PRE
    settings.save()
    assert "sent=pending" in post_comment(client, discussion, text="Снова премодерация.")["Location"]
    assert list(Comment.objects.order_by("pk").values_list("status", flat=True)) == [
        Comment.Status.PENDING,
        Comment.Status.PUBLISHED,
        Comment.Status.PENDING,
    ]


def test_window_moved_by_staff_applies_to_the_next_post(client):
    discussion = open_discussion()
    post_comment(client, discussion, text="Пока окно открыто.")
    discussion.opens_at = timezone.now() - timedelta(days=30)
    services.reschedule_window(discussion)
    discussion.save()
    page = post_comment(client, discussion, text="Окно уже закрыто.")
    assert page.status_code == 403 and "Обсуждение завершено" in page.content.decode()
    assert Comment.objects.count() == 1


def test_unknown_discussion_is_404(client):
    response = client.post(reverse("surveys:discussion_detail", args=[987654]), COMMENT_FORM)
    assert response.status_code == 404


def test_csrf_is_enforced_on_the_comment_post():
    discussion = open_discussion()
    browser = Client(enforce_csrf_checks=True)
    url = reverse("surveys:discussion_detail", args=[discussion.pk])
    assert browser.post(url, COMMENT_FORM).status_code == 403
    page = browser.get(url)
    token = page.cookies["csrftoken"].value
    forged = Client(enforce_csrf_checks=True)
    forged.cookies["csrftoken"] = token
    assert forged.post(url, COMMENT_FORM).status_code == 403  # cookie without the form's token
    response = browser.post(url, {**COMMENT_FORM, "csrfmiddlewaretoken": page.context["csrf_token"]})
    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_redirect_back_to_the_discussion_with_the_same_headers_as_any_page(client):
    discussion = open_discussion()
    response = post_comment(client, discussion)
    assert response["Location"] == f"{discussion.get_absolute_url()}?sent=pending#comment-form"
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "messages" not in response.cookies  # nothing was said through the messages framework


def test_the_row_is_saved_by_the_orm_with_its_signal(client):
    discussion = open_discussion()
    saved = []

    def receiver(sender, instance, created, **kwargs):
        saved.append((instance.pk, created))

    post_save.connect(receiver, sender=Comment)
    try:
        post_comment(client, discussion, text="  Строка с пробелами\r\nи переносом.  ")
    finally:
        post_save.disconnect(receiver, sender=Comment)
    comment = Comment.objects.get()
    assert saved == [(comment.pk, True)]
    assert comment.text == "Строка с пробелами\nи переносом."
    assert comment.text_hash == services.text_digest(comment.text)
    assert comment.author_name == COMMENT_FORM["author_name"] and comment.email == COMMENT_FORM["email"]
    assert comment.status == Comment.Status.PENDING and not comment.is_official and comment.flag_count == 0
    assert comment.consent_at == comment.created_at and comment.consent_at is not None
    assert comment.parent_id is None and comment.official_id is None and comment.user_id is None


def test_posts_to_closed_or_unknown_discussions_do_not_use_up_the_rate_limit(client, settings):
    settings.COMMENT_RATE_LIMITS = {"ip": [(2, 60)], "email": [(100, 60)]}
    closed = open_discussion(opens_at=timezone.now() - timedelta(days=30))
    for _ in range(3):
        assert post_comment(client, closed).status_code == 403
    assert client.post(reverse("surveys:discussion_detail", args=[987654]), COMMENT_FORM).status_code == 404
    discussion = open_discussion()
    assert post_comment(client, discussion, text="Первое.").status_code == 302
    assert post_comment(client, discussion, text="Второе.").status_code == 302
    page = post_comment(client, discussion, text="Третье.")
    assert page.status_code == 429 and "Слишком много замечаний" in page.content.decode()
    assert "Третье." in page.content.decode()  # the text comes back in the form
    assert Comment.objects.count() == 2


def test_the_per_email_limit_counts_the_address_whatever_the_ip(settings):
    settings.COMMENT_RATE_LIMITS = {"ip": [(100, 60)], "email": [(1, 60)]}
    discussion = open_discussion()
    assert (
        Client(REMOTE_ADDR="10.0.0.1")
        .post(reverse("surveys:discussion_detail", args=[discussion.pk]), {**COMMENT_FORM, "text": "Раз."})
        .status_code
        == 302
    )
    assert (
        Client(REMOTE_ADDR="10.0.0.2")
        .post(reverse("surveys:discussion_detail", args=[discussion.pk]), {**COMMENT_FORM, "text": "Два."})
        .status_code
        == 429
    )


def test_refused_posts_still_count_and_text_is_escaped(client, settings):
    settings.COMMENT_RATE_LIMITS = {"ip": [(2, 60)], "email": [(100, 60)]}
    discussion = open_discussion()
    ModerationSettings.objects.create(municipality=discussion.municipality, mode=ModerationSettings.Mode.POST)
    assert post_comment(client, discussion, consent="").status_code == 400  # counted, as before
    assert (
        post_comment(client, discussion, text="<script>alert(1)</script> <b>Скамейки</b>").status_code == 302
    )
    assert post_comment(client, discussion, text="Третье.").status_code == 429
    page = client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;Скамейки&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page


# --- The same path on Redis, as in production (CI sets REDIS_TEST_URL) ---------------------------------------


@pytest.mark.django_db(transaction=True)
def test_on_redis_each_post_counts_once_per_limit_with_the_window_as_expiry(client, settings, redis_cache):
    from django_redis import get_redis_connection

    settings.COMMENT_RATE_LIMITS = {"ip": [(3, 60), (100, 3600)], "email": [(100, 60)]}
    discussion = open_discussion()
    assert post_comment(client, discussion, text="Первое.").status_code == 302
    assert post_comment(client, discussion).status_code == 302
    redis = get_redis_connection("default")
    keys = [redis_cache.make_key(key) for key, _limit, _window in ratelimit.counters({"ip": "127.0.0.1"})]
    assert [int(redis.get(key)) for key in keys] == [2, 2]
    assert 0 < redis.ttl(keys[0]) <= 61 and 3000 < redis.ttl(keys[1]) <= 3601
    assert post_comment(client, discussion, text="Третье.").status_code == 302
    assert post_comment(client, discussion, text="Четвертое.").status_code == 429
    assert Comment.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_on_redis_a_post_after_its_connection_was_dropped_still_goes_through(client, redis_cache):
    from django_redis import get_redis_connection

    discussion = open_discussion()
    assert post_comment(client, discussion, text="До сбоя Redis.").status_code == 302
    redis = get_redis_connection("default")
    own = redis.client_id()  # the pooled connection the posts use (one at a time here); nobody else's
    redis.client_kill_filter(_id=own, skipme=False)
    assert post_comment(client, discussion, text="После сбоя Redis.").status_code == 302
    assert Comment.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_on_redis_the_cached_discussion_is_dropped_when_staff_change_it(client, redis_cache):
    discussion = open_discussion()
    assert post_comment(client, discussion, text="Пока окно открыто.").status_code == 302
    discussion.opens_at = timezone.now() - timedelta(days=30)
    services.reschedule_window(discussion)
    discussion.save()
    assert post_comment(client, discussion, text="Окно уже закрыто.").status_code == 403
    assert Comment.objects.count() == 1


# --- A Redis that is not there ------------------------------------------------------------------------------


@pytest.fixture
def dead_redis(settings):
    """The production cache settings pointed at a port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CACHES = {"default": cache_config(f"redis://127.0.0.1:{port}/0")}
    return port


def test_with_redis_down_the_discussion_page_still_serves(client, dead_redis):
    discussion = open_discussion()
    page = client.get(reverse("surveys:discussion_detail", args=[discussion.pk]))
    assert page.status_code == 200 and discussion.title in page.content.decode()


def test_with_redis_down_a_comment_is_refused_with_a_russian_message_and_the_text_kept(client, dead_redis):
    discussion = open_discussion()
    page = post_comment(client, discussion, text="Замечание, написанное во время сбоя.")
    body = page.content.decode()
    assert page.status_code == 503 and page["Retry-After"].isdigit()
    assert "временная неисправность" in body and "ваш текст сохранён в форме" in body
    assert "Замечание, написанное во время сбоя." in body and COMMENT_FORM["email"] in body
    assert not Comment.objects.exists()


def test_with_redis_down_the_api_answers_503_in_russian(client, dead_redis):
    discussion = open_discussion()
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/comments/",
        {**COMMENT_FORM, "consent": True},
        content_type="application/json",
    )
    assert response.status_code == 503 and "временная неисправность" in response.json()["detail"]
    assert not Comment.objects.exists()


def test_with_redis_down_a_flag_is_refused_with_a_message(client, dead_redis):
    discussion = open_discussion()
    comment = CommentFactory(discussion=discussion, status=Comment.Status.PUBLISHED)
    response = client.post(
        reverse("surveys:comment_flag", args=[discussion.pk, comment.pk]), {"reason": "spam"}, follow=True
    )
    assert response.status_code == 200 and "временная неисправность" in response.content.decode()
    comment.refresh_from_db()
    assert comment.flag_count == 0
