"""Every share the portal prints is rounded the same way, half up, as people round: 12,5 % reads 13 %."""

from decimal import Decimal

from openness_portal.shares import percent, whole_percent
from roadmaps.selectors import RoadmapProgress
from surveys.selectors import percent as survey_percent


def test_a_half_rounds_up_in_every_app():
    assert whole_percent(1, 8) == 13
    assert RoadmapProgress(on_time=1, late=7).on_time_share == 13  # Python's round() printed 12
    assert survey_percent(1, 8) == 13
    assert percent(1, 16, places=1) == Decimal("6.3")  # appeals on time, one decimal


def test_no_whole_means_no_share():
    assert percent(0, 0) is None and whole_percent(3, 0) is None
    assert RoadmapProgress().on_time_share is None
    assert survey_percent(0, 0) == 0  # a survey without answers prints 0 %
