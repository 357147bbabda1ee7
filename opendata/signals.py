"""Keep `Dataset.updated_at` (CKAN's metadata_modified, DCAT's modified_since) honest: a passport shows the
responsible official's contacts, the owner department's name and the municipality's names, so a change of
any of these is a change of the set for harvesters, which fetch only what changed since their last run."""

from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from municipalities.models import Department, Municipality, Official

from .models import Dataset

VISIBLE_FIELDS = {
    Municipality: ("name", "full_name", "slug"),
    Department: ("name", "email"),
    Official: ("name", "post", "email", "phone"),
}
DATASET_LOOKUP = {Municipality: "municipality", Department: "owner", Official: "responsible_official"}


def remember_visible_change(sender, instance, raw=False, **kwargs):
    instance._opendata_visible_change = False
    if raw or instance.pk is None:
        return
    fields = VISIBLE_FIELDS[sender]
    old = sender.objects.filter(pk=instance.pk).values(*fields).first()
    instance._opendata_visible_change = old is not None and any(
        old[name] != getattr(instance, name) for name in fields
    )


def touch_datasets(sender, instance, created=False, raw=False, **kwargs):
    if raw or created or not getattr(instance, "_opendata_visible_change", False):
        return
    datasets = Dataset.objects.filter(**{DATASET_LOOKUP[sender]: instance})
    now = timezone.now()
    if sender is Department:  # the owner's name is searchable: the stored search text changes with it
        changed = list(datasets.select_related("owner"))
        for dataset in changed:
            dataset.owner = instance
            dataset.search_text = dataset.build_search_text()
            dataset.updated_at = now
        Dataset.objects.bulk_update(changed, ["search_text", "updated_at"], batch_size=500)
    else:
        datasets.update(updated_at=now)


def connect():
    for model in VISIBLE_FIELDS:
        pre_save.connect(
            remember_visible_change, sender=model, dispatch_uid=f"opendata-visible-{model.__name__}"
        )
        post_save.connect(touch_datasets, sender=model, dispatch_uid=f"opendata-touch-{model.__name__}")
