"""Queue and deliver notifications exactly once per key."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification


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


def deliver(notification_id: int) -> bool:
    """Send one pending notification; claims it first so two workers never both send it."""
    now = timezone.now()
    # Compare-and-set: only one worker moves the row to «sending». A row left «sending» by a killed
    # worker becomes claimable again after the stale period.
    stale = now - timedelta(minutes=15)
    claimed = Notification.objects.filter(
        Q(status__in=[Notification.Status.PENDING, Notification.Status.FAILED])
        | Q(status=Notification.Status.SENDING, claimed_at__lt=stale),
        pk=notification_id,
    ).update(attempts=F("attempts") + 1, status=Notification.Status.SENDING, claimed_at=now)
    if not claimed:
        return False
    notification = Notification.objects.get(pk=notification_id)
    message = EmailMultiAlternatives(
        notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.email]
    )
    if notification.html_body:
        message.attach_alternative(notification.html_body, "text/html")
    try:
        message.send()
    except Exception as exc:
        Notification.objects.filter(pk=notification_id).update(
            status=Notification.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), error=""
    )
    return True
