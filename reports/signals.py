"""Every roadmap gets its reporting periods (half-years and years) as soon as it is saved."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from roadmaps.models import Roadmap


@receiver(post_save, sender=Roadmap, dispatch_uid="reports.ensure_periods")
def create_reporting_periods(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures: the periods come with them
        return
    from .services import ensure_periods

    ensure_periods(instance, count=False)
