"""Moving Municipality, Department, Official and StaffRole (and ImportJob) out of roadmaps keeps a live database's rows, the
foreign keys to them, and the permissions groups were given (their content types move with the models)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from importing.models import ImportJob
from municipalities.models import Department, Municipality, Official, StaffRole
from roadmaps.models import Roadmap
from tests.migrations import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_ROADMAPS = ("roadmaps", "0004_evidence_unguessable_path")


@pytest.fixture
def database_before_the_move():
    """The database as it was with the models in roadmaps: a municipality with a roadmap, an executor's
    department and official, a coordinator, and a group allowed to change municipalities."""
    executor = migrate([("municipalities", None)])
    old = executor.loader.project_state(
        [BEFORE_ROADMAPS, ("auth", "0012_alter_user_first_name_max_length")]
    ).apps
    try:
        municipality = old.get_model("roadmaps", "Municipality").objects.create(
            name="Левокумский муниципальный округ",
            region="Ставропольский край",
            slug="levokumsky",
            inn="2613000000",
        )
        department = old.get_model("roadmaps", "Department").objects.create(
            municipality=municipality, name="отдел информационных технологий"
        )
        official = old.get_model("roadmaps", "Official").objects.create(
            municipality=municipality, department=department, name="Бегишева Н.А.", post="управляющий делами"
        )
        user = old.get_model("auth", "User").objects.create(username="coordinator-levokumsky", is_staff=True)
        old.get_model("roadmaps", "StaffRole").objects.create(
            user=user, role="coordinator", municipality=municipality
        )
        roadmap = old.get_model("roadmaps", "Roadmap").objects.create(
            municipality=municipality, title="План мероприятий по открытости", first_year=2021, last_year=2024
        )
        old_type, _ = old.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="roadmaps", model="municipality"
        )
        permission, _ = old.get_model("auth", "Permission").objects.get_or_create(
            content_type=old_type,
            codename="change_municipality",
            defaults={"name": "Can change municipality"},
        )
        import_type, _ = old.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="roadmaps", model="importjob"
        )
        group = old.get_model("auth", "Group").objects.create(name="Координаторы района")
        group.permissions.add(permission)
        user.groups.add(group)
        yield {
            "municipality": municipality.pk,
            "department": department.pk,
            "official": official.pk,
            "roadmap": roadmap.pk,
            "user": user.pk,
            "content_type": old_type.pk,
            "import_type": import_type.pk,
            "permission": permission.pk,
        }
    finally:
        migrate(latest())
        ContentType.objects.clear_cache()


def test_rows_foreign_keys_and_permissions_survive_the_move(database_before_the_move):
    before = database_before_the_move
    migrate(latest())
    ContentType.objects.clear_cache()

    municipality = Municipality.objects.get(pk=before["municipality"])
    assert municipality.name == "Левокумский муниципальный округ" and municipality.inn == "2613000000"
    roadmap = Roadmap.objects.select_related("municipality").get(pk=before["roadmap"])
    assert roadmap.municipality == municipality
    official = Official.objects.select_related("department").get(pk=before["official"])
    assert official.department == Department.objects.get(pk=before["department"])
    assert official.municipality_id == municipality.pk
    role = StaffRole.objects.get(user_id=before["user"])
    assert role.role == StaffRole.Role.COORDINATOR and role.municipality == municipality
    assert list(municipality.roadmaps.values_list("pk", flat=True)) == [before["roadmap"]]

    # The content type row itself moved: permissions, groups and admin log entries keep pointing to it.
    moved = ContentType.objects.get_for_model(Municipality)
    assert (moved.pk, moved.app_label) == (before["content_type"], "municipalities")
    assert not ContentType.objects.filter(
        app_label="roadmaps", model__in=["municipality", "official"]
    ).exists()
    assert ContentType.objects.get_for_model(ImportJob).pk == before["import_type"]
    group = Group.objects.get(name="Координаторы района")
    assert list(group.permissions.values_list("pk", flat=True)) == [before["permission"]]
    user = role.user
    assert user.has_perm("municipalities.change_municipality")
    assert not user.has_perm("roadmaps.change_municipality")
    assert Permission.objects.get(pk=before["permission"]).content_type == moved


def test_migrating_back_returns_the_content_types_to_roadmaps(database_before_the_move):
    before = database_before_the_move
    migrate(latest())
    migrate([("municipalities", None)])

    type_row = ContentType.objects.get(pk=before["content_type"])
    assert (type_row.app_label, type_row.model) == ("roadmaps", "municipality")
    with connection.cursor() as cursor:
        cursor.execute("SELECT municipality_id FROM roadmaps_roadmap WHERE id = %s", [before["roadmap"]])
        assert cursor.fetchone() == (before["municipality"],)
