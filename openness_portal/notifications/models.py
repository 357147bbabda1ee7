"""A log of every message the portal sends: one row per idempotency key, so nothing is sent twice."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает отправки")
        SENDING = "sending", _("отправляется")
        SENT = "sent", _("отправлено")
        FAILED = "failed", _("ошибка отправки")
        NO_ADDRESS = "no_address", _("нет адреса")

    key = models.CharField(
        _("ключ"),
        max_length=255,
        unique=True,
        help_text=_("Например returned:entry-12:2024-05-01T10:00 — повтор не отправляется."),
    )
    kind = models.CharField(_("вид"), max_length=50, db_index=True)
    municipality = models.ForeignKey(
        "roadmaps.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("муниципальное образование"),
    )
    recipient = models.CharField(_("получатель"), max_length=300)
    email = models.EmailField(_("e-mail"), blank=True)
    subject = models.CharField(_("тема"), max_length=300)
    body = models.TextField(_("текст"))
    html_body = models.TextField(_("HTML"), blank=True)
    link = models.CharField(_("ссылка"), max_length=500, blank=True)
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    error = models.TextField(_("ошибка"), blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("взято в отправку"), null=True, blank=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"
