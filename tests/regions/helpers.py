"""Municipalities of a region with a known record, for rating tests."""

from datetime import UTC, date, datetime, timedelta

from appeals.models import Appeal
from tests.factories import DeadlineFactory, MeasureFactory, MunicipalityFactory, RoadmapFactory

REGION = "Ставропольский край"


def municipality_with(
    name,
    *,
    region=REGION,
    on_time=0,
    late=0,
    overdue=0,
    appeals_on_time=0,
    appeals_late=0,
    year=2022,
    roadmap=True,
):
    """A municipality whose deadlines and appeals of `year` came out as given."""
    municipality = MunicipalityFactory(name=name, region=region)
    if roadmap:
        measure = MeasureFactory(
            section__roadmap=RoadmapFactory(municipality=municipality, first_year=year, last_year=year)
        )
        due = date(year, 6, 30)
        for _ in range(on_time):
            DeadlineFactory(measure=measure, due_date=due, completed_on=due - timedelta(days=3))
        for _ in range(late):
            DeadlineFactory(measure=measure, due_date=due, completed_on=due + timedelta(days=3))
        for _ in range(overdue):
            DeadlineFactory(measure=measure, due_date=due)
    appeals = [
        Appeal(
            municipality=municipality,
            received_on=date(year, 3, 1),
            channel=Appeal.Channel.WRITTEN,
            due_on=date(year, 3, 31),
            answered_on=date(year, 3, 10) if i < appeals_on_time else date(year, 4, 15),
        )
        for i in range(appeals_on_time + appeals_late)
    ]
    Appeal.objects.bulk_create(appeals)
    return municipality


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
