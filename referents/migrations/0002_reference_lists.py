"""Load the ready lists of principles, channels and tools (seed 003) that every municipality starts from."""

from django.db import migrations


def load(apps, schema_editor):
    from referents.reference import ensure_reference_lists

    ensure_reference_lists(
        apps.get_model("referents", "Principle"),
        apps.get_model("referents", "Channel"),
        apps.get_model("referents", "Tool"),
    )


class Migration(migrations.Migration):
    dependencies = [("referents", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
