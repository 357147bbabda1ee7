"""Factories and helpers for the following tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from following.models import Subscription
from roadmaps.models import ProgressEntry
from roadmaps.services import accept_progress
from tests.factories import (
    MeasureFactory,
    ProgressEntryFactory,
    RoadmapFactory,
    SectionFactory,
    StaffRoleFactory,
    UserFactory,
)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A confirmed subscription, confirmed yesterday (so it hears of what happens from now on)."""

    class Meta:
        model = Subscription

    email = factory.Sequence(lambda n: f"follower{n}@example.ru")
    status = Subscription.Status.CONFIRMED
    consent_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    requested_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    confirmed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


def roadmap_world():
    """A public roadmap with two measures and its coordinator."""
    roadmap = RoadmapFactory(first_year=2022, last_year=2023, title="План открытости на 2022–2023 годы")
    section = SectionFactory(roadmap=roadmap)
    measure = MeasureFactory(section=section, roadmap=roadmap, number="2.4", title="Анализ обращений граждан")
    other = MeasureFactory(section=section, roadmap=roadmap, number="2.5", title="Опрос жителей")
    coordinator = StaffRoleFactory(user=UserFactory(), municipality=roadmap.municipality).user
    return {"roadmap": roadmap, "measure": measure, "other": other, "coordinator": coordinator}


def accept(measure, coordinator, text="Подготовлен аналитический отчет об обращениях граждан."):
    entry = ProgressEntryFactory(measure=measure, status=ProgressEntry.Status.SUBMITTED, text=text)
    return accept_progress(entry, user=coordinator)
