"""factory_boy factories shared by every app's tests."""

from datetime import date

import factory
from django.contrib.auth import get_user_model

from municipalities.models import Department, Municipality, Official, StaffRole
from roadmaps.models import (
    Deadline,
    Kpi,
    KpiTarget,
    LegalAct,
    Measure,
    MeasureExecutor,
    ProgressEntry,
    Roadmap,
    Section,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.ru")
    is_staff = True
    password = factory.django.Password("test-password-123")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Муниципальный округ {n}")
    slug = factory.Sequence(lambda n: f"mo-{n}")
    region = "Ставропольский край"
    inn = factory.Sequence(lambda n: f"{2600000000 + n}")
    oktmo = factory.Sequence(lambda n: f"{7500000 + n:08d}")
    time_zone = "Europe/Moscow"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"отдел № {n}")
    email = factory.Sequence(lambda n: f"dept{n}@example.ru")


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Иванов{n} И.И.")
    post = "главный специалист"
    email = factory.Sequence(lambda n: f"official{n}@example.ru")


class LegalActFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalAct

    municipality = factory.SubFactory(MunicipalityFactory)
    number = factory.Sequence(lambda n: f"{n}-р")
    date = factory.Faker("date_between", start_date="-3y", end_date="-1y")
    title = "Об утверждении плана мероприятий"


class RoadmapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roadmap

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Дорожная карта {n}")
    # Approved just before the plan's first year: nothing is due before the approving act.
    approving_act = factory.SubFactory(
        LegalActFactory,
        municipality=factory.SelfAttribute("..municipality"),
        date=factory.LazyAttribute(lambda act: date(act.factory_parent.first_year - 1, 12, 20)),
    )
    first_year = 2019
    last_year = 2025
    status = Roadmap.Status.ACTIVE


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    roadmap = factory.SubFactory(RoadmapFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Раздел {n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    section = factory.SubFactory(SectionFactory)
    roadmap = factory.SelfAttribute("section.roadmap")
    number = factory.Sequence(lambda n: f"1.{n}")
    title = factory.Sequence(lambda n: f"Мероприятие {n}")
    order = factory.Sequence(lambda n: n)


class MeasureExecutorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureExecutor

    measure = factory.SubFactory(MeasureFactory)
    order = 0
    department = factory.SubFactory(
        DepartmentFactory, municipality=factory.SelfAttribute("..measure.roadmap.municipality")
    )


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    measure = factory.SubFactory(MeasureFactory)
    name = "реализовано проектов"
    unit = "проектов"


class KpiTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiTarget

    kpi = factory.SubFactory(KpiFactory)
    year = 2021
    value = 3


class DeadlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deadline

    measure = factory.SubFactory(MeasureFactory)
    slot = factory.Sequence(lambda n: f"manual:{n}")
    origin = Deadline.Origin.MANUAL
    due_date = factory.Faker("date_between", start_date="-1y", end_date="+1y")
    period = factory.LazyAttribute(lambda d: str(d.due_date.year) if d.due_date else "")


class ProgressEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressEntry

    measure = factory.SubFactory(MeasureFactory)
    period = "2022-H1"
    text = "Мероприятие проведено."
    status = ProgressEntry.Status.DRAFT


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    role = StaffRole.Role.COORDINATOR
    municipality = factory.SubFactory(MunicipalityFactory)
