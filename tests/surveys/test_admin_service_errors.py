"""Comment and discussion admin: a refusal is a message on the form; bulk moderation reports every row."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Comment, Discussion
from tests.factories import MunicipalityFactory, OfficialFactory, StaffRoleFactory, UserFactory
from tests.surveys.factories import CommentFactory, open_discussion

pytestmark = pytest.mark.django_db


def test_a_reply_to_a_closed_discussion_is_refused_on_the_form(client):
    municipality = MunicipalityFactory()
    closed = open_discussion(municipality, opens_at=timezone.now() - timedelta(days=60))
    client.force_login(StaffRoleFactory(municipality=municipality).user)
    response = client.post(
        reverse("admin:surveys_comment_add"),
        {"discussion": closed.pk, "parent": "", "text": "Ответ администрации: учтем."},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "замечания больше не принимаются" in html
    assert "Ответ администрации: учтем." in html
    assert not Comment.objects.filter(text="Ответ администрации: учтем.").exists()


def test_a_responsible_official_of_another_municipality_is_refused_on_the_form(client):
    municipality = MunicipalityFactory()
    stranger = OfficialFactory()  # works in another municipality
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        reverse("admin:surveys_discussion_add"),
        {
            "municipality": municipality.pk,
            "kind": "draft_act",
            "title": "Проект постановления о порядке общественного обсуждения",
            "opens_at_0": "01.03.2024",
            "opens_at_1": "10:00:00",
            "length_days": 15,
            "responsible": stranger.pk,
        },
    )
    assert response.status_code == 200
    assert "Должностное лицо другого муниципального образования." in response.content.decode()
    assert not Discussion.objects.exists()


def test_hiding_several_comments_without_a_reason_reports_each_and_hides_none(client):
    municipality = MunicipalityFactory()
    comments = CommentFactory.create_batch(2, discussion=open_discussion(municipality))
    client.force_login(StaffRoleFactory(municipality=municipality).user)
    response = client.post(
        reverse("admin:surveys_comment_changelist"),
        {"action": "hide_selected", "_selected_action": [c.pk for c in comments], "reason": ""},
        follow=True,
    )
    html = response.content.decode()
    assert html.count("Укажите причину, по которой замечание скрыто.") == 2
    assert "Скрыто:" not in html
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PUBLISHED}


def test_a_summary_refused_at_publication_shows_only_the_error_and_keeps_nothing(client):
    from surveys.models import DiscussionSummary

    municipality = MunicipalityFactory()
    discussion = open_discussion(municipality)  # still open: its summary cannot be published yet
    summary = DiscussionSummary.objects.create(discussion=discussion, text="")
    client.force_login(StaffRoleFactory(municipality=municipality).user)
    response = client.post(
        reverse("admin:surveys_discussionsummary_change", args=[summary.pk]),
        {
            "text": "Замечаний и предложений не поступало.",
            "publish": "on",
            "dispositions-TOTAL_FORMS": "0",
            "dispositions-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Итоги публикуются после завершения обсуждения." in html
    assert "успешно" not in html and "Итоги опубликованы." not in html
    summary.refresh_from_db()
    assert summary.text == "" and not summary.is_published
