"""Moving a model's content type to its new app keeps the permissions that groups and users hold."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from openness_portal.migration_operations import _move
from tests.factories import UserFactory


class _SchemaEditor:
    connection = connection


@pytest.mark.django_db
def test_when_both_content_types_exist_the_old_one_is_kept_with_everyones_permissions():
    """An interrupted migrate: post_migrate already created the model's type under the new app."""
    old = ContentType.objects.create(app_label="oldapp", model="thing")
    new = ContentType.objects.create(app_label="newapp", model="thing")
    old_change = Permission.objects.create(content_type=old, codename="change_thing", name="Can change")
    new_change = Permission.objects.create(content_type=new, codename="change_thing", name="Can change")
    new_publish = Permission.objects.create(content_type=new, codename="publish_thing", name="Can publish")
    coordinators, editors = Group.objects.create(name="coordinators"), Group.objects.create(name="editors")
    coordinators.permissions.add(old_change)
    editors.permissions.add(new_change)
    clerk, press = UserFactory(), UserFactory()
    clerk.user_permissions.add(new_change)
    press.user_permissions.add(new_publish)

    _move(apps, _SchemaEditor(), "oldapp", "newapp", ["thing"])

    kept = ContentType.objects.get(model="thing")
    assert (kept.pk, kept.app_label) == (old.pk, "newapp")  # admin log entries point at this id
    assert not ContentType.objects.filter(pk=new.pk).exists()
    change = Permission.objects.get(content_type=kept, codename="change_thing")
    assert change.pk == old_change.pk
    assert set(change.group_set.all()) == {coordinators, editors}
    assert list(change.user_set.all()) == [clerk]
    publish = Permission.objects.get(content_type=kept, codename="publish_thing")
    assert list(publish.user_set.all()) == [press]
    assert Permission.objects.filter(codename__endswith="_thing").count() == 2


@pytest.mark.django_db
def test_a_fresh_database_has_nothing_to_move_and_moving_back_restores_the_label():
    _move(apps, _SchemaEditor(), "oldapp", "newapp", ["thing"])
    assert not ContentType.objects.filter(model="thing").exists()

    moved = ContentType.objects.create(app_label="newapp", model="thing")
    _move(apps, _SchemaEditor(), "newapp", "oldapp", ["thing"])
    moved.refresh_from_db()
    assert moved.app_label == "oldapp"
