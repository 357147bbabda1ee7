from django.db import migrations, models


class Migration(migrations.Migration):
    """The sweep finds a group's reminders of the day by municipality and day (what it already holds, and
    what its run inserted): that index replaces the one on the run."""

    dependencies = [
        ("notifications", "0007_merge_run_index_and_move"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="reminder", name="reminder_run"),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(fields=["municipality", "day"], name="reminder_municipality_day"),
        ),
    ]
