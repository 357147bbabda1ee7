"""The openness rating: shares, weights set by the region, ranks, history and what the page shows."""

from datetime import date
from decimal import Decimal

import pytest

from municipalities.models import Municipality
from opendata.models import Dataset
from regions import selectors, services
from regions.models import Criterion, RatingCriterion, RatingMethod
from surveys.models import Discussion, DiscussionSummary
from tests.factories import (
    DeadlineFactory,
    DepartmentFactory,
    KpiFactory,
    KpiTargetFactory,
    MeasureFactory,
    RoadmapFactory,
)

from .helpers import REGION, municipality_with, utc

pytestmark = pytest.mark.django_db
TODAY = date(2023, 1, 10)


def test_rating_is_the_weighted_share_and_equal_scores_share_a_place():
    municipality_with("Альфа", on_time=2)
    municipality_with("Бета", on_time=1, overdue=1)
    municipality_with("Гамма", on_time=1, late=1)
    municipality_with("Дельта", roadmap=False)

    rating = services.region_rating(REGION, today=TODAY)
    table = [(r.municipality["name"], r.score, r.rank, r.has_roadmap) for r in rating.rows]
    assert table == [
        ("Альфа", Decimal("100.0"), 1, True),
        ("Бета", Decimal("50.0"), 2, True),
        ("Гамма", Decimal("50.0"), 2, True),
        ("Дельта", None, None, False),  # no data at all: listed, marked, not rated
    ]
    beta = rating.rows[1].figures
    assert (beta.deadlines_on_time, beta.deadlines_due, beta.overdue) == (1, 2, 1)
    assert rating.year == 2022 and rating.years == [2022]


def test_the_regions_own_weights_change_the_order():
    municipality_with("Альфа", on_time=2, appeals_late=2)  # keeps deadlines, answers late
    municipality_with("Бета", on_time=1, overdue=1, appeals_on_time=2)
    default = services.region_rating(REGION, today=TODAY)
    # defaults: deadlines 30, appeals 20 → Альфа 60.0, Бета 70.0
    assert [(r.municipality["name"], r.score) for r in default.rows] == [
        ("Бета", Decimal("70.0")),
        ("Альфа", Decimal("60.0")),
    ]
    method = RatingMethod.objects.create(region=REGION)
    RatingCriterion.objects.create(method=method, criterion=Criterion.DEADLINES_ON_TIME, weight=90)
    RatingCriterion.objects.create(method=method, criterion=Criterion.APPEALS_ON_TIME, weight=10)
    own = services.region_rating(REGION, today=TODAY)
    assert not own.method.is_default
    assert [(r.municipality["name"], r.score) for r in own.rows] == [
        ("Альфа", Decimal("90.0")),
        ("Бета", Decimal("55.0")),
    ]


def test_other_regions_are_left_out():
    municipality_with("Альфа", on_time=1)
    municipality_with("Чужой", region="Алтайский край", on_time=1)
    rating = services.region_rating(REGION, today=TODAY)
    assert [r.municipality["name"] for r in rating.rows] == ["Альфа"]


def test_kpis_discussions_and_open_data_count_by_the_models_own_rules():
    municipality = municipality_with("Альфа")
    roadmap = RoadmapFactory(municipality=municipality, first_year=2022, last_year=2022)
    reached = KpiFactory(measure=MeasureFactory(section__roadmap=roadmap))
    missed = KpiFactory(measure=MeasureFactory(section__roadmap=roadmap))
    KpiTargetFactory(kpi=reached, year=2022, value=3)
    KpiTargetFactory(kpi=missed, year=2022, value=3)
    reached.actuals.create(period="2022-H1", value=1)
    reached.actuals.create(period="2022", value=4)  # the whole year wins over the half
    missed.actuals.create(period="2022-H1", value=2)

    def discussion(closes, summary_due, published):
        d = Discussion.objects.create(
            municipality=municipality,
            title="Проект",
            opens_at=utc(2022, 5, 1),
            last_day=closes.date(),
            closes_at=closes,
            summary_due_date=summary_due,
        )
        if published:
            DiscussionSummary.objects.create(discussion=d, text="Итоги", published_at=published)

    discussion(utc(2022, 5, 20), date(2022, 6, 1), utc(2022, 5, 30))  # on time
    discussion(utc(2022, 6, 20), date(2022, 7, 1), utc(2022, 7, 10))  # late
    discussion(utc(2022, 7, 20), date(2022, 8, 1), None)  # never

    department = DepartmentFactory(municipality=municipality)
    for code, modified in (("fresh", date(2022, 12, 1)), ("stale", date(2021, 1, 1))):
        Dataset.objects.create(
            municipality=municipality,
            code=code,
            title=code,
            description="—",
            owner=department,
            modified=modified,
        )

    figures = selectors.region_figures(REGION, today=TODAY)
    year_2022 = figures.get(municipality.pk, 2022)
    assert (year_2022.kpis_achieved, year_2022.kpis_with_target) == (1, 2)
    assert (year_2022.discussions_summarised, year_2022.discussions_held) == (1, 3)
    now = figures.get(municipality.pk, 2023)
    assert (now.datasets_fresh, now.datasets) == (1, 2)  # freshness is today's state: the current year


def test_history_has_a_score_per_year_and_the_regional_average():
    municipality_with("Альфа", on_time=1, year=2021)
    alpha = Municipality.objects.get(name="Альфа")
    measure = alpha.roadmaps.get().measures.get()
    DeadlineFactory(measure=measure, due_date=date(2022, 3, 1))  # overdue in 2022
    municipality_with("Бета", on_time=1, year=2022)

    rating = services.region_rating(REGION, year=2021, today=TODAY)
    assert rating.years == [2021, 2022]
    assert rating.year == 2021
    alpha_row = next(r for r in rating.rows if r.municipality["name"] == "Альфа")
    assert alpha_row.history == [Decimal("100.0"), Decimal("0.0")]
    assert [(h["year"], h["rated"], h["average"]) for h in rating.history] == [
        (2021, 1, Decimal("100.0")),
        (2022, 2, Decimal("50.0")),
    ]
