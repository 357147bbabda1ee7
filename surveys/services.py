"""Writes for discussions and surveys: windows, comments, moderation, close-time work, summaries, responses."""

import hashlib
import logging
import re
import secrets
from contextlib import nullcontext
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from openness_portal.workdays.calendar import add_working_days
from roadmaps import access

from . import ratelimit, selectors
from .models import (
    COMMENT_MAX_LENGTH,
    DEFAULT_DISCUSSION_DAYS,
    NO_COMMENTS_SUMMARY,
    SUMMARY_WORKING_DAYS,
    Answer,
    Comment,
    CommentDisposition,
    CommentFlag,
    CommentModeration,
    Discussion,
    DiscussionSummary,
    ModerationSettings,
    Question,
    Response,
    Survey,
    local_day_end,
)
from .selectors import forget_discussions_for_posting

logger = logging.getLogger(__name__)
AUTHOR_NAME_MAX = 200


class DiscussionClosed(Exception):
    """Posting outside the window: 403 in the API, a message on the page."""


class RateLimited(Exception):
    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


class SpamDetected(Exception):
    """The honeypot was filled: nothing is stored and the bot learns nothing useful."""


class SurveyClosed(Exception):
    pass


class AlreadyAnswered(Exception):
    pass


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
    return discussion


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


def _official_for(user, municipality_id):
    """The official (or coordinator) account posting, or None for a citizen."""
    if not user or not user.is_authenticated:
        return None, False
    official = access.official_of(user)
    if official is not None and official.municipality_id == municipality_id:
        return official, True
    return None, access.is_coordinator(user, municipality_id)


def comment_attempt(*, ip: str, email: str) -> ratelimit.Attempt:
    """The rate-limit counters a post counts against: its IP address and its e-mail as typed."""
    return ratelimit.Attempt({"ip": ip, "email": (email or "").strip()})


def start_comment_attempt(pk, *, ip: str, email: str) -> tuple[Discussion | None, ratelimit.Attempt]:
    """The discussion a comment is posted to and the attempt counted against its limits, in one Redis
    round trip; an unknown discussion gives its count back (None, as for a 404)."""
    attempt = comment_attempt(ip=ip, email=email)
    discussion = selectors.discussion_for_posting(pk, counting=attempt)
    if discussion is None:
        attempt.undo()
    return discussion, attempt


def post_comment(
    *,
    discussion: Discussion,
    author_name: str = "",
    email: str = "",
    text: str = "",
    consent: bool = False,
    parent_id=None,
    honeypot: str = "",
    ip: str = "",
    user=None,
    now: datetime | None = None,
    rate_limit: ratelimit.Attempt | None = None,
) -> Comment:
    """Accept a comment inside the window; raises DiscussionClosed, RateLimited, SpamDetected or ValidationError.

    Nothing is stored unless every check passes. `rate_limit`: the comment_attempt() already counted by the
    caller (the page counts it in the Redis round trip that reads the discussion); counted here otherwise.
    """
    now = now or timezone.now()
    if discussion.status_at(now) != Discussion.Status.OPEN:
        if rate_limit is not None:
            rate_limit.undo()  # counted along with the discussion read; a closed window never counts
        if now < discussion.opens_at:
            raise DiscussionClosed(
                _("Обсуждение еще не началось: замечания принимаются с %(date)s.")
                % {"date": f"{discussion.opens_at.astimezone(discussion.municipality.tz):%d.%m.%Y %H:%M}"}
            )
        raise DiscussionClosed(
            _("Обсуждение завершено %(date)s: замечания больше не принимаются.")
            % {"date": f"{discussion.last_day:%d.%m.%Y}"}
        )
    email = (email or "").strip()
    if rate_limit is None:
        rate_limit = comment_attempt(ip=ip, email=email)
        rate_limit.count()
    if rate_limit.wait:
        raise RateLimited(rate_limit.wait)
    if honeypot:
        raise SpamDetected()

    official, is_coordinator = _official_for(user, discussion.municipality_id)
    is_official = official is not None or is_coordinator
    author_name = (author_name or "").strip()
    text = (text or "").replace("\r\n", "\n").strip()
    errors = {}
    if is_official and not author_name:
        author_name = str(official) if official else (user.get_full_name() or user.get_username())
    if not author_name:
        errors["author_name"] = _("Укажите ваше имя.")
    elif len(author_name) > AUTHOR_NAME_MAX:
        errors["author_name"] = _("Имя — не более %(n)s символов.") % {"n": AUTHOR_NAME_MAX}
    if not is_official:
        if not email:
            errors["email"] = _("Укажите адрес электронной почты: он не публикуется.")
        else:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = _("Введите правильный адрес электронной почты.")
        if not consent:
            errors["consent"] = _(
                "Без согласия на обработку персональных данных (Федеральный закон № 152-ФЗ) "
                "замечание не может быть принято."
            )
    if not text:
        errors["text"] = _("Напишите замечание или предложение.")
    elif len(text) > COMMENT_MAX_LENGTH:
        errors["text"] = _("Текст — не более %(max)s символов, сейчас %(n)s.") % {
            "max": f"{COMMENT_MAX_LENGTH:,}".replace(",", " "),
            "n": f"{len(text):,}".replace(",", " "),
        }
    parent = None
    if parent_id not in (None, ""):
        parent = (
            Comment.objects.filter(
                pk=parent_id if str(parent_id).isdigit() else 0,
                discussion=discussion,
                parent__isnull=True,
                status=Comment.Status.PUBLISHED,
            )
            .only("pk")
            .first()
        )
        if parent is None:
            errors["parent"] = _("Ответить можно только на опубликованное замечание этого обсуждения.")
    digest = text_digest(text) if text else ""
    if errors:
        # Report a duplicate together with the other mistakes; a valid post leaves it to the unique
        # constraint instead, which saves a query on every accepted comment.
        if digest and "text" not in errors and _is_duplicate(discussion, digest):
            errors["text"] = _("Такое замечание уже получено в этом обсуждении.")
        raise ValidationError(errors)

    mode = moderation_settings_for(discussion.municipality).mode
    status = (
        Comment.Status.PUBLISHED
        if is_official or mode == ModerationSettings.Mode.POST
        else Comment.Status.PENDING
    )
    comment = Comment(
        discussion=discussion,
        parent=parent,
        author_name=author_name,
        email=email if not is_official else "",
        text=text,
        text_hash=digest,
        consent_at=now if consent else None,
        is_official=is_official,
        official=official,
        user=user if is_official else None,
        status=status,
        created_at=now,
    )
    using = router.db_for_write(Comment)
    # One INSERT is atomic on its own: in autocommit (the page view) it is a single round trip, commit
    # included. Inside a caller's transaction (the API under ATOMIC_REQUESTS) a savepoint keeps that
    # transaction usable when the unique constraint refuses a duplicate.
    savepoint = (
        transaction.atomic(using=using)
        if transaction.get_connection(using).in_atomic_block
        else nullcontext()
    )
    try:
        with savepoint:
            _insert(comment, using)
    except IntegrityError as exc:
        if not _is_duplicate(discussion, digest):
            raise
        raise ValidationError({"text": _("Такое замечание уже получено в этом обсуждении.")}) from exc
    return comment


_insert_sql = {}


def _insert(comment: Comment, using: str) -> None:
    """comment.save() for a new row with the INSERT written once per database instead of compiled per post.

    The ORM's compiler was a third of a comment POST's CPU. Values go through each field's pre_save and
    get_db_prep_save as in save(), and pre_save/post_save are sent, so receivers see the same thing.
    """
    connection = connections[using]
    meta = Comment._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    if using not in _insert_sql:
        returning, _params = connection.ops.return_insert_columns([meta.pk])
        # Table and column names from the model's own metadata, values as parameters.
        _insert_sql[using] = "INSERT INTO {} ({}) VALUES ({}) {}".format(  # noqa: S608
            connection.ops.quote_name(meta.db_table),
            ", ".join(connection.ops.quote_name(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
            returning if connection.features.can_return_columns_from_insert else "",
        )
    pre_save.send(sender=Comment, instance=comment, raw=False, using=using, update_fields=None)
    params = [f.get_db_prep_save(f.pre_save(comment, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql[using], params)
        if connection.features.can_return_columns_from_insert:
            comment.pk = cursor.fetchone()[0]
        else:
            comment.pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    comment._state.adding = False
    comment._state.db = using
    post_save.send(sender=Comment, instance=comment, created=True, update_fields=None, raw=False, using=using)


def _is_duplicate(discussion, digest: str) -> bool:
    return Comment.objects.filter(discussion=discussion, text_hash=digest).exists()


def _can_moderate(user, comment: Comment) -> bool:
    return access.is_coordinator(user, comment.discussion.municipality_id)


def _log(comment, action, user, reason=""):
    CommentModeration.objects.create(comment=comment, action=action, moderator=user, reason=reason or "")


@transaction.atomic
def publish_comment(comment: Comment, *, user, reason: str = "") -> Comment:
    if not _can_moderate(user, comment):
        raise PermissionDenied(_("Модерировать замечания может только координатор."))
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
        raise PermissionDenied(_("Модерировать замечания может только координатор."))
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
    from openness_portal.notifications.registry import Recipient
    from roadmaps.models import StaffRole

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
        forget_discussions_for_posting([discussion.pk])
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
    return summary


# --- Surveys ---------------------------------------------------------------------------------------------


def new_respondent_key() -> str:
    return secrets.token_urlsafe(24)


def submit_response(
    *, survey: Survey, respondent_key: str, answers: dict, email: str = "", now: datetime | None = None
) -> Response:
    """Store one respondent's answers (validated per question); refuses a second response."""
    now = now or timezone.now()
    if not survey.is_open_at(now):
        raise SurveyClosed(
            _("Опрос не проводится: ответы принимаются с %(a)s по %(b)s.") % _survey_dates(survey)
        )
    if Response.objects.filter(survey=survey, respondent_key=respondent_key).exists():
        raise AlreadyAnswered(_("Вы уже ответили на вопросы этого опроса. Спасибо!"))
    email = (email or "").strip().lower()
    errors = {}
    if survey.email_confirmation:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Укажите адрес электронной почты: на него придет ссылка для подтверждения.")
        else:
            if Response.objects.filter(survey=survey, email=email).exists():
                raise AlreadyAnswered(_("С этого адреса уже отвечали на вопросы этого опроса."))
    questions = list(survey.questions.prefetch_related("options"))
    rows = []
    for q in questions:
        key = f"q{q.pk}"
        value = answers.get(q.pk)
        if value in (None, "", [], ()):
            if q.required:
                errors[key] = _("Ответьте на этот вопрос.")
            continue
        try:
            rows.extend(_answer_rows(q, value))
        except BadAnswer as exc:
            errors[key] = str(exc)
        except (TypeError, ValueError):
            errors[key] = _("Неверный ответ.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                respondent_key=respondent_key,
                email=email if survey.email_confirmation else "",
                confirmation_token=secrets.token_urlsafe(32) if survey.email_confirmation else "",
                confirmed_at=None if survey.email_confirmation else now,
                created_at=now,
            )
            for row in rows:
                row.response = response
            Answer.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise AlreadyAnswered(_("Вы уже ответили на вопросы этого опроса. Спасибо!")) from exc
    if survey.email_confirmation:
        _send_confirmation(response)
    return response


class BadAnswer(ValueError):
    pass


def _answer_rows(q: Question, value) -> list[Answer]:
    """Answer rows for one question; BadAnswer with a Russian message when the value does not fit."""
    option_ids = {o.pk for o in q.options.all()}
    if q.kind == Question.Kind.SINGLE:
        if int(value) not in option_ids:
            raise BadAnswer(_("Выберите один из вариантов."))
        return [Answer(question=q, option_id=int(value))]
    if q.kind == Question.Kind.MULTIPLE:
        chosen = {int(v) for v in value}
        if not chosen <= option_ids:
            raise BadAnswer(_("Выберите варианты из списка."))
        return [Answer(question=q, option_id=pk) for pk in sorted(chosen)]
    if q.kind == Question.Kind.SCALE:
        if int(value) not in range(1, 6):
            raise BadAnswer(_("Оценка — от 1 до 5."))
        return [Answer(question=q, scale_value=int(value))]
    text = str(value).strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise BadAnswer(_("Не более %(n)s символов.") % {"n": COMMENT_MAX_LENGTH})
    return [Answer(question=q, text=text)]


def _survey_dates(survey):
    tz = survey.municipality.tz
    return {
        "a": f"{survey.opens_at.astimezone(tz):%d.%m.%Y}",
        "b": f"{survey.closes_at.astimezone(tz):%d.%m.%Y}",
    }


def _send_confirmation(response: Response):
    from django.urls import reverse

    from openness_portal.notifications.services import queue_notification
    from openness_portal.notifications.tasks import deliver_notification

    link = reverse("surveys:survey_confirm", args=[response.confirmation_token])
    notification = queue_notification(
        key=f"survey-confirm:{response.pk}",
        kind="survey_confirmation",
        recipient=response.email,
        email=response.email,
        subject=_("Подтвердите ответ на опрос: %(title)s") % {"title": response.survey.title[:200]},
        template="surveys/email/survey_confirmation",
        context={"survey": response.survey},
        municipality=response.survey.municipality,
        link=link,
    )
    if notification is not None:
        transaction.on_commit(lambda: deliver_notification.delay(notification.pk))


def confirm_response(token: str) -> Response | None:
    response = (
        Response.objects.filter(confirmation_token=token).select_related("survey").first() if token else None
    )
    if response is None:
        return None
    Response.objects.filter(pk=response.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
    return response


@transaction.atomic
def feed_kpi_actual(*, question: Question, kpi, period: str, option_ids, source: str = ""):
    """Record the share of respondents who chose `option_ids` (e.g. «Да» + «скорее Да») as a KPI actual."""
    from decimal import ROUND_HALF_UP, Decimal

    from roadmaps.services import record_kpi_actual

    from .selectors import question_results

    result = question_results(question)
    wanted = {int(i) for i in option_ids}
    chosen = sum(o["count"] for o in result["options"] if o["id"] in wanted)
    if not result["respondents"]:
        raise ValidationError(_("По этому вопросу еще нет ответов."))
    share = (Decimal(chosen) * 100 / Decimal(result["respondents"])).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return record_kpi_actual(
        kpi, period=period, value=share, source=source or _("опрос: %(q)s") % {"q": question.text[:200]}
    )
