"""What the annual report and the open-data set take from the register: two queries each, any size."""

from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities.models import Municipality
from openness_portal import shares

from .models import ON_TIME, Appeal

# Open-data set «Обращения граждан»: no column can hold personal data.
OPEN_DATA_FIELDS = [
    ("received_on", gettext_lazy("Дата поступления")),
    ("channel", gettext_lazy("Канал")),
    ("topic", gettext_lazy("Тема")),
    ("due_on", gettext_lazy("Срок ответа")),
    ("answered_on", gettext_lazy("Дата ответа")),
    ("answered_on_time", gettext_lazy("Ответ дан в срок")),
]


def period_totals(municipality: Municipality, start: date, end: date) -> list[dict]:
    """Counts for the days start..end inclusive, each {"key", "label", "value"}."""
    figures = Appeal.objects.filter(municipality=municipality, received_on__range=(start, end)).aggregate(
        total=Count("pk"),
        on_time=Count("pk", filter=ON_TIME),
        **{c.value: Count("pk", filter=Q(channel=c.value)) for c in Appeal.Channel},
    )
    rows = [("appeals.total", _("Поступило обращений граждан"), figures["total"])]
    rows += [(f"appeals.{c.value}", _("в том числе: %s") % c.label, figures[c.value]) for c in Appeal.Channel]
    rows.append(("appeals.on_time", _("Из них рассмотрено в установленный срок"), figures["on_time"]))
    share = shares.percent(figures["on_time"], figures["total"], places=1)
    rows.append(("appeals.on_time_percent", _("Доля обращений, рассмотренных в срок, %"), share))
    return [{"key": key, "label": str(label), "value": value} for key, label, value in rows]


def annual_totals(municipality: Municipality, year: int) -> list[dict]:
    return period_totals(municipality, date(year, 1, 1), date(year, 12, 31))


def open_data_rows(municipality: Municipality):
    """(field names, rows) for the open-data set: one row per appeal, dates ISO, no personal data."""
    names = [name for name, _label in OPEN_DATA_FIELDS]
    appeals = Appeal.objects.filter(municipality=municipality).order_by("received_on", "pk")

    def rows():
        for appeal in appeals.iterator(chunk_size=2000):
            on_time = appeal.answered_on_time
            yield [
                appeal.received_on.isoformat(),
                appeal.get_channel_display(),
                appeal.topic,
                appeal.due_on.isoformat(),
                appeal.answered_on.isoformat() if appeal.answered_on else "",
                "" if on_time is None else (_("да") if on_time else _("нет")),
            ]

    return names, rows()
