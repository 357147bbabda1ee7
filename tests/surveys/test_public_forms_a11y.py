"""A refused comment tells the citizen what to fix, next to the field and in a summary read out first."""

import re

import pytest
from django.urls import reverse

from tests.surveys.factories import open_discussion

pytestmark = pytest.mark.django_db


def _post(client, discussion, **data):
    return client.post(reverse("surveys:discussion_detail", args=[discussion.pk]), data)


def test_errors_are_tied_to_their_fields_and_listed_in_a_summary(client):
    discussion = open_discussion()
    response = _post(client, discussion, author_name="Иван", text="", consent="")
    page = response.content.decode()
    assert response.status_code == 400  # the page comes back with the form and what to fix
    assert 'id="error-summary" role="alert" tabindex="-1"' in page
    text_field = re.search(r"<textarea[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in text_field and "id_text_errors" in text_field
    consent = re.search(r'<input type="checkbox" name="consent"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in consent and 'aria-describedby="id_consent_errors"' in consent
    assert 'id="id_text_errors"' in page and 'id="id_consent_errors"' in page


def test_no_list_sits_inside_a_paragraph_and_the_policy_is_one_click_away(client):
    discussion = open_discussion()
    page = _post(client, discussion, text="").content.decode()
    form = page[page.index("<form") : page.index("</form>")]
    assert not re.search(r"<p[^>]*>(?:(?!</p>).)*<ul", form, re.S)
    assert reverse("privacy") in form
    policy = client.get(reverse("privacy"))
    assert policy.status_code == 200 and "152-ФЗ" in policy.content.decode()


def test_the_text_box_announces_its_limit_and_the_counter(client):
    discussion = open_discussion()
    page = client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    text_field = re.search(r"<textarea[^>]*>", page).group(0)
    assert "data-maxlength=" in text_field and "id_text_counter" in text_field
    assert 'id="id_text_counter"' in page and 'aria-live="polite"' in page


def test_comment_times_are_printed_in_the_municipalitys_time(client):
    from datetime import UTC, datetime

    from surveys.models import Comment

    discussion = open_discussion()
    discussion.municipality.time_zone = "Asia/Yekaterinburg"  # UTC+5; the server's zone is Moscow, UTC+3
    discussion.municipality.save()
    comment = Comment.objects.create(
        discussion=discussion,
        author_name="Житель",
        text="Прошу добавить сроки.",
        consent_at=datetime(2026, 12, 1, 7, 30, tzinfo=UTC),
        status=Comment.Status.PUBLISHED,
    )
    Comment.objects.filter(pk=comment.pk).update(created_at=datetime(2026, 12, 1, 7, 30, tzinfo=UTC))
    page = client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    assert "01.12.2026 12:30" in page
    assert "01.12.2026 10:30" not in page


def test_the_privacy_page_states_the_configured_retention(client, settings):
    settings.RETENTION_NOTIFICATION_DAYS = 21
    assert "удаляются автоматически через 21 день." in client.get(reverse("privacy")).content.decode()
    settings.RETENTION_NOTIFICATION_DAYS = 0  # 0 keeps them: the page must not promise deletion
    page = client.get(reverse("privacy")).content.decode()
    assert "удаляются автоматически" not in page and "не ограничен" in page
