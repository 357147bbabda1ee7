"""The measures list's executor filter: under the heading clerks know, with the coordinator's own departments only."""

from django.urls import reverse

from municipalities.models import StaffRole
from roadmaps.models import MeasureExecutor
from tests.factories import (
    DepartmentFactory,
    MeasureFactory,
    MunicipalityFactory,
    RoadmapFactory,
    SectionFactory,
    StaffRoleFactory,
    UserFactory,
)


def test_executor_filter_lists_own_departments_under_its_heading(client, db):
    own, other = MunicipalityFactory(), MunicipalityFactory()
    # Two of its own: a filter with a single choice is not shown at all.
    for municipality, name in ((own, "Отдел кадров"), (own, "Отдел архитектуры"), (other, "Чужой отдел")):
        roadmap = RoadmapFactory(municipality=municipality)
        measure = MeasureFactory(roadmap=roadmap, section=SectionFactory(roadmap=roadmap))
        department = DepartmentFactory(municipality=municipality, name=name)
        MeasureExecutor.objects.create(measure=measure, order=0, department=department)
    user = UserFactory(is_staff=True)
    StaffRoleFactory(user=user, role=StaffRole.Role.COORDINATOR, municipality=own)
    client.force_login(user)
    response = client.get(reverse("admin:roadmaps_measure_changelist"))
    filters = {
        spec.title: [c["display"] for c in spec.choices(response.context["cl"])]
        for spec in response.context["cl"].filter_specs
    }
    assert "Отдел кадров" in filters["исполнитель"]
    assert "Чужой отдел" not in filters["исполнитель"]
