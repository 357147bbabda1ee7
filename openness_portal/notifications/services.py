"""Queue and deliver notifications exactly once per key."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from .digests import render_stored_digest
from .models import Notification

# The statuses every sent-once log shares (Notification, a mailing's deliveries).
PENDING, SENDING, SENT, FAILED_STATUS = (
    Notification.Status.PENDING,
    Notification.Status.SENDING,
    Notification.Status.SENT,
    Notification.Status.FAILED,
)
FAILED = Q(status=FAILED_STATUS)


def queue_notification(
    *,
    key: str,
    kind: str,
    recipient: str,
    email: str,
    subject: str,
    template: str,
    context: dict,
    municipality=None,
    link: str = "",
) -> Notification | None:
    """Record a message under an idempotency key; returns None when that key was already queued."""
    context = {
        **context,
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_URL": settings.PORTAL_URL,
        "link": link,
    }
    body = render_to_string(f"{template}.txt", context)
    html_body = render_to_string(f"{template}.html", context)
    try:
        with transaction.atomic():
            return Notification.objects.create(
                key=key,
                kind=kind,
                recipient=recipient,
                email=email or "",
                subject=subject[:300],
                body=body,
                html_body=html_body,
                municipality=municipality,
                link=link,
                status=Notification.Status.PENDING if email else Notification.Status.NO_ADDRESS,
            )
    except IntegrityError:
        return None


STALE_CLAIM = timedelta(minutes=15)  # a «sending» row a killed worker left becomes claimable again


def send_once(
    rows: QuerySet,
    pk: int,
    send: Callable[[Model], bool | None],
    *,
    retry_failed: Q = FAILED,
    error_field: str = "error",
) -> bool:
    """Claim a logged message by compare-and-set, send it, mark it sent: two workers never both send it.

    `rows` is the log's queryset (rows with status, claimed_at, attempts, sent_at and `error_field`); a
    pending row, a failed one matching `retry_failed`, or one left «sending» past STALE_CLAIM can be
    claimed. `send(row)` returns False when it chose not to send (having marked the row itself). A failure
    marks the row failed with the error and is raised, for the caller's retry.
    """
    now = timezone.now()
    claimable = Q(status=PENDING) | retry_failed | Q(status=SENDING, claimed_at__lt=now - STALE_CLAIM)
    claimed = rows.filter(claimable, pk=pk).update(status=SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False
    row = rows.get(pk=pk)
    try:
        if send(row) is False:
            return False
    except Exception as exc:
        limit = rows.model._meta.get_field(error_field).max_length or 2000
        rows.filter(pk=pk).update(
            status=FAILED_STATUS, **{error_field: f"{type(exc).__name__}: {exc}"[:limit]}
        )
        raise
    rows.filter(pk=pk).update(status=SENT, sent_at=timezone.now(), **{error_field: ""})
    return True


def _send_notification(notification: Notification) -> None:
    if notification.is_rendered_when_sent:
        # A reminder digest: rendered now and stored before it goes out, so the log keeps the text as sent
        # (a retry after a failed send sends the same stored text).
        notification.body, notification.html_body = render_stored_digest(notification)
        Notification.objects.filter(pk=notification.pk).update(
            body=notification.body, html_body=notification.html_body
        )
    message = EmailMultiAlternatives(
        notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.email]
    )
    if notification.html_body:
        message.attach_alternative(notification.html_body, "text/html")
    message.send()


def deliver(notification_id: int) -> bool:
    """Send one pending notification; claims it first so two workers never both send it."""
    return send_once(Notification.objects.all(), notification_id, _send_notification)
