"""What the annual report prints about referent groups, experts and councils: five queries, any size."""

from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from municipalities.models import Municipality

from . import selectors
from .models import Interaction, Mailing


def period_totals(municipality: Municipality, start: date, end: date) -> list[dict]:
    """Counts for the days start..end inclusive, each {"key", "label", "value"}."""
    kinds = Interaction.Kind
    interactions = Interaction.objects.filter(municipality=municipality, date__range=(start, end)).aggregate(
        total=Count("pk"), **{kind.value: Count("pk", filter=Q(kind=kind.value)) for kind in kinds}
    )
    meetings = selectors.council_meeting_totals(municipality, start, end)
    mailings = Mailing.objects.filter(
        municipality=municipality, status=Mailing.Status.SENT, sent_at__date__range=(start, end)
    ).count()
    as_of = min(end, municipality.local_today())
    experts = selectors.experts_count(municipality, as_of=as_of)
    rows = [
        ("referents.interactions", _("Взаимодействий с референтными группами"), interactions["total"]),
    ]
    rows += [
        (f"referents.interactions.{kind.value}", _("в том числе: %s") % kind.label, interactions[kind.value])
        for kind in kinds
    ]
    rows += [
        ("referents.council_meetings", _("Проведено заседаний общественных советов"), meetings["meetings"]),
        (
            "referents.agenda_items",
            _("Рассмотрено вопросов на заседаниях общественных советов"),
            meetings["questions"],
        ),
        ("referents.experts", _("Экспертов в базе данных экспертов"), experts),
        ("referents.mailings_sent", _("Проведено адресных рассылок"), mailings),
    ]
    return [{"key": key, "label": str(label), "value": value} for key, label, value in rows]


def annual_totals(municipality: Municipality, year: int) -> list[dict]:
    return period_totals(municipality, date(year, 1, 1), date(year, 12, 31))
