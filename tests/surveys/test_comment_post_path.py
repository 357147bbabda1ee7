"""The comment POST hot path: one INSERT when warm, yet staff changes and every refusal still apply at once."""

import os
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import fastcache, ratelimit, services
from surveys.models import Comment, ModerationSettings
from tests.surveys.factories import open_discussion

pytestmark = pytest.mark.django_db

VALID = {
    "author_name": "Сидорова А.В.",
    "email": "sidorova@example.ru",
    "text": "Прошу установить скамейки у остановки «Школа».",
    "consent": "on",
}


def post(client, discussion, **overrides):
    return client.post(reverse("surveys:discussion_detail", args=[discussion.pk]), {**VALID, **overrides})


@pytest.mark.django_db(transaction=True)
def test_a_valid_post_is_one_insert_and_a_redirect(client):
    discussion = open_discussion()
    post(client, discussion, text="Первое замечание, кэш еще пуст.")
    with CaptureQueriesContext(connection) as queries:
        response = post(client, discussion)
    assert response.status_code == 302 and "sent=pending" in response["Location"]
    # No request transaction, no duplicate pre-check, the discussion from the cache: the INSERT commits alone.
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert Comment.objects.filter(text=VALID["text"]).exists()


@pytest.mark.django_db(transaction=True)
def test_duplicate_refused_by_the_constraint_outside_a_transaction(client):
    discussion = open_discussion()
    assert post(client, discussion).status_code == 302
    page = post(client, discussion, text="  прошу установить скамейки у остановки «школа». ")
    assert page.status_code == 400 and "уже получено" in page.content.decode()
    assert Comment.objects.count() == 1


def test_duplicate_reported_together_with_other_mistakes(client):
    discussion = open_discussion()
    assert post(client, discussion).status_code == 302
    page = post(client, discussion, consent="").content.decode()
    assert "уже получено" in page and "152-ФЗ" in page
    assert Comment.objects.count() == 1


def test_moderation_mode_change_applies_to_the_next_post(client):
    discussion = open_discussion()
    post(client, discussion, text="До смены режима.")
    settings = ModerationSettings.objects.create(
        municipality=discussion.municipality, mode=ModerationSettings.Mode.POST
    )
    assert "sent=published" in post(client, discussion, text="После перехода на постмодерацию.")["Location"]
    settings.mode = ModerationSettings.Mode.PRE
    settings.save()
    assert "sent=pending" in post(client, discussion, text="Снова премодерация.")["Location"]
    assert list(Comment.objects.order_by("pk").values_list("status", flat=True)) == [
        Comment.Status.PENDING,
        Comment.Status.PUBLISHED,
        Comment.Status.PENDING,
    ]


def test_window_moved_by_staff_applies_to_the_next_post(client):
    discussion = open_discussion()
    post(client, discussion, text="Пока окно открыто.")
    discussion.opens_at = timezone.now() - timedelta(days=30)
    services.reschedule_window(discussion)
    discussion.save()
    page = post(client, discussion, text="Окно уже закрыто.")
    assert page.status_code == 403 and "Обсуждение завершено" in page.content.decode()
    assert Comment.objects.count() == 1


def test_unknown_discussion_is_404(client):
    response = client.post(reverse("surveys:discussion_detail", args=[987654]), VALID)
    assert response.status_code == 404


# --- What the faster path must keep ------------------------------------------------------------------------


def test_csrf_is_still_enforced_on_the_comment_post():
    discussion = open_discussion()
    browser = Client(enforce_csrf_checks=True)
    url = reverse("surveys:discussion_detail", args=[discussion.pk])
    assert browser.post(url, VALID).status_code == 403
    page = browser.get(url)
    token = page.cookies["csrftoken"].value
    forged = Client(enforce_csrf_checks=True)
    forged.cookies["csrftoken"] = token
    assert forged.post(url, VALID).status_code == 403  # cookie without the form's token
    response = browser.post(url, {**VALID, "csrfmiddlewaretoken": page.context["csrf_token"]})
    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_redirect_back_to_the_discussion_with_the_same_headers_as_any_page(client):
    discussion = open_discussion()
    response = post(client, discussion)
    assert response["Location"] == f"{discussion.get_absolute_url()}?sent=pending#comment-form"
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "messages" not in response.cookies  # nothing was said through the messages framework


def test_the_row_is_what_model_save_would_store(client):
    discussion = open_discussion()
    saved = []

    def receiver(sender, instance, created, **kwargs):
        saved.append((instance.pk, created))

    post_save.connect(receiver, sender=Comment)
    try:
        post(client, discussion, text="  Строка с пробелами\r\nи переносом.  ")
    finally:
        post_save.disconnect(receiver, sender=Comment)
    comment = Comment.objects.get()
    assert saved == [(comment.pk, True)]
    assert comment.text == "Строка с пробелами\nи переносом."
    assert comment.text_hash == services.text_digest(comment.text)
    assert comment.author_name == VALID["author_name"] and comment.email == VALID["email"]
    assert comment.status == Comment.Status.PENDING and not comment.is_official and comment.flag_count == 0
    assert comment.consent_at == comment.created_at and comment.consent_at is not None
    assert comment.parent_id is None and comment.official_id is None and comment.user_id is None


def test_posts_to_closed_or_unknown_discussions_do_not_use_up_the_rate_limit(client, settings):
    settings.COMMENT_RATE_LIMITS = {"ip": [(2, 60)], "email": [(100, 60)]}
    closed = open_discussion(opens_at=timezone.now() - timedelta(days=30))
    for _ in range(3):
        assert post(client, closed).status_code == 403
    assert client.post(reverse("surveys:discussion_detail", args=[987654]), VALID).status_code == 404
    discussion = open_discussion()
    assert post(client, discussion, text="Первое.").status_code == 302
    assert post(client, discussion, text="Второе.").status_code == 302
    assert post(client, discussion, text="Третье.").status_code == 429
    assert Comment.objects.count() == 2


def test_refused_posts_still_count_and_text_is_escaped(client, settings):
    settings.COMMENT_RATE_LIMITS = {"ip": [(2, 60)], "email": [(100, 60)]}
    discussion = open_discussion()
    ModerationSettings.objects.create(municipality=discussion.municipality, mode=ModerationSettings.Mode.POST)
    assert post(client, discussion, consent="").status_code == 400  # counted, as before
    assert post(client, discussion, text="<script>alert(1)</script> <b>Скамейки</b>").status_code == 302
    assert post(client, discussion, text="Третье.").status_code == 429
    page = client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;Скамейки&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page


# --- The same path on Redis, as in production (CI sets REDIS_TEST_URL) ---------------------------------------


@pytest.fixture
def redis_cache(settings):
    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.skip("REDIS_TEST_URL is not set (CI sets it): no Redis to test the production cache path on")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-comment-path-{os.getpid()}",
        }
    }
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_on_redis_one_round_trip_reads_the_discussion_and_counts(client, settings, redis_cache):
    settings.COMMENT_RATE_LIMITS = {"ip": [(3, 60), (100, 3600)], "email": [(100, 60)]}
    discussion = open_discussion()
    assert post(client, discussion, text="Прогрев кэша.").status_code == 302
    client_ = fastcache.redis_client(redis_cache)
    calls = []
    send = fastcache.execute

    def recording(cache, *args):
        calls.append(args[0])
        return send(cache, *args)

    with (
        mock.patch.object(fastcache, "execute", recording),
        mock.patch.object(type(client_), "execute_command", side_effect=AssertionError("redis-py used")),
        CaptureQueriesContext(connection) as queries,
    ):
        response = post(client, discussion)
    assert response.status_code == 302
    assert calls == ["EVALSHA"] and [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    attempt = ratelimit.Attempt({"ip": "127.0.0.1"})
    keys = [redis_cache.make_key(key) for key, _limit, _window in attempt.counters]
    assert [int(client_.get(key)) for key in keys] == [2, 2]
    assert 0 < client_.ttl(keys[0]) <= 61 and 3000 < client_.ttl(keys[1]) <= 3601
    assert post(client, discussion, text="Третье.").status_code == 302
    assert post(client, discussion, text="Четвертое.").status_code == 429
    assert Comment.objects.count() == 3


def _flush_scripts(cache):
    fastcache.redis_client(cache).script_flush()


def _drop_the_post_paths_connection(cache):
    own = fastcache.execute(cache, "CLIENT", "ID")  # the connection the POST path uses, nobody else's
    fastcache.redis_client(cache).client_kill_filter(_id=own)


@pytest.mark.parametrize(
    "redis_forgets",
    [_flush_scripts, _drop_the_post_paths_connection],
    ids=["script-flushed-so-loaded-again", "connection-dropped-so-replaced"],
)
@pytest.mark.django_db(transaction=True)
def test_on_redis_a_post_after_redis_lost_its_state_still_goes_through(client, redis_cache, redis_forgets):
    discussion = open_discussion()
    assert post(client, discussion, text="До сбоя Redis.").status_code == 302
    redis_forgets(redis_cache)
    assert post(client, discussion, text="После сбоя Redis.").status_code == 302
    assert Comment.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_on_redis_closed_and_unknown_discussions_give_the_attempt_back(client, settings, redis_cache):
    settings.COMMENT_RATE_LIMITS = {"ip": [(100, 60)], "email": [(100, 60)]}
    closed = open_discussion(opens_at=timezone.now() - timedelta(days=30))
    assert post(client, closed).status_code == 403
    assert post(client, closed).status_code == 403  # the second one read the discussion from the cache
    assert client.post(reverse("surveys:discussion_detail", args=[987654]), VALID).status_code == 404
    client_ = fastcache.redis_client(redis_cache)
    for key, _limit, _window in ratelimit.Attempt({"ip": "127.0.0.1", "email": VALID["email"]}).counters:
        key = redis_cache.make_key(key)
        assert int(client_.get(key)) == 0 and client_.ttl(key) > 0


@pytest.mark.django_db(transaction=True)
def test_on_redis_the_cached_discussion_is_dropped_when_staff_change_it(client, redis_cache):
    discussion = open_discussion()
    assert post(client, discussion, text="Пока окно открыто.").status_code == 302
    discussion.opens_at = timezone.now() - timedelta(days=30)
    services.reschedule_window(discussion)
    discussion.save()
    assert post(client, discussion, text="Окно уже закрыто.").status_code == 403


def test_hand_packed_command_is_byte_for_byte_what_redis_py_sends():
    """fastcache speaks RESP itself on the POST path; the bytes must be redis-py's own for the same command."""
    from redis.connection import Connection

    command = ("EVALSHA", ratelimit.COUNT_SCRIPT_SHA, 3, ":1:surveys:ключ", ":1:rl:comment:ip", 61, "3601")
    assert fastcache._pack(command) == b"".join(Connection().pack_command(*command))
