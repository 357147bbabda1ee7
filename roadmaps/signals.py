"""Domain events of roadmaps (for apps above this one), and cache upkeep: any change under a roadmap
invalidates that roadmap's pages.

The domain signals are sent by `services` once the transaction that made the change has committed
(`transaction.on_commit`), with `send_robust`: a failing receiver is logged and never undoes the change.

- `progress_accepted(entry)`: a coordinator accepted a progress entry (ProgressEntry, status accepted).
- `deadline_moved(deadline, old_date, new_date, reason, moved_at)`: a coordinator moved a due date.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from municipalities.models import Department, Official

from .cache import invalidate_roadmap
from .models import (
    Deadline,
    DeadlineRule,
    Evidence,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    MeasureExecutor,
    ProgressEntry,
    Roadmap,
    Section,
)

logger = logging.getLogger(__name__)

progress_accepted = Signal()
deadline_moved = Signal()


def send_after_commit(signal: Signal, sender, **kwargs) -> None:
    """Send a domain signal once the current transaction commits; a receiver's failure is only logged."""

    def send():
        for receiver_fn, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                logger.error(
                    "receiver %r of a %s signal failed", receiver_fn, sender.__name__, exc_info=result
                )

    transaction.on_commit(send)


# model -> how to reach the roadmap id from an instance without loading the chain
_ROADMAP_PATH = {
    Roadmap: "pk",
    Section: "roadmap_id",
    Measure: "roadmap_id",
    DeadlineRule: "measure__roadmap_id",
    Deadline: "measure__roadmap_id",
    MeasureExecutor: "measure__roadmap_id",
    ProgressEntry: "measure__roadmap_id",
    Kpi: "measure__roadmap_id",
    KpiTarget: "kpi__measure__roadmap_id",
    KpiActual: "kpi__measure__roadmap_id",
    Evidence: "progress_entry__measure__roadmap_id",
}


def _roadmap_ids(instance) -> list[int]:
    path = _ROADMAP_PATH[type(instance)]
    if "__" not in path:
        return [getattr(instance, path)]
    first, rest = path.split("__", 1)
    parent_id = getattr(instance, f"{first}_id")
    parent_model = type(instance)._meta.get_field(first).related_model
    return list(parent_model.objects.filter(pk=parent_id).values_list(rest, flat=True))


@receiver([post_save, post_delete])
def invalidate_on_change(sender, instance, **kwargs):
    if sender in _ROADMAP_PATH:
        try:
            ids = _roadmap_ids(instance)
        except Exception:  # a parent deleted in the same cascade: the roadmap's own signal covers it
            return
    elif sender in (Department, Official):
        ids = list(
            Roadmap.objects.filter(municipality_id=instance.municipality_id).values_list("pk", flat=True)
        )
    else:
        return
    for roadmap_id in ids:
        invalidate_roadmap(roadmap_id)
        transaction.on_commit(lambda rid=roadmap_id: invalidate_roadmap(rid))
