"""Seed 004's draft acts in the demo: 37 discussed in 2021, no remarks, each summary published on time."""

import pytest

from surveys.models import NO_COMMENTS_SUMMARY, Discussion
from surveys.selectors import draft_act_totals

pytestmark = pytest.mark.django_db


def test_krasnogvardeysky_discussed_37_draft_acts_in_2021_without_remarks(demo_data):
    from datetime import date

    from surveys.demo.loader import load

    load()
    krasnogvardeisky = demo_data["municipalities"]["krasnogvardeisky"]
    assert draft_act_totals(krasnogvardeisky, date(2021, 1, 1), date(2021, 12, 31)) == {
        "discussions": 37,
        "remarks": 0,
    }
    drafts = Discussion.objects.filter(municipality=krasnogvardeisky, kind=Discussion.Kind.DRAFT_ACT)
    for discussion in drafts.select_related("summary"):
        assert discussion.summary.text == NO_COMMENTS_SUMMARY
        # Published within the 7 working days, so the region's rating counts them as on time.
        assert discussion.summary.published_at.date() <= discussion.summary_due_date
    load()
    assert drafts.count() == 37
