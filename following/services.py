"""Writes: subscribing (double opt-in), confirming, unsubscribing; recording events; telling followers.

How followers are told (decided here, documented in the README):

- an event concerns its measure and the measure's roadmap, or its discussion (and the discussion's
  measure and roadmap when it has them); a roadmap's followers hear of every measure in it;
- one address following several targets an event concerns (the roadmap and one of its measures) is told
  once, under the broadest subscription (roadmap, then measure, then discussion);
- events are not mailed one by one: `deliver` runs FOLLOWING_DIGEST_DELAY_SECONDS after an event (and
  every 10 minutes from beat), and each subscription gets one mail listing everything new since its last
  mail — a coordinator accepting thirty entries in a row sends each follower one mail, not thirty;
- only subscribers confirmed before the event happened are told of it; a discussion scheduled to open
  later is told when it opens.

Each step is idempotent: a FollowEvent is unique per (kind, object, occurrence); fan-out claims the event
once and inserts one Delivery per (event, subscription), unique; a Delivery joins one Digest only (the
update that assigns it matches unassigned rows only); a Digest is sent by `send_once`, which claims it by
compare-and-set before sending and marks it sent after. A retried or duplicated task sends nothing twice.
"""

import logging
import secrets
import uuid
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openness_portal.notifications.services import FAILED_STATUS, PENDING, queue_notification, send_once
from roadmaps.models import Measure, Roadmap
from surveys import ratelimit
from surveys.models import Discussion

from . import selectors
from .models import Delivery, Digest, FollowEvent, Subscription

logger = logging.getLogger(__name__)

CONFIRM_SALT = "following.confirm"
UNSUBSCRIBE_SALT = "following.unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=7)
# (max requests, window in seconds): per IP, and per address so nobody can flood someone's mailbox.
DEFAULT_RATE_LIMITS = {
    "ip": [(5, 60), (30, 3600)],
    "email": [(3, 3600), (10, 86400)],
}
DEFAULT_DIGEST_DELAY_SECONDS = 300
MAX_DIGEST_ATTEMPTS = 8
LOST_DIGEST_AFTER = timedelta(minutes=15)
FAN_OUT_BATCH = 500
BROADEST_FIRST = ("roadmap", "measure", "discussion")


class RateLimited(Exception):
    def __init__(self, wait_seconds: int):
        super().__init__(wait_seconds)
        minutes = max(1, (wait_seconds + 59) // 60)
        self.message = _("Слишком много запросов подписки. Попробуйте через %(n)s мин.") % {"n": minutes}


class RateLimitUnavailable(Exception):
    """The counters could not be reached: the request is refused rather than left uncounted."""


def rate_limits() -> dict:
    return getattr(settings, "FOLLOW_RATE_LIMITS", DEFAULT_RATE_LIMITS)


def digest_delay() -> int:
    return int(getattr(settings, "FOLLOWING_DIGEST_DELAY_SECONDS", DEFAULT_DIGEST_DELAY_SECONDS))


def absolute(path: str) -> str:
    return f"{settings.PORTAL_URL.rstrip('/')}{path}"


# --- Tokens -----------------------------------------------------------------------------------------------


def confirmation_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk, "n": subscription.confirmation_nonce}, salt=CONFIRM_SALT)


def unsubscribe_token(subscription_id: int) -> str:
    return signing.dumps({"u": subscription_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(subscription_id: int) -> str:
    return absolute(reverse("following:unsubscribe", args=[unsubscribe_token(subscription_id)]))


def _loads(token: str, salt: str, max_age=None) -> dict | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # forged, mangled or (SignatureExpired) too old
        return None
    return data if isinstance(data, dict) else None


def subscription_for_unsubscribe(token: str) -> Subscription | None:
    data = _loads(token, UNSUBSCRIBE_SALT)
    if data is None:
        return None
    return selectors.subscriptions_with_target().filter(pk=data.get("u")).first()


def subscription_for_confirmation(token: str) -> Subscription | None:
    """The subscription the link confirms; None when the link is forged, expired or superseded."""
    data = _loads(token, CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if data is None or not data.get("n"):
        return None
    subscription = selectors.subscriptions_with_target().filter(pk=data.get("s")).first()
    if subscription is None:
        return None
    if subscription.confirmation_nonce != data["n"] and subscription.status != Subscription.Status.CONFIRMED:
        return None  # a later request sent a newer link, or the subscriber unsubscribed since
    return subscription


# --- Subscribing ------------------------------------------------------------------------------------------


def target_field(target) -> str:
    if isinstance(target, Roadmap):
        return "roadmap"
    if isinstance(target, Measure):
        return "measure"
    if isinstance(target, Discussion):
        return "discussion"
    raise TypeError(f"cannot follow {type(target).__name__}")


def _check_rate(email: str, ip: str) -> None:
    try:
        wait = ratelimit.hit({"ip": ip, "email": email}, scope="follow", limits=rate_limits())
    except ratelimit.CounterStoreUnavailable as exc:
        raise RateLimitUnavailable(str(exc)) from exc
    if wait:
        raise RateLimited(wait)


def subscribe(*, target, email: str, consent: bool, ip: str = "") -> Subscription:
    """Record a request to follow `target` and mail the confirmation link; nothing is sent before it.

    One row per (address, target): asking again re-sends the link (a confirmed subscription stays
    confirmed, an unsubscribed one waits for the new confirmation). Raises ValidationError (bad address,
    no consent, target not public), RateLimited or RateLimitUnavailable; nothing is saved then.
    """
    email = (email or "").strip().lower()
    errors = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Укажите адрес электронной почты, например ivanov@example.ru.")
    if not consent:
        errors["consent"] = _("Без согласия на обработку персональных данных подписаться нельзя.")
    if errors:
        raise ValidationError(errors)
    if not selectors.is_followable(target):
        raise ValidationError(_("Эта страница не опубликована: подписаться на нее нельзя."))
    _check_rate(email, ip)
    field = target_field(target)
    now = timezone.now()
    with transaction.atomic():
        subscription = _locked_or_created(field, target, email, now)
        subscription.confirmation_nonce = secrets.token_hex(16)
        subscription.requested_at = now
        subscription.consent_at = now
        if subscription.status == Subscription.Status.UNSUBSCRIBED:
            subscription.status = Subscription.Status.PENDING
        subscription.save(update_fields=["confirmation_nonce", "requested_at", "consent_at", "status"])
        _queue_confirmation(subscription, target)
    return subscription


def _locked_or_created(field, target, email, now) -> Subscription:
    lookup = {"email": email, field: target}
    subscription = Subscription.objects.select_for_update().filter(**lookup).first()
    if subscription is not None:
        return subscription
    try:
        with transaction.atomic():
            return Subscription.objects.create(**lookup, consent_at=now, requested_at=now)
    except IntegrityError:  # a concurrent request for the same address and target created it first
        return Subscription.objects.select_for_update().get(**lookup)


def _queue_confirmation(subscription: Subscription, target) -> None:
    from openness_portal.notifications.tasks import deliver_notification

    link = absolute(reverse("following:confirm", args=[confirmation_token(subscription)]))
    title = selectors.target_title(target)
    notification = queue_notification(
        key=f"following-confirm:{subscription.pk}:{subscription.confirmation_nonce}",
        kind="following_confirmation",
        recipient=subscription.email,
        email=subscription.email,
        subject=_("Подтвердите подписку: %(title)s") % {"title": title[:200]},
        template="following/email/confirm",
        context={
            "title": title,
            "target_url": absolute(selectors.target_url(target)),
            "confirm_days": CONFIRM_MAX_AGE.days,
            "privacy_url": absolute(reverse("privacy")),
        },
        municipality=selectors.target_municipality(target),
        link=link,
    )
    if notification is not None:
        transaction.on_commit(lambda: deliver_notification.delay(notification.pk))


def confirm(subscription: Subscription) -> Subscription:
    """Confirm (double opt-in); confirming again changes nothing, and keeps the first confirmation time."""
    now = timezone.now()
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).exclude(status=Subscription.Status.CONFIRMED).update(
            status=Subscription.Status.CONFIRMED, confirmed_at=now, unsubscribed_at=None
        )
        Subscription.objects.filter(pk=subscription.pk).update(confirmation_nonce="")
    subscription.refresh_from_db(fields=["status", "confirmed_at", "unsubscribed_at", "confirmation_nonce"])
    return subscription


def unsubscribe(subscription: Subscription) -> Subscription:
    """Stop the mail; repeating it changes nothing. A pending confirmation link stops working too."""
    Subscription.objects.filter(pk=subscription.pk).exclude(status=Subscription.Status.UNSUBSCRIBED).update(
        status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now(), confirmation_nonce=""
    )
    subscription.refresh_from_db(fields=["status", "unsubscribed_at", "confirmation_nonce"])
    return subscription


# --- Events -----------------------------------------------------------------------------------------------


def record_event(
    *,
    kind: str,
    object_key: str,
    occurrence: str,
    title: str,
    link: str,
    occurred_at,
    roadmap_id: int | None = None,
    measure_id: int | None = None,
    discussion_id: int | None = None,
    data: dict | None = None,
) -> FollowEvent | None:
    """Keep one event; None when this occurrence was recorded already. Delivery follows after commit."""
    try:
        with transaction.atomic():
            event = FollowEvent.objects.create(
                kind=kind,
                object_key=object_key[:100],
                occurrence=occurrence[:100],
                title=title[:1000],
                link=link[:500],
                occurred_at=occurred_at,
                roadmap_id=roadmap_id,
                measure_id=measure_id,
                discussion_id=discussion_id,
                data=data or {},
            )
    except IntegrityError:
        return None
    if occurred_at <= timezone.now():
        transaction.on_commit(schedule_delivery)
    return event


def schedule_delivery() -> None:
    """Run `deliver` after the digest delay; without a broker, beat's next run catches up."""
    from .tasks import deliver

    try:
        deliver.apply_async(countdown=digest_delay())
    except Exception:  # the broker is down: the event is stored, the ten-minute beat run delivers it
        logger.warning("could not queue the followers' delivery; beat will run it", exc_info=True)


def fan_out_due_events(*, now=None, limit: int = FAN_OUT_BATCH) -> int:
    """Decide who is told of each event that has happened and was not fanned out yet."""
    now = now or timezone.now()
    ids = list(
        FollowEvent.objects.filter(fanned_out_at__isnull=True, occurred_at__lte=now)
        .order_by("occurred_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(fan_out(pk, now=now) for pk in ids)


def fan_out(event_id: int, *, now=None) -> int:
    """One Delivery per subscriber told of this event; the event is claimed so this runs once."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = FollowEvent.objects.filter(pk=event_id, fanned_out_at__isnull=True).update(
            fanned_out_at=now
        )
        if not claimed:
            return 0
        event = FollowEvent.objects.get(pk=event_id)
        concerned = Q(pk__in=[])
        for field in BROADEST_FIRST:
            value = getattr(event, f"{field}_id")
            if value:
                concerned |= Q(**{f"{field}_id": value})
        rows = Subscription.objects.filter(
            concerned, status=Subscription.Status.CONFIRMED, confirmed_at__lte=event.occurred_at
        ).values_list("pk", "email", "roadmap_id", "measure_id")
        chosen: dict[str, tuple[int, int]] = {}  # email → (breadth rank, subscription id)
        for pk, email, roadmap_id, measure_id in rows.iterator(chunk_size=2000):
            rank = 0 if roadmap_id else 1 if measure_id else 2
            if email not in chosen or rank < chosen[email][0]:
                chosen[email] = (rank, pk)
        Delivery.objects.bulk_create(
            [Delivery(event_id=event_id, subscription_id=pk) for _rank, pk in chosen.values()],
            ignore_conflicts=True,
            batch_size=1000,
        )
    return len(chosen)


DIGEST_BATCH = 500


def collect_digests() -> list[int]:
    """Gather each subscription's unmailed deliveries into one Digest; returns the new digests' ids.

    A batch of subscriptions costs four queries whatever its size (10,000 followers took 272 s one by one).
    """
    subscription_ids = list(
        Delivery.objects.filter(digest__isnull=True)
        .order_by("subscription_id")
        .values_list("subscription_id", flat=True)
        .distinct()
    )
    created = []
    for start in range(0, len(subscription_ids), DIGEST_BATCH):
        batch = subscription_ids[start : start + DIGEST_BATCH]
        run_id = uuid.uuid4()
        with transaction.atomic():
            Digest.objects.bulk_create([Digest(subscription_id=pk, run_id=run_id) for pk in batch])
            own_digest = Digest.objects.filter(run_id=run_id, subscription_id=OuterRef("subscription_id"))
            Delivery.objects.filter(subscription_id__in=batch, digest__isnull=True).update(
                digest_id=Subquery(own_digest.values("pk")[:1])
            )
            # A concurrent run that took a subscription's rows first leaves our digest for it empty.
            Digest.objects.filter(run_id=run_id, deliveries__isnull=True).delete()
        created += Digest.objects.filter(run_id=run_id).order_by("pk").values_list("pk", flat=True)
    return created


def lost_digests(*, now=None) -> list[int]:
    """Digests a lost task left pending, or that failed and may be tried again."""
    now = now or timezone.now()
    before = now - LOST_DIGEST_AFTER
    return list(
        Digest.objects.filter(
            Q(status=PENDING, created_at__lt=before)
            | Q(status=FAILED_STATUS, attempts__lt=MAX_DIGEST_ATTEMPTS, claimed_at__lt=before)
        ).values_list("pk", flat=True)
    )


def send_digest(digest_id: int) -> bool:
    """Send one digest (claimed first, marked sent after); a subscriber gone since is skipped."""

    def send(digest: Digest) -> bool:
        subscription = selectors.subscriptions_with_target().get(pk=digest.subscription_id)
        if subscription.status != Subscription.Status.CONFIRMED:
            Digest.objects.filter(pk=digest.pk).update(
                status=Digest.Status.SKIPPED, error=_("подписка отменена до отправки")
            )
            return False
        events = list(
            FollowEvent.objects.filter(deliveries__digest_id=digest.pk).order_by("occurred_at", "pk")
        )
        if not events:
            Digest.objects.filter(pk=digest.pk).update(status=Digest.Status.SKIPPED, error=_("нет событий"))
            return False
        digest_message(subscription, events).send()
        return True

    retry_failed = Q(status=FAILED_STATUS, attempts__lt=MAX_DIGEST_ATTEMPTS)
    return send_once(Digest.objects.all(), digest_id, send, retry_failed=retry_failed)


def digest_message(subscription: Subscription, events: list[FollowEvent]) -> EmailMultiAlternatives:
    target = subscription.target
    title = selectors.target_title(target)
    link = unsubscribe_url(subscription.pk)
    items = [selectors.described(event) for event in events]
    if len(items) == 1:
        subject = items[0].headline
    else:
        subject = _("Новое по подписке (%(n)s): %(title)s") % {"n": len(items), "title": title}
    context = {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "title": title,
        "target_url": absolute(selectors.target_url(target)),
        "feed_url": absolute(selectors.feed_url(target)),
        "items": [{"item": item, "url": absolute(item.link)} for item in items],
        "unsubscribe_url": link,
        "email": subscription.email,
    }
    # Dates and times as the followers live them: in the municipality's zone, not the server's.
    with timezone.override(selectors.target_municipality(target).tz):
        text = render_to_string("following/email/digest.txt", context)
        html = render_to_string("following/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject[:300],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    return message


TRANSIENT = (SMTPException, OSError, ConnectionError)

# --- Forgetting addresses no longer needed (152-ФЗ: kept only as long as the purpose lasts) --------------

UNSUBSCRIBED_KEPT = timedelta(days=30)


def forget_stale_subscriptions(*, now=None) -> int:
    """Delete subscriptions never confirmed while the link was valid, and those unsubscribed a month ago
    (with their mail log). Returns how many subscriptions were deleted."""
    now = now or timezone.now()
    stale = Subscription.objects.filter(
        Q(status=Subscription.Status.PENDING, requested_at__lt=now - CONFIRM_MAX_AGE)
        | Q(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at__lt=now - UNSUBSCRIBED_KEPT)
    )
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        Subscription.objects.filter(pk__in=ids).delete()
    return len(ids)
