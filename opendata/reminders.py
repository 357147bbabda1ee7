"""Reminder source: data sets whose next update (last version date + periodicity) falls due."""

from collections.abc import Collection
from datetime import date

from django.urls import reverse

from openness_portal.notifications.registry import DueItem, Recipient, reminder_source

from .models import Dataset


def _recipients(dataset: Dataset) -> tuple[Recipient, ...]:
    official = dataset.responsible_official
    if official is not None:
        return (
            Recipient(
                name=official.name or official.post,
                email=official.email or dataset.responsible_email,
                official_id=official.pk,
            ),
        )
    if dataset.responsible_name or dataset.responsible_email:
        return (
            Recipient(
                name=dataset.responsible_name or dataset.responsible_email, email=dataset.responsible_email
            ),
        )
    owner = dataset.owner
    return (Recipient(name=owner.name, email=owner.email, department_id=owner.pk),)


@reminder_source("opendata_stale")
def stale_datasets(*, dates: Collection[date], municipality_ids: Collection[int] | None = None):
    """Published sets due for their periodic update on one of `dates` (one query)."""
    qs = Dataset.objects.filter(is_published=True, next_update_due__in=list(dates)).select_related(
        "responsible_official", "owner"
    )
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=list(municipality_ids))
    for dataset in qs.order_by("next_update_due", "pk"):
        yield DueItem(
            kind="opendata_stale",
            subject_key=f"dataset:{dataset.pk}:{dataset.modified.isoformat()}",
            due_date=dataset.next_update_due,
            title=f"Актуализировать набор открытых данных {dataset.identifier} «{dataset.title}» — "
            f"до {dataset.next_update_due:%d.%m.%Y}",
            link=reverse("admin:opendata_dataset_publish", args=[dataset.pk]),
            municipality_id=dataset.municipality_id,
            recipients=_recipients(dataset),
            details=f"Периодичность: {dataset.get_periodicity_display()}; последняя версия от "
            f"{dataset.modified:%d.%m.%Y}.",
        )
