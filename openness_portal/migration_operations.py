"""Operations for migrations that move a model from one app to another with its table."""

from django.db import migrations


def _move(apps, schema_editor, source: str, target: str, models: list[str]) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for model in models:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.using(db).filter(app_label=target, model=model).first()
        if new is not None:
            # Both exist (post_migrate ran in between): keep the old row, whose id groups and logs point to.
            for permission in Permission.objects.using(db).filter(content_type=new):
                kept = (
                    Permission.objects.using(db)
                    .filter(content_type=old, codename=permission.codename)
                    .first()
                )
                if kept is not None:
                    kept.group_set.add(*permission.group_set.all())
                    kept.user_set.add(*permission.user_set.all())
                    permission.delete()
                else:
                    permission.content_type = old
                    permission.save(update_fields=["content_type"])
            new.delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def move_content_types(source: str, target: str, models: list[str]) -> migrations.RunPython:
    """Content types of moved models follow them from `source` to `target` (and back when unapplied), so the
    permissions groups and users hold, and the admin log entries, keep pointing to the same rows.

    On a fresh database there are none yet: post_migrate creates them under the new app afterwards."""

    def forwards(apps, schema_editor):
        _move(apps, schema_editor, source, target, models)

    def backwards(apps, schema_editor):
        _move(apps, schema_editor, target, source, models)

    return migrations.RunPython(forwards, backwards)
