"""Writes for surveys: a respondent's answers, their e-mail confirmation, a KPI actual fed from a question."""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openness_portal import shares

from ..models import COMMENT_MAX_LENGTH, Answer, Question, Response, Survey
from ..respondents import email_digest


class SurveyClosed(Exception):
    pass


class AlreadyAnswered(Exception):
    pass


class LoginRequired(Exception):
    pass


def new_respondent_key() -> str:
    return secrets.token_urlsafe(24)


def submit_response(
    *,
    survey: Survey,
    respondent_key: str,
    answers: dict,
    email: str = "",
    user=None,
    now: datetime | None = None,
) -> Response:
    """Store one respondent's answers (validated per question); refuses a second response.

    One response per respondent as the survey sets it (`respondent_confirmation`): per browser (the cookie
    key), per confirmed e-mail (held unconfirmed until the mailed link is opened; the address is kept only as
    a keyed hash) or per signed-in account.
    """
    now = now or timezone.now()
    if not survey.is_open_at(now):
        raise SurveyClosed(
            _("Опрос не проводится: ответы принимаются с %(a)s по %(b)s.") % _survey_dates(survey)
        )
    if survey.login_required:
        if user is None or not user.is_authenticated:
            raise LoginRequired(_("Отвечать на этот опрос могут только вошедшие на портал пользователи."))
        respondent_key = f"user:{user.pk}"  # one per account, whichever browser it answers from
    if Response.objects.filter(survey=survey, respondent_key=respondent_key).exists():
        raise AlreadyAnswered(_("Вы уже ответили на вопросы этого опроса. Спасибо!"))
    errors = {}
    email_hash = ""
    if survey.email_confirmation:
        email = (email or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Укажите адрес электронной почты: на него придет ссылка для подтверждения.")
        else:
            email_hash = email_digest(email)
            if Response.objects.filter(
                survey=survey, email_hash=email_hash, confirmed_at__isnull=False
            ).exists():
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
                email_hash=email_hash,
                user=user if survey.login_required else None,
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
        _send_confirmation(response, email)
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


def _send_confirmation(response: Response, email: str):
    from django.urls import reverse

    from openness_portal.notifications.services import queue_notification
    from openness_portal.notifications.tasks import deliver_notification

    link = reverse("surveys:survey_confirm", args=[response.confirmation_token])
    notification = queue_notification(
        key=f"survey-confirm:{response.pk}",
        kind="survey_confirmation",
        recipient=email,
        email=email,
        subject=_("Подтвердите ответ на опрос: %(title)s") % {"title": response.survey.title[:200]},
        template="surveys/email/survey_confirmation",
        context={"survey": response.survey},
        municipality=response.survey.municipality,
        link=link,
    )
    if notification is not None:
        transaction.on_commit(lambda: deliver_notification.delay(notification.pk))


def confirm_response(token: str) -> Response | None:
    """Count the response of the mailed link; AlreadyAnswered if another response of that address counts."""
    response = (
        Response.objects.filter(confirmation_token=token).select_related("survey").first() if token else None
    )
    if response is None:
        return None
    try:
        with transaction.atomic():
            Response.objects.filter(pk=response.pk, confirmed_at__isnull=True).update(
                confirmed_at=timezone.now()
            )
    except IntegrityError as exc:  # response_confirmed_once_per_email: the address answered already
        raise AlreadyAnswered(
            _("С этого адреса уже отвечали на вопросы этого опроса: учтен первый подтвержденный ответ.")
        ) from exc
    return response


@transaction.atomic
def feed_kpi_actual(*, question: Question, kpi, period: str, option_ids, source: str = ""):
    """Record the share of respondents who chose `option_ids` (e.g. «Да» + «скорее Да») as a KPI actual."""
    from roadmaps.services import record_kpi_actual

    from ..selectors import question_results

    result = question_results(question)
    wanted = {int(i) for i in option_ids}
    chosen = sum(o["count"] for o in result["options"] if o["id"] in wanted)
    if not result["respondents"]:
        raise ValidationError(_("По этому вопросу еще нет ответов."))
    share = shares.percent(chosen, result["respondents"], places=1)  # a KPI value keeps one decimal
    return record_kpi_actual(
        kpi, period=period, value=share, source=source or _("опрос: %(q)s") % {"q": question.text[:200]}
    )


MIN_CHOICE_OPTIONS = 2


def set_question_options(question: Question, texts: list[str]) -> None:
    """Replace a choice question's options by `texts` (in order); the options of answered questions stay.

    Options that keep their text keep their row (and their answers and imported counts).
    """
    texts = [t.strip() for t in texts if t.strip()]
    if question.has_options and len(texts) < MIN_CHOICE_OPTIONS:
        raise ValidationError(
            {"options": _("У вопроса с выбором ответа должно быть не меньше двух вариантов.")}
        )
    current = list(question.options.all())
    if [o.text for o in current] == texts:
        return
    existing = {o.text: o for o in current}
    removed = [o for t, o in existing.items() if t not in texts]
    if removed and Answer.objects.filter(option__in=removed).exists():
        raise ValidationError(
            {"options": _("На вопрос уже отвечали: варианты, которые выбирали респонденты, не удаляются.")}
        )
    from ..models import Option

    Option.objects.filter(pk__in=[o.pk for o in removed]).delete()
    for order, text in enumerate(texts):
        option = existing.get(text)
        if option is None:
            Option.objects.create(question=question, order=order, text=text)
        elif option.order != order:
            Option.objects.filter(pk=option.pk).update(order=order)
