"""A log of every message the portal sends: one row per idempotency key, so nothing is sent twice."""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    municipality_path = "municipality"

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
        "municipalities.Municipality",
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
    # A reminder digest is stored without its text and rendered from the reminder log when it is sent
    # (notifications.digests): this says which rows. The text is then stored above, as sent.
    render_context = models.JSONField(
        _("из чего составляется текст"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Для дайджеста напоминаний: получатель и день; текст появляется при отправке."),
    )
    link = models.CharField(_("ссылка"), max_length=500, blank=True)
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    error = models.TextField(_("ошибка"), blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("взято в отправку"), null=True, blank=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    # The sweep run that created the row: after an insert that ignores conflicts, the run reads back
    # only its own rows (a concurrent run's digest under the same key is not ours to send).
    batch = models.CharField(_("запуск"), max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"

    @property
    def is_rendered_when_sent(self) -> bool:
        """A reminder digest not sent yet: its text is written from the reminder log when it goes out."""
        return self.render_context is not None and not self.body


class Reminder(models.Model):
    """One duty reaching one stage for one recipient on one local day: the unique row is the claim.

    The sweep inserts candidate rows ignoring conflicts, stamped with its run, and reads back the rows of
    its run: a row already here, or inserted by a concurrent sweep first, is not among them, so a re-run, a
    retried task or two concurrent sweeps never remind anyone twice. A row keeps the text of its item as
    the sweep wrote it (title, due date, link, details, recipient), whatever is renamed later.
    """

    municipality_path = "municipality"

    # The three keys compare byte by byte on PostgreSQL (COLLATE "C", migration 0005): a later AlterField
    # of one of them must keep that, or the claim index goes back to the slower locale comparison.
    # No index on kind: a handful of values, so it would not narrow a search, and a worst-case sweep
    # writes 200,000 rows whose every index costs time.
    kind = models.CharField(_("вид"), max_length=50)
    subject_key = models.CharField(_("обязанность"), max_length=200)
    stage = models.CharField(
        _("этап"),
        max_length=200,
        help_text=_("Например 7wd:2019-12-20 — за 7 рабочих дней до срока 20.12.2019."),
    )
    recipient_key = models.CharField(_("ключ получателя"), max_length=200)
    day = models.DateField(_("день (местное время)"))
    # No database-level foreign key: PostgreSQL checks a deferred foreign key row by row at commit (2 s of a
    # 200,000-row day), and only the sweep writes here, with ids it has just read. Django still deletes a
    # municipality's reminders with it (on_delete). Indexed with the day (Meta.indexes), not on its own.
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("муниципальное образование"),
        db_constraint=False,
        db_index=False,
    )
    recipient_name = models.CharField(_("получатель"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    due_date = models.DateField(_("срок"))
    title = models.CharField(_("что"), max_length=500, blank=True)
    link = models.CharField(_("ссылка"), max_length=500, blank=True)
    details = models.CharField(_("подробности"), max_length=500, blank=True)
    group = models.CharField(_("группа"), max_length=300, blank=True)
    run = models.CharField(_("запуск"), max_length=32, editable=False)
    # A database default: the sweep loads its rows with COPY, which fills in no Python-side value.
    created_at = models.DateTimeField(_("создано"), db_default=Now(), editable=False)

    class Meta:
        verbose_name = _("напоминание")
        verbose_name_plural = _("журнал напоминаний")
        ordering = ["-day", "recipient_key", "due_date"]
        # Day and recipient first: the same index is the claim and serves «this person's reminders of
        # that day» (the link at the end of a digest). Only the run has an index besides: a worst-case day
        # writes 200,000 rows, and every index costs time.
        constraints = [
            models.UniqueConstraint(
                fields=["day", "recipient_key", "subject_key", "stage"], name="reminder_once_per_day_stage"
            )
        ]
        # A sweep first reads what its group of municipalities already holds today (a re-run then builds and
        # inserts nothing), and reads back its run's rows through the same index: the last group of a
        # country's sweep reads no more than the first, however many rows the day has by then.
        indexes = [models.Index(fields=["municipality", "day"], name="reminder_municipality_day")]

    def __str__(self):
        return f"{self.title or self.subject_key} → {self.recipient_name or self.recipient_key} ({self.day:%d.%m.%Y})"
