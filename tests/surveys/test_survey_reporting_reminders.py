"""Annual totals for the report and the «discussion_summary» reminder source."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from openness_portal.notifications.registry import reminder_sources
from surveys import services
from surveys.models import Comment, DiscussionSummary
from surveys.reporting import annual_totals
from tests.factories import MunicipalityFactory, OfficialFactory, StaffRoleFactory
from tests.surveys.factories import CommentFactory, SurveyFactory, add_question, open_discussion

pytestmark = pytest.mark.django_db


def _totals(municipality, year):
    return {row["key"]: row["value"] for row in annual_totals(municipality, year)}


def test_annual_totals_count_the_year_in_local_time(django_assert_max_num_queries):
    m = MunicipalityFactory(time_zone="Asia/Yekaterinburg")
    d = open_discussion(m, opens_at=datetime(2021, 3, 1, tzinfo=m.tz))
    CommentFactory(discussion=d)
    CommentFactory(discussion=d, status=Comment.Status.HIDDEN)
    CommentFactory(discussion=d, is_official=True)
    open_discussion(m, opens_at=datetime(2021, 1, 1, 0, 30, tzinfo=m.tz))  # 2020 in Moscow, 2021 locally
    open_discussion(m, opens_at=datetime(2022, 1, 1, 0, 30, tzinfo=m.tz))
    survey = SurveyFactory(
        municipality=m,
        opens_at=datetime(2021, 2, 1, tzinfo=m.tz),
        closes_at=datetime(2021, 3, 1, tzinfo=m.tz),
        imported_respondents=642,
    )
    q = add_question(survey)
    from surveys.models import Response

    response = Response.objects.create(survey=survey, respondent_key="k", confirmed_at=timezone.now())
    response.answers.create(question=q, option=q.options.first())
    with django_assert_max_num_queries(5):
        totals = _totals(m, 2021)
    assert totals == {"discussions": 2, "comments": 1, "surveys": 1, "respondents": 643}
    labels = [row["label"] for row in annual_totals(m, 2021)]
    assert labels[0] == "Проведено общественных обсуждений"


def test_reminder_source_lists_unpublished_summaries_due(django_assert_max_num_queries):
    m = MunicipalityFactory()
    coordinator = StaffRoleFactory(municipality=m).user
    official = OfficialFactory(municipality=m, email="resp@example.ru")
    with_official = open_discussion(m, opens_at=timezone.now() - timedelta(days=20), responsible=official)
    without = open_discussion(m, opens_at=timezone.now() - timedelta(days=20), title="Проект постановления")
    done = open_discussion(m, opens_at=timezone.now() - timedelta(days=20), title="Третье")
    for d in (with_official, without, done):
        services.process_closed_discussion(d)
    services.publish_summary(DiscussionSummary.objects.get(discussion=done))
    with_official.refresh_from_db()
    due = with_official.summary_due_date
    source = reminder_sources()["discussion_summary"]
    with django_assert_max_num_queries(3):
        items = list(source(dates=[due], municipality_ids=None))
    assert {i.subject_key for i in items} == {
        f"discussion_summary:{with_official.pk}",
        f"discussion_summary:{without.pk}",
    }
    by_key = {i.subject_key: i for i in items}
    assert by_key[f"discussion_summary:{with_official.pk}"].recipients[0].email == "resp@example.ru"
    assert by_key[f"discussion_summary:{without.pk}"].recipients[0].email == coordinator.email
    assert list(source(dates=[due + timedelta(days=1)], municipality_ids=None)) == []
    assert list(source(dates=[due], municipality_ids=[m.pk + 1000])) == []
    assert isinstance(due, date)
