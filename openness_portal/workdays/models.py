from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarException(models.Model):
    """A day whose status differs from the federal production calendar, e.g. a later regional decree."""

    municipality_path = None

    date = models.DateField(_("дата"), unique=True)
    is_working_day = models.BooleanField(
        _("рабочий день"),
        default=False,
        help_text=_("Отметьте, если день объявлен рабочим; снимите отметку, если он объявлен выходным."),
    )
    reason = models.CharField(_("основание"), max_length=255, help_text=_("Например, номер и дата акта."))
    region = models.CharField(_("регион"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("исключение календаря")
        verbose_name_plural = _("исключения календаря")

    def __str__(self) -> str:
        status = _("рабочий") if self.is_working_day else _("выходной")
        return f"{self.date:%d.%m.%Y}: {status}"
