"""Staff forms of the roadmaps app: the executor's one-page progress report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kpi


class ProgressReportForm(forms.Form):
    """What was done for one deadline, its date, a link to evidence and the year's KPI facts."""

    text = forms.CharField(
        label=_("Информация о проведении мероприятия"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Опишите, что сделано.")},
    )
    completed_on = forms.DateField(
        label=_("Дата исполнения"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Если мероприятие исполнено: по этой дате срок будет отмечен исполненным в срок или с нарушением."
        ),
    )
    evidence_url = forms.URLField(
        label=_("Ссылка на подтверждение"),
        required=False,
        assume_scheme="https",
        help_text=_("Публикация на сайте, протокол, отчет."),
    )

    def __init__(self, *args, kpis=(), year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi_fields = []
        for kpi in kpis:
            name = f"kpi_{kpi.pk}"
            label = _("%(kpi)s: факт за %(year)s год") % {"kpi": kpi.name, "year": year}
            if kpi.kind == Kpi.Kind.QUANTITATIVE:
                field = forms.DecimalField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_digits=14,
                    decimal_places=2,
                    help_text=kpi.unit or "",
                )
            else:
                field = forms.CharField(label=label, required=False, max_length=2000)
            self.fields[name] = field
            self.kpi_fields.append((kpi, name))

    def kpi_values(self) -> dict:
        return {kpi.pk: self.cleaned_data.get(name) for kpi, name in self.kpi_fields}
