"""The press secretary is a role on the official, not a word in the post: renaming the post keeps the owner."""

import re
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from municipalities.models import Official
from openness_portal.notifications.registry import reminder_sources
from reports.services import report_owner

pytestmark = pytest.mark.django_db


def test_renaming_the_press_secretarys_post_keeps_the_report_owner(demo_data):
    roadmap = demo_data["roadmaps"]["khmr-2019"]
    press = report_owner(roadmap)
    assert press is not None and press.post == "пресс-секретарь главы района"

    Official.objects.filter(pk=press.pk).update(post="советник главы района по связям с общественностью")

    assert report_owner(roadmap) == press
    items = reminder_sources()["report_due"](
        dates=[date(2022, 3, 1)], municipality_ids=[roadmap.municipality_id]
    )
    assert items and {r.official_id for item in items for r in item.recipients} == {press.pk}


def test_an_official_whose_post_merely_mentions_the_word_is_not_the_owner(demo_data):
    roadmap = demo_data["roadmaps"]["khmr-2019"]
    press = report_owner(roadmap)
    Official.objects.create(municipality=roadmap.municipality, post="помощник пресс-секретаря")
    assert report_owner(roadmap) == press


@pytest.mark.django_db(transaction=True)
def test_migration_marks_existing_press_secretaries_whatever_the_case():
    executor = MigrationExecutor(connection)
    before = [("roadmaps", "0002_importjob")]
    after = [("roadmaps", "0003_press_secretary_and_import_checksum")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldMunicipality = old_apps.get_model("roadmaps", "Municipality")
    OldOfficial = old_apps.get_model("roadmaps", "Official")
    municipality = OldMunicipality.objects.create(
        name="Тестовый район", region="Тестовый край", slug="test-press"
    )
    press = OldOfficial.objects.create(municipality=municipality, post="Пресс-секретарь главы района")
    lawyer = OldOfficial.objects.create(municipality=municipality, post="главный юрисконсульт")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Official.objects.get(pk=press.pk).is_press_secretary is True
    assert Official.objects.get(pk=lawyer.pk).is_press_secretary is False


def test_coordinator_renames_the_post_in_the_admin_and_the_role_stays(client, demo_data):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    roadmap = demo_data["roadmaps"]["khmr-2019"]
    press = report_owner(roadmap)
    client.force_login(get_user_model().objects.get(username="coordinator-khmr"))
    url = reverse("admin:municipalities_official_change", args=[press.pk])
    form = client.get(url).content.decode()
    checkbox = re.search(r'<input[^>]*name="is_press_secretary"[^>]*>', form)
    assert checkbox and "checked" in checkbox[0]
    response = client.post(
        url,
        {
            "municipality": press.municipality_id,
            "name": "Иванова И.И.",
            "post": "советник главы района по связям с общественностью",
            "aliases": "[]",
            "email": press.email,
            "phone": press.phone,
            "user": press.user_id or "",
            "is_press_secretary": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    owner = report_owner(roadmap)
    assert owner == press and owner.post == "советник главы района по связям с общественностью"
