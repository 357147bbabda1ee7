"""A moderator moderates and answers comments of their own municipality, and nothing else: no roadmaps, no
progress review, no reports, no roadmap internals through the API."""

import pytest
from django.urls import reverse

from municipalities.models import StaffRole
from roadmaps.models import ProgressEntry
from surveys.models import Comment
from tests.factories import MeasureFactory, MunicipalityFactory, ProgressEntryFactory, StaffRoleFactory
from tests.surveys.factories import CommentFactory, open_discussion

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderated():
    municipality = MunicipalityFactory()
    moderator = StaffRoleFactory(municipality=municipality, role=StaffRole.Role.MODERATOR).user
    discussion = open_discussion(municipality)
    mine = CommentFactory(discussion=discussion, text="Прошу продлить маршрут до села.", status="pending")
    foreign = CommentFactory(
        discussion=open_discussion(), text="Замечание соседнего округа", status="pending"
    )
    return moderator, municipality, discussion, mine, foreign


def test_a_moderator_sees_only_the_comments_of_their_municipality(client, moderated):
    moderator, _municipality, _discussion, mine, foreign = moderated
    client.force_login(moderator)
    listing = client.get(reverse("admin:surveys_comment_changelist")).content.decode()
    assert mine.text in listing and foreign.text not in listing
    assert client.get(reverse("admin:surveys_comment_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:surveys_comment_change", args=[foreign.pk])).status_code == 302


def test_a_moderator_publishes_hides_and_replies(client, moderated):
    moderator, _municipality, discussion, mine, foreign = moderated
    client.force_login(moderator)
    response = client.post(
        reverse("admin:surveys_comment_changelist"),
        {"action": "publish_selected", "_selected_action": [mine.pk]},
        follow=True,
    )
    assert "Опубликовано: 1" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == Comment.Status.PUBLISHED
    reply = client.post(
        reverse("admin:surveys_comment_add"),
        {"discussion": discussion.pk, "parent": mine.pk, "text": "Ответ администрации: маршрут продлим."},
    )
    assert reply.status_code == 302
    answer = Comment.objects.get(parent=mine)
    assert answer.is_official and answer.status == Comment.Status.PUBLISHED
    client.post(
        reverse("admin:surveys_comment_changelist"),
        {"action": "hide_selected", "_selected_action": [mine.pk], "reason": "оскорбление"},
    )
    mine.refresh_from_db()
    assert mine.status == Comment.Status.HIDDEN
    foreign.refresh_from_db()
    assert foreign.status == Comment.Status.PENDING


def test_a_moderator_sees_the_flags_of_a_comment(client, moderated):
    from surveys import services

    moderator, _municipality, _discussion, mine, _foreign = moderated
    services.publish_comment(mine, user=StaffRoleFactory(municipality=mine.discussion.municipality).user)
    services.flag_comment(mine, reason="abuse", reader_key="reader-1")
    client.force_login(moderator)
    page = client.get(reverse("admin:surveys_comment_change", args=[mine.pk])).content.decode()
    assert "жалоб" in page.lower() and "flags-TOTAL_FORMS" in page
    index = client.get(reverse("admin:index")).content.decode()
    assert "Ожидают решения модератора" in index


def test_a_moderator_cannot_open_progress_review_roadmaps_or_reports(client, moderated):
    moderator, municipality, _discussion, _mine, _foreign = moderated
    measure = MeasureFactory(roadmap__municipality=municipality)
    entry = ProgressEntryFactory(measure=measure, status=ProgressEntry.Status.SUBMITTED)
    client.force_login(moderator)
    forbidden = [
        reverse("admin:roadmaps_progressentry_review", args=[entry.pk]),
        reverse("admin:roadmaps_progressentry_changelist"),
        reverse("admin:roadmaps_progressentry_change", args=[entry.pk]),
        reverse("admin:roadmaps_roadmap_changelist"),
        reverse("admin:roadmaps_measure_change", args=[measure.pk]),
        reverse("admin:reports_report_add"),
        reverse("admin:surveys_survey_changelist"),
        reverse("admin:surveys_moderationsettings_changelist"),
    ]
    for url in forbidden:
        assert client.get(url).status_code in (403, 404), url
    accept = client.post(
        reverse("admin:roadmaps_progressentry_review", args=[entry.pk]), {"accept": "1", "reason": ""}
    )
    assert accept.status_code in (403, 404)
    entry.refresh_from_db()
    assert entry.status == ProgressEntry.Status.SUBMITTED
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/surveys/comment/" in index and "/admin/roadmaps/" not in index


def test_a_moderator_reads_no_roadmap_internals_through_the_api(client, moderated):
    moderator, municipality, _discussion, _mine, _foreign = moderated
    ProgressEntryFactory(measure=MeasureFactory(roadmap__municipality=municipality), text="Черновик отдела")
    client.force_login(moderator)
    body = client.get("/api/v1/progress-entries/").content.decode()
    assert "Черновик отдела" not in body


def test_a_moderator_cannot_see_discussions_settings_of_others_nor_edit_a_discussion(client, moderated):
    moderator, _municipality, discussion, _mine, _foreign = moderated
    client.force_login(moderator)
    assert client.get(reverse("admin:surveys_discussion_change", args=[discussion.pk])).status_code == 200
    response = client.post(
        reverse("admin:surveys_discussion_change", args=[discussion.pk]),
        {"title": "Переименовано модератором", "municipality": discussion.municipality_id},
    )
    assert response.status_code == 403
    discussion.refresh_from_db()
    assert discussion.title != "Переименовано модератором"
