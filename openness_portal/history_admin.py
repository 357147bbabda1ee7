"""The change history pages (django-simple-history) in Russian, with values as people read them.

simple-history's own catalogue lacks «View history: %s» (the title every history page has, since reverting
is disabled) and «Changes», and its table printed raw values: «None», «True», «2024-03-01», choice codes.
Templates in templates/simple_history/ carry the table's texts; this admin gives the title and the values.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

EMPTY = "—"


def readable_value(field, value):
    """A stored value as the form shows it: a choice's label, «да»/«нет», a local date, «—» for nothing."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if getattr(field, "flatchoices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, datetime):
        return date_format(
            timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT"
        )
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return value


class PortalHistoryContextHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        return readable_value(self.model._meta.get_field(change.field), value)


class PortalHistoryAdmin(SimpleHistoryAdmin):
    def get_historical_record_context_helper(self, request, historical_record):
        return PortalHistoryContextHelper(self.model, historical_record)

    def history_view_title(self, request, obj):
        return _("История изменений: %s") % obj
