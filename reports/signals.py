"""Every roadmap gets its reporting periods (half-years and years) as soon as it is saved; and the domain
event of this app, for the apps above it:

- `report_published(report)`: a report, with all its files (XLSX, PDF, DOCX), went on the public site
  (sent after commit by `services.publish_report`, once per publication of the report).
"""

from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from roadmaps.models import Roadmap

report_published = Signal()


@receiver(post_save, sender=Roadmap, dispatch_uid="reports.ensure_periods")
def create_reporting_periods(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures: the periods come with them
        return
    from .services import ensure_periods

    ensure_periods(instance, count=False)
