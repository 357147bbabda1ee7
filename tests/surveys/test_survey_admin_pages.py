"""Admin pages of the surveys app open for a coordinator and stay within their municipality."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import Comment, DiscussionSummary, ModerationSettings, Response
from tests.factories import MunicipalityFactory, StaffRoleFactory
from tests.surveys.factories import CommentFactory, SurveyFactory, add_question, open_discussion

pytestmark = pytest.mark.django_db


def test_coordinator_sees_own_rows_and_can_open_every_page(client):
    mine = MunicipalityFactory()
    coordinator = StaffRoleFactory(municipality=mine).user
    discussion = open_discussion(mine, opens_at=timezone.now() - timedelta(days=20))
    comment = CommentFactory(discussion=discussion, created_at=timezone.now() - timedelta(days=18))
    services.process_closed_discussion(discussion)
    summary = DiscussionSummary.objects.get(discussion=discussion)
    survey = SurveyFactory(municipality=mine)
    question = add_question(survey)
    services.submit_response(
        survey=survey,
        respondent_key="respondent-key-secret-123",
        answers={question.pk: question.options.first().pk},
    )
    ModerationSettings.objects.create(municipality=mine)
    foreign = CommentFactory(discussion=open_discussion(), text="Чужое замечание")
    client.force_login(coordinator)
    pages = [
        reverse("admin:surveys_discussion_changelist"),
        reverse("admin:surveys_discussion_change", args=[discussion.pk]),
        reverse("admin:surveys_discussion_add"),
        reverse("admin:surveys_comment_changelist"),
        reverse("admin:surveys_comment_change", args=[comment.pk]),
        reverse("admin:surveys_comment_add"),
        reverse("admin:surveys_discussionsummary_change", args=[summary.pk]),
        reverse("admin:surveys_survey_change", args=[survey.pk]),
        reverse("admin:surveys_question_change", args=[question.pk]),
        reverse("admin:surveys_response_changelist"),
        reverse("admin:surveys_moderationsettings_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    changelist = client.get(reverse("admin:surveys_comment_changelist")).content.decode()
    assert "Чужое замечание" not in changelist
    assert client.get(reverse("admin:surveys_comment_change", args=[foreign.pk])).status_code == 302
    responses = client.get(reverse("admin:surveys_response_changelist")).content.decode()
    assert Response.objects.get().respondent_key not in responses


def test_official_reply_from_admin_is_marked(client):
    municipality = MunicipalityFactory()
    coordinator = StaffRoleFactory(municipality=municipality).user
    discussion = open_discussion(municipality)
    comment = CommentFactory(discussion=discussion)
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:surveys_comment_add"),
        {"discussion": discussion.pk, "parent": comment.pk, "text": "Ответ администрации: учтем."},
    )
    assert response.status_code == 302
    reply = Comment.objects.get(parent=comment)
    assert reply.is_official and reply.status == Comment.Status.PUBLISHED


def test_admin_discussion_add_computes_the_window(client):
    municipality = MunicipalityFactory(time_zone="Asia/Yekaterinburg")
    coordinator = StaffRoleFactory(municipality=municipality).user
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:surveys_discussion_add"),
        {
            "municipality": municipality.pk,
            "kind": "draft_act",
            "title": "Проект постановления о порядке общественного обсуждения",
            "opens_at_0": "01.03.2024",
            "opens_at_1": "10:00:00",
            "length_days": 15,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from surveys.models import Discussion

    d = Discussion.objects.get()
    assert str(d.last_day) == "2024-03-16"
