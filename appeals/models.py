"""The register of citizens' appeals: when, how and about what a resident asked, and whether it was answered
on time. No personal data is kept: an office journal's names and addresses are dropped on import."""

from datetime import date, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Federal law 59-FZ, art. 12: a written appeal is answered within 30 days of its registration.
ANSWER_DAYS = 30


class AppealQuerySet(models.QuerySet):
    def answered_on_time(self):
        return self.filter(answered_on__isnull=False, answered_on__lte=F("due_on"))

    def in_year(self, year: int):
        return self.filter(received_on__year=year)


ON_TIME = Q(answered_on__isnull=False, answered_on__lte=F("due_on"))


class Appeal(models.Model):
    municipality_path = "municipality"

    class Channel(models.TextChoices):
        WRITTEN = "written", _("письменно")
        ELECTRONIC = "electronic", _("электронно")
        TRUST_LINE = "trust_line", _("телефон доверия")
        RECEPTION = "reception", _("личный прием")
        POS = "pos", _("ПОС (платформа обратной связи)")

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="appeals",
        verbose_name=_("муниципальное образование"),
    )
    received_on = models.DateField(_("дата поступления"), db_index=True)
    channel = models.CharField(_("канал"), max_length=20, choices=Channel.choices)
    topic = models.CharField(_("тема"), max_length=500, blank=True)
    due_on = models.DateField(
        _("срок ответа"), blank=True, help_text=_("Пусто — 30 дней со дня поступления.")
    )
    answered_on = models.DateField(_("дата ответа"), null=True, blank=True)
    external_number = models.CharField(_("номер в журнале"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("обращение гражданина")
        verbose_name_plural = _("обращения граждан")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["municipality", "received_on", "channel"])]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "external_number"],
                condition=~Q(external_number=""),
                name="appeal_unique_external_number",
            ),
        ]

    def __str__(self):
        number = f"№ {self.external_number} " if self.external_number else ""
        return f"{number}{self.received_on:%d.%m.%Y} · {self.get_channel_display()}"

    def save(self, *args, **kwargs):
        if self.due_on is None and self.received_on:
            self.due_on = default_due_on(self.received_on)
        super().save(*args, **kwargs)

    @property
    def answered_on_time(self) -> bool | None:
        """None while unanswered and not yet due; False once overdue or answered late."""
        if self.answered_on is not None:
            return self.answered_on <= self.due_on
        if self.due_on and self.due_on < timezone.localdate():
            return False
        return None


def default_due_on(received_on: date) -> date:
    return received_on + timedelta(days=ANSWER_DAYS)


class ServiceCentreFigures(models.Model):
    """The multifunctional centre's (МФЦ) running figures for a municipality as of a date, as its report
    gives them (seed 004: 290 services; 45,939 applied by 21 December 2021, 9,312 through remote offices)."""

    municipality_path = "municipality"

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="service_centre_figures",
        verbose_name=_("муниципальное образование"),
    )
    as_of = models.DateField(_("по состоянию на"))
    services = models.PositiveIntegerField(_("предоставляется услуг"))
    applicants = models.PositiveIntegerField(
        _("обратилось человек"), help_text=_("С начала года по дату «по состоянию на».")
    )
    remote_applicants = models.PositiveIntegerField(
        _("из них через удаленные пункты"), default=0, help_text=_("Входят в число обратившихся.")
    )
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)

    class Meta:
        verbose_name = _("показатели МФЦ")
        verbose_name_plural = _("показатели МФЦ")
        ordering = ["municipality", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "as_of"], name="service_centre_figures_unique"),
            models.CheckConstraint(
                condition=Q(remote_applicants__lte=F("applicants")),
                name="service_centre_remote_within_applicants",
                violation_error_message=_(
                    "Через удаленные пункты не может обратиться больше людей, чем обратилось всего."
                ),
            ),
        ]

    def __str__(self):
        return _("МФЦ на %(date)s") % {"date": f"{self.as_of:%d.%m.%Y}"}
