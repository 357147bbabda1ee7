from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "openness_portal.workdays"
    label = "workdays"
    verbose_name = _("Производственный календарь")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .calendar import _invalidate_on_change
        from .models import CalendarException

        post_save.connect(_invalidate_on_change, sender=CalendarException, dispatch_uid="workdays-save")
        post_delete.connect(_invalidate_on_change, sender=CalendarException, dispatch_uid="workdays-delete")
