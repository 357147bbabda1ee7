"""`valid` meant «checked on» (the version date by default); per the recommendations v3.0 it is the date
until which the set is current. Versions left at the old default get the next due date by periodicity."""

from django.db import migrations
from django.utils import timezone


def valid_until_next_update(apps, schema_editor):
    from opendata.models import next_due

    Dataset = apps.get_model("opendata", "Dataset")
    DatasetVersion = apps.get_model("opendata", "DatasetVersion")
    periodicity = dict(Dataset.objects.values_list("pk", "periodicity"))
    versions = []
    for version in DatasetVersion.objects.all().iterator():
        due = next_due(version.date, periodicity[version.dataset_id])
        if version.valid == version.date and due is not None:
            version.valid = due
            versions.append(version)
    DatasetVersion.objects.bulk_update(versions, ["valid"], batch_size=500)
    datasets, now = [], timezone.now()
    for dataset in Dataset.objects.filter(modified__isnull=False).iterator():
        due = next_due(dataset.modified, dataset.periodicity)
        if dataset.valid == dataset.modified and due is not None:
            dataset.valid = due
            dataset.updated_at = now  # clients see a new `valid`: incremental harvests must fetch it
            datasets.append(dataset)
    Dataset.objects.bulk_update(datasets, ["valid", "updated_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("opendata", "0002_search_text_and_modified_index")]

    operations = [migrations.RunPython(valid_until_next_update, migrations.RunPython.noop)]
