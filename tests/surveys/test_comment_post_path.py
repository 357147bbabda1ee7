"""The comment POST hot path: one INSERT when warm, yet staff changes and every refusal still apply at once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import services
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
