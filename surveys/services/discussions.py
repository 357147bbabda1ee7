"""Writes for discussions: windows, comments, moderation, close-time work and summaries."""

import hashlib
import logging
import re
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities import access
from openness_portal.workdays.calendar import add_working_days
from roadmaps.signals import send_after_commit

from .. import ratelimit
from ..models import (
    DEFAULT_DISCUSSION_DAYS,
    NO_COMMENTS_SUMMARY,
    SUMMARY_WORKING_DAYS,
    Comment,
    CommentDisposition,
    CommentFlag,
    CommentModeration,
    Discussion,
    DiscussionSummary,
    ModerationSettings,
    local_day_end,
)
from ..selectors import forget_discussions
from ..signals import discussion_closed, discussion_opened, summary_published

logger = logging.getLogger(__name__)


class DiscussionClosed(Exception):
    """Posting outside the window: 403 in the API, a message on the page."""


class RateLimited(Exception):
    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait

    @property
    def message(self) -> str:
        """The one refusal the page, the admin and the API show: how long to wait."""
        return _("Слишком много замечаний подряд. Попробуйте снова через %(n)s с.") % {"n": self.wait}


class SpamDetected(Exception):
    """The honeypot was filled: nothing is stored and the bot learns nothing useful."""


# The counter store (Redis) is down: refuse the comment rather than accept it without a limit.
RateLimitUnavailable = ratelimit.CounterStoreUnavailable
# What a form that shows the refused text again (the page, the admin reply) says when the counters are down.
COUNTERS_DOWN_ON_FORM = gettext_lazy(
    "Сейчас нельзя отправить замечание: временная неисправность. Попробуйте через несколько "
    "минут; ваш текст сохранён в форме."
)


# --- Windows ---------------------------------------------------------------------------------------------


def window_for(
    municipality, opens_at: datetime, length_days: int, working_days: bool
) -> tuple[date, datetime]:
    """Last day and closing instant of a window opened at `opens_at`.

    A period in days starts the day after the event (ГК РФ, ст. 191), and ends at the end of its last day
    in the municipality's own time zone (ст. 192/194).
    """
    if length_days < 1:
        raise ValidationError({"length_days": _("Длительность обсуждения — не меньше одного дня.")})
    tz = municipality.tz
    start_day = opens_at.astimezone(tz).date()
    last_day = (
        add_working_days(start_day, length_days) if working_days else start_day + timedelta(days=length_days)
    )
    return last_day, local_day_end(last_day, tz)


@transaction.atomic
def open_discussion(
    *,
    municipality,
    title,
    description="",
    subject=None,
    document_url="",
    document_file=None,
    responsible=None,
    opens_at=None,
    length_days=None,
    working_days=None,
    measure=None,
    kind=None,
) -> Discussion:
    """Open (or schedule) a discussion window; closes at the end of its last local day."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Укажите, что выносится на обсуждение.")})
    if responsible is not None and responsible.municipality_id != municipality.pk:
        raise ValidationError({"responsible": _("Должностное лицо другого муниципального образования.")})
    if measure is not None and measure.roadmap.municipality_id != municipality.pk:
        raise ValidationError({"measure": _("Мероприятие другого муниципального образования.")})
    opens_at = opens_at or timezone.now()
    length_days = length_days or DEFAULT_DISCUSSION_DAYS
    working_days = bool(working_days)
    last_day, closes_at = window_for(municipality, opens_at, length_days, working_days)
    discussion = Discussion(
        municipality=municipality,
        title=title[:1000],
        description=description or "",
        document_url=document_url or "",
        responsible=responsible,
        measure=measure,
        opens_at=opens_at,
        length_days=length_days,
        working_days=working_days,
        last_day=last_day,
        closes_at=closes_at,
        kind=kind or _guess_kind(subject),
    )
    if subject is not None:
        discussion.subject_type = ContentType.objects.get_for_model(subject)
        discussion.subject_id = subject.pk
    if document_file is not None:
        discussion.document_file = document_file
    discussion.save()
    announce_discussion(discussion)
    return discussion


def announce_discussion(discussion: Discussion) -> None:
    """Tell the apps above that a discussion window exists (after commit); staff's admin form calls it too."""
    send_after_commit(discussion_opened, Discussion, discussion=discussion)


def _guess_kind(subject) -> str:
    if subject is None:
        return Discussion.Kind.DOCUMENT
    label = subject._meta.label_lower
    if label.startswith("reports."):
        return Discussion.Kind.REPORT
    if label == "roadmaps.legalact":
        return Discussion.Kind.DRAFT_ACT
    return Discussion.Kind.DOCUMENT


def reschedule_window(discussion: Discussion) -> Discussion:
    """Recompute the closing instant after staff changed the opening, length or day kind."""
    discussion.last_day, discussion.closes_at = window_for(
        discussion.municipality, discussion.opens_at, discussion.length_days, discussion.working_days
    )
    return discussion


# --- Comments --------------------------------------------------------------------------------------------


def moderation_settings_for(municipality) -> ModerationSettings:
    try:
        return municipality.moderation_settings
    except ModerationSettings.DoesNotExist:
        return ModerationSettings(municipality=municipality)


_space = re.compile(r"\s+")


def text_digest(text: str) -> str:
    return hashlib.sha256(_space.sub(" ", text).strip().lower().encode()).hexdigest()


def official_posting(user, municipality_id):
    """(official, is_staff_reply) for the account posting; (None, False) for a citizen."""
    if not user or not user.is_authenticated:
        return None, False
    official = access.official_of(user)
    if official is not None and official.municipality_id == municipality_id:
        return official, True
    return None, access.can_moderate(user, municipality_id)  # a coordinator's or moderator's reply


def post_comment(form, *, ip: str = "") -> Comment:
    """Store the comment of a bound CommentForm (surveys.forms) if the window is open and the limits allow.

    Raises DiscussionClosed, RateLimited, RateLimitUnavailable, SpamDetected or ValidationError (the form
    then carries the errors). A refused post inside the window still counts against the limits.
    """
    form.is_valid()
    if form.has_error("__all__", code="closed"):
        raise DiscussionClosed(form.non_field_errors()[0])
    wait = ratelimit.hit({"ip": ip, "email": form.email_as_typed()})
    if wait:
        raise RateLimited(wait)
    if form.has_error("website", code="spam"):
        raise SpamDetected()
    if form.errors:
        raise ValidationError(form.errors.as_data())
    discussion = form.discussion
    data = form.cleaned_data
    mode = moderation_settings_for(discussion.municipality).mode
    published = form.is_official or mode == ModerationSettings.Mode.POST
    try:
        # A savepoint inside the API's request transaction: the duplicate refusal leaves it usable.
        with transaction.atomic():
            return Comment.objects.create(
                discussion=discussion,
                parent=data["parent"],
                paragraph=data.get("paragraph"),
                author_name=data["author_name"],
                email="" if form.is_official else data["email"],
                text=data["text"],
                text_hash=text_digest(data["text"]),
                consent_at=form.now if data["consent"] else None,
                is_official=form.is_official,
                official=form.official,
                user=form.user if form.is_official else None,
                status=Comment.Status.PUBLISHED if published else Comment.Status.PENDING,
                created_at=form.now,
            )
    except IntegrityError:
        # The same text posted at the same moment: the unique constraint decides between the two.
        if not form.is_duplicate(data["text"]):
            raise
        form.add_error("text", form.duplicate_error())
        raise ValidationError(form.errors.as_data()) from None


def _can_moderate(user, comment: Comment) -> bool:
    return access.can_moderate(user, comment.discussion.municipality_id)


def _log(comment, action, user, reason=""):
    CommentModeration.objects.create(comment=comment, action=action, moderator=user, reason=reason or "")


@transaction.atomic
def publish_comment(comment: Comment, *, user, reason: str = "") -> Comment:
    if not _can_moderate(user, comment):
        raise PermissionDenied(_("Модерировать замечания может только координатор или модератор."))
    if comment.status == Comment.Status.PUBLISHED:
        return comment
    action = (
        CommentModeration.Action.PUBLISH
        if comment.status == Comment.Status.PENDING
        else CommentModeration.Action.RESTORE
    )
    if action == CommentModeration.Action.RESTORE and not (reason or "").strip():
        raise ValidationError({"reason": _("Укажите причину восстановления.")})
    comment.status = Comment.Status.PUBLISHED
    comment.save(update_fields=["status"])
    _log(comment, action, user, reason)
    return comment


@transaction.atomic
def hide_comment(comment: Comment, *, user, reason: str) -> Comment:
    if not _can_moderate(user, comment):
        raise PermissionDenied(_("Модерировать замечания может только координатор или модератор."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Укажите причину, по которой замечание скрыто.")})
    comment.status = Comment.Status.HIDDEN
    comment.save(update_fields=["status"])
    _log(comment, CommentModeration.Action.HIDE, user, reason.strip())
    return comment


def restore_comment(comment: Comment, *, user, reason: str) -> Comment:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Укажите причину восстановления.")})
    return publish_comment(comment, user=user, reason=reason.strip())


@transaction.atomic
def flag_comment(comment: Comment, *, reason: str, reader_key: str, note: str = "") -> bool:
    """A reader's complaint, once per reader; past the municipality's threshold the comment is hidden."""
    if reason not in CommentFlag.Reason.values:
        raise ValidationError({"reason": _("Выберите причину жалобы.")})
    if comment.status != Comment.Status.PUBLISHED or comment.is_official:
        return False
    try:
        with transaction.atomic():
            CommentFlag.objects.create(
                comment=comment, reason=reason, note=(note or "")[:500], reader_key=reader_key
            )
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
    comment.refresh_from_db(fields=["flag_count", "status"])
    threshold = moderation_settings_for(comment.discussion.municipality).auto_hide_flags
    if threshold and comment.flag_count >= threshold:
        hidden = Comment.objects.filter(pk=comment.pk, status=Comment.Status.PUBLISHED).update(
            status=Comment.Status.FLAGGED
        )
        if hidden:
            _log(
                comment,
                CommentModeration.Action.AUTO_HIDE,
                None,
                _("жалоб: %(n)s") % {"n": comment.flag_count},
            )
    return True


# --- Close-time work -------------------------------------------------------------------------------------


def summary_recipients(discussion: Discussion):
    """The responsible official, or else the municipality's coordinators."""
    from municipalities.models import StaffRole
    from openness_portal.notifications.registry import Recipient

    if discussion.responsible_id:
        o = discussion.responsible
        return (Recipient(name=str(o), email=o.email, official_id=o.pk),)
    roles = StaffRole.objects.filter(
        role=StaffRole.Role.COORDINATOR, municipality_id=discussion.municipality_id
    ).select_related("user")
    return tuple(
        Recipient(name=r.user.get_full_name() or r.user.get_username(), email=r.user.email) for r in roles
    )


def process_closed_discussion(discussion: Discussion, *, now: datetime | None = None) -> bool:
    """Run the close-time work once: summary draft, dispositions, summary deadline, measure event, notice."""
    from roadmaps.models import DeadlineRule
    from roadmaps.services import record_event

    now = now or timezone.now()
    due = add_working_days(discussion.last_day, SUMMARY_WORKING_DAYS)
    with transaction.atomic():
        # Compare-and-set: the beat job and a page request may race; only one gets the row.
        claimed = Discussion.objects.filter(
            pk=discussion.pk, closed_processed_at__isnull=True, closes_at__lte=now
        ).update(closed_processed_at=now, summary_due_date=due)
        if not claimed:
            return False
        # update() sends no signal: drop the cached copy, now and again after commit.
        forget_discussions([discussion.pk])
        transaction.on_commit(lambda: forget_discussions([discussion.pk]))
        discussion.closed_processed_at, discussion.summary_due_date = now, due
        published = list(
            discussion.comments.filter(status=Comment.Status.PUBLISHED).order_by("created_at", "pk")
        )
        citizen_comments = [c for c in published if not c.is_official]
        summary, _created = DiscussionSummary.objects.get_or_create(
            discussion=discussion, defaults={"text": "" if citizen_comments else NO_COMMENTS_SUMMARY}
        )
        CommentDisposition.objects.bulk_create(
            [CommentDisposition(summary=summary, comment=c) for c in citizen_comments], ignore_conflicts=True
        )
        if discussion.measure_id:
            # Seed 000 measure 10 counts «7 рабочих дней после завершения … обсуждения» from measure 9's
            # discussion: rules triggered by the linked measure get their deadline from the last day.
            rules = DeadlineRule.objects.filter(trigger_measure_id=discussion.measure_id).select_related(
                "measure"
            )
            for rule in rules:
                record_event(rule.measure, discussion.last_day, note=_("по завершении обсуждения"))
        _notify_closed(discussion, summary, group_comments(published))
        send_after_commit(discussion_closed, Discussion, discussion=discussion)
    return True


def group_comments(comments) -> list[tuple[Comment, list[Comment]]]:
    """Top-level comments in order, each with its replies: how the coordinator reads them for the summary."""
    replies = {}
    for c in comments:
        if c.parent_id:
            replies.setdefault(c.parent_id, []).append(c)
    return [(c, replies.get(c.pk, [])) for c in comments if not c.parent_id]


def _notify_closed(discussion: Discussion, summary: DiscussionSummary, groups):
    from django.urls import reverse

    from openness_portal.notifications.services import queue_notification
    from openness_portal.notifications.tasks import deliver_notification

    link = reverse("admin:surveys_discussionsummary_change", args=[summary.pk])
    for recipient in summary_recipients(discussion):
        notification = queue_notification(
            key=f"discussion-closed:{discussion.pk}:{recipient.key}",
            kind="discussion_closed",
            recipient=recipient.name,
            email=recipient.email,
            subject=_("Обсуждение завершено, подготовьте итоги: %(title)s")
            % {"title": discussion.title[:200]},
            template="surveys/email/discussion_closed",
            context={"discussion": discussion, "groups": groups, "comment_count": len(groups)},
            municipality=discussion.municipality,
            link=link,
        )
        if notification is not None and notification.email:
            pk = notification.pk
            transaction.on_commit(lambda pk=pk: deliver_notification.delay(pk))


def close_due_discussions(*, now: datetime | None = None) -> int:
    """Run close-time work for every window that has ended (the periodic job; idempotent)."""
    now = now or timezone.now()
    done = 0
    due = Discussion.objects.filter(closed_processed_at__isnull=True, closes_at__lte=now).select_related(
        "municipality", "responsible"
    )
    for discussion in due.iterator(chunk_size=200):
        try:
            done += process_closed_discussion(discussion, now=now)
        except Exception:
            logger.exception("close-time work failed for discussion %s", discussion.pk)
    return done


@transaction.atomic
def publish_summary(summary: DiscussionSummary, *, user=None, text: str | None = None) -> DiscussionSummary:
    """Publish the summary once every comment has a decision; closes the measure's summary deadline."""
    from roadmaps.models import Deadline
    from roadmaps.services import complete_deadline

    discussion = summary.discussion
    if user is not None and not access.is_coordinator(user, discussion.municipality_id):
        raise PermissionDenied(_("Публиковать итоги может только координатор."))
    if discussion.status != Discussion.Status.CLOSED:
        raise ValidationError(_("Итоги публикуются после завершения обсуждения."))
    if text is not None:
        summary.text = text
    summary.text = (summary.text or "").strip()
    if not summary.text:
        raise ValidationError({"text": _("Напишите итоги обсуждения.")})
    problems = []
    for d in summary.dispositions.select_related("comment"):
        if not d.decision:
            problems.append(_("не указано решение по замечанию «%(c)s»") % {"c": d.comment.text[:60]})
        elif d.decision != CommentDisposition.Decision.ACCEPTED and not d.reason.strip():
            problems.append(_("не указано обоснование по замечанию «%(c)s»") % {"c": d.comment.text[:60]})
    if problems:
        raise ValidationError(_("Итоги не опубликованы: %(list)s.") % {"list": "; ".join(problems)})
    summary.published_at = timezone.now()
    summary.published_by = user
    summary.save()
    if discussion.measure_id:
        today = discussion.municipality.local_today()
        for deadline in Deadline.objects.filter(
            measure__deadline_rule__trigger_measure_id=discussion.measure_id,
            event_date=discussion.last_day,
            completed_on__isnull=True,
        ).select_related("measure"):
            complete_deadline(deadline, today)
    send_after_commit(summary_published, DiscussionSummary, summary=summary)
    return summary
