"""Builders for reminder tests: a municipality with a coordinator, and deadlines with chosen executors."""

from datetime import date

from municipalities.models import StaffRole
from roadmaps.models import Deadline, MeasureExecutor
from tests.factories import (
    DeadlineFactory,
    DepartmentFactory,
    MeasureFactory,
    OfficialFactory,
    RoadmapFactory,
    SectionFactory,
    StaffRoleFactory,
    UserFactory,
)


def municipality_with_coordinator(**municipality_fields):
    roadmap = RoadmapFactory(**({"municipality__" + k: v for k, v in municipality_fields.items()}))
    section = SectionFactory(roadmap=roadmap)
    coordinator = UserFactory(email=f"coordinator-{roadmap.municipality.slug}@example.ru")
    StaffRoleFactory(user=coordinator, role=StaffRole.Role.COORDINATOR, municipality=roadmap.municipality)
    return section, coordinator


def deadline_for(section, due: date, *, department=None, official=None, text="", number=None) -> Deadline:
    """An open deadline of a new measure whose one executor is the given department, official or text."""
    measure = MeasureFactory(
        section=section, roadmap=section.roadmap, **({"number": number} if number else {})
    )
    MeasureExecutor.objects.create(
        measure=measure, order=0, department=department, official=official, text=text or ""
    )
    return DeadlineFactory(measure=measure, due_date=due)


__all__ = [
    "DepartmentFactory",
    "OfficialFactory",
    "deadline_for",
    "municipality_with_coordinator",
]
