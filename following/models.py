"""Subscriptions to a roadmap, a measure or a discussion; the events they are told about; the mail sent.

- `Subscription`: one e-mail following one target (exactly one of roadmap, measure, discussion), with
  double opt-in: pending → confirmed (the link in the confirmation mail) → unsubscribed (one click).
- `FollowEvent`: one row per (kind, object, occurrence): what happened, kept for the Atom feeds and the
  mail; written by the receivers of the lower apps' signals (`receivers.py`).
- `Delivery`: one row per (event, subscription): the claim that this subscriber is told of this event, at
  most once, whatever retries or concurrent runs do.
- `Digest`: one mail to one subscription listing its deliveries not yet mailed; sent once by the
  notifications' send-then-mark (`send_once`).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openness_portal.notifications.models import Notification


def _exactly_one(*fields) -> Q:
    """Exactly one of the nullable foreign keys is set."""
    options = []
    for chosen in fields:
        condition = Q(**{f"{chosen}__isnull": False})
        for other in fields:
            if other != chosen:
                condition &= Q(**{f"{other}__isnull": True})
        options.append(condition)
    result = options[0]
    for option in options[1:]:
        result |= option
    return result


TARGETS = ("roadmap", "measure", "discussion")
# The municipality of a row is that of whichever target is set (municipalities/scoping.py).
TARGET_PATHS = ("roadmap__municipality", "measure__roadmap__municipality", "discussion__municipality")
SUBSCRIPTION_PATHS = tuple(f"subscription__{path}" for path in TARGET_PATHS)


class TargetMixin(models.Model):
    """Three nullable foreign keys, of which exactly one names the target (checked by the database)."""

    class Meta:
        abstract = True

    @property
    def target_kind(self) -> str:
        for name in TARGETS:
            if getattr(self, f"{name}_id"):
                return name
        return ""

    @property
    def target(self):
        kind = self.target_kind
        return getattr(self, kind) if kind else None


class Subscription(TargetMixin):
    municipality_path = TARGET_PATHS

    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает подтверждения")
        CONFIRMED = "confirmed", _("подтверждена")
        UNSUBSCRIBED = "unsubscribed", _("отписался")

    email = models.EmailField(_("e-mail"))
    roadmap = models.ForeignKey(
        "roadmaps.Roadmap",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("дорожная карта"),
    )
    measure = models.ForeignKey(
        "roadmaps.Measure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("мероприятие"),
    )
    discussion = models.ForeignKey(
        "surveys.Discussion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("обсуждение"),
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # The confirmation link is signed (django.core.signing) over the id and this nonce: a new request
    # gives a new nonce, so only the latest link confirms; confirming or unsubscribing clears it.
    confirmation_nonce = models.CharField(_("код подтверждения"), max_length=32, blank=True, editable=False)
    consent_at = models.DateTimeField(_("согласие на обработку персональных данных"))
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    requested_at = models.DateTimeField(_("последний запрос подписки"))
    confirmed_at = models.DateTimeField(_("подтверждена"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("отписался"), null=True, blank=True)

    class Meta:
        verbose_name = _("подписка")
        verbose_name_plural = _("подписки")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one(*TARGETS), name="subscription_one_target"),
            models.UniqueConstraint(
                fields=["email", "roadmap"], condition=Q(roadmap__isnull=False), name="subscription_roadmap"
            ),
            models.UniqueConstraint(
                fields=["email", "measure"], condition=Q(measure__isnull=False), name="subscription_measure"
            ),
            models.UniqueConstraint(
                fields=["email", "discussion"],
                condition=Q(discussion__isnull=False),
                name="subscription_discussion",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.target_kind}"


class FollowEvent(TargetMixin):
    """Something a follower is told about. `roadmap`, `measure` and `discussion` say whom it concerns: an
    event of a measure names its roadmap too; a discussion names its measure and roadmap when it has them."""

    municipality_path = TARGET_PATHS

    class Kind(models.TextChoices):
        PROGRESS_ACCEPTED = "progress_accepted", _("принята информация о ходе реализации")
        DEADLINE_MOVED = "deadline_moved", _("перенесен срок")
        REPORT_PUBLISHED = "report_published", _("опубликован отчет")
        DISCUSSION_OPENED = "discussion_opened", _("открыто обсуждение")
        DISCUSSION_CLOSED = "discussion_closed", _("обсуждение завершено")
        SUMMARY_PUBLISHED = "summary_published", _("опубликованы итоги обсуждения")

    kind = models.CharField(_("событие"), max_length=30, choices=Kind.choices)
    object_key = models.CharField(_("объект"), max_length=100, help_text=_("Например progress:12."))
    occurrence = models.CharField(_("случай"), max_length=100, help_text=_("Что отличает повтор события."))
    roadmap = models.ForeignKey(
        "roadmaps.Roadmap",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_events",
        verbose_name=_("дорожная карта"),
    )
    measure = models.ForeignKey(
        "roadmaps.Measure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_events",
        verbose_name=_("мероприятие"),
    )
    discussion = models.ForeignKey(
        "surveys.Discussion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_events",
        verbose_name=_("обсуждение"),
    )
    title = models.CharField(_("о чем"), max_length=1000, help_text=_("Мероприятие, отчет или обсуждение."))
    link = models.CharField(_("ссылка"), max_length=500)
    data = models.JSONField(_("подробности"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("когда"), db_index=True)
    created_at = models.DateTimeField(_("записано"), auto_now_add=True)
    fanned_out_at = models.DateTimeField(_("подписчики определены"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("событие для подписчиков")
        verbose_name_plural = _("события для подписчиков")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_key", "occurrence"], name="follow_event_once"),
        ]
        indexes = [
            models.Index(fields=["roadmap", "-occurred_at"], name="follow_event_roadmap"),
            models.Index(fields=["measure", "-occurred_at"], name="follow_event_measure"),
            models.Index(fields=["discussion", "-occurred_at"], name="follow_event_discussion"),
            models.Index(
                fields=["occurred_at"], condition=Q(fanned_out_at__isnull=True), name="follow_event_pending"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title[:80]}"


class Digest(models.Model):
    """One mail to one subscription; the statuses and claim fields are those `send_once` works with."""

    municipality_path = SUBSCRIPTION_PATHS

    class Status(models.TextChoices):
        # The first four are the values `send_once` works with (those of the notification log).
        PENDING = Notification.Status.PENDING.value, Notification.Status.PENDING.label
        SENDING = Notification.Status.SENDING.value, Notification.Status.SENDING.label
        SENT = Notification.Status.SENT.value, Notification.Status.SENT.label
        FAILED = Notification.Status.FAILED.value, Notification.Status.FAILED.label
        SKIPPED = "skipped", _("не отправлялось")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="digests", verbose_name=_("подписка")
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    error = models.TextField(_("ошибка"), blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("взято в отправку"), null=True, blank=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    # The collecting run that made it: deliveries are handed to a whole batch of digests in one update.
    run_id = models.UUIDField(null=True, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("письмо подписчику")
        verbose_name_plural = _("письма подписчикам")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.subscription.email} · {self.get_status_display()}"


class Delivery(models.Model):
    """This subscription is told of this event, once: the unique pair is the claim."""

    municipality_path = SUBSCRIPTION_PATHS

    event = models.ForeignKey(
        FollowEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("событие")
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("подписка")
    )
    digest = models.ForeignKey(
        Digest,
        on_delete=models.CASCADE,  # a deleted log row is not mailed again: fan-out runs once per event
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("письмо"),
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("доставка события")
        verbose_name_plural = _("доставка событий")
        ordering = ["event", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="follow_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["subscription"], condition=Q(digest__isnull=True), name="follow_delivery_unmailed"
            )
        ]

    def __str__(self):
        return f"{self.event_id} → {self.subscription_id}"
