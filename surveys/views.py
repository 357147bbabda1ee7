"""Public pages for discussions and surveys; they work without JavaScript. Thin: services write, selectors read."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openness_portal.client_ip import client_ip
from openness_portal.search import matching

from . import exports, ratelimit, selectors, services
from .forms import CommentForm, FlagForm, SurveyForm
from .models import Comment, Discussion, ModerationSettings, Survey

VISITOR_COOKIE = "osp_visitor"
VISITOR_SALT = "surveys.visitor"
VISITOR_MAX_AGE = 60 * 60 * 24 * 365 * 2
COMMENTS_PER_PAGE = 50
BAR_WIDTH = 320


def visitor_key(request) -> tuple[str, bool]:
    """A random id in a signed cookie: one survey response per browser, one flag per reader."""
    key = request.get_signed_cookie(VISITOR_COOKIE, default="", salt=VISITOR_SALT)
    if key:
        return key, False
    return services.new_respondent_key(), True


def _remember_visitor(response, key, is_new):
    if is_new:
        response.set_signed_cookie(
            VISITOR_COOKIE, key, salt=VISITOR_SALT, max_age=VISITOR_MAX_AGE, httponly=True, samesite="Lax"
        )
    return response


def days_left_label(n: int) -> str:
    """«осталось 15 дней», «остался 1 день», «осталось 2 дня»; «сегодня последний день» for 0."""
    if n <= 0:
        return _("сегодня последний день")
    return ngettext("остался %(n)s день", "осталось %(n)s дней", n) % {"n": n}


# --- Discussions -----------------------------------------------------------------------------------------


@require_GET
def discussion_list(request):
    now = timezone.now()
    slug = request.GET.get("municipality") or None
    q = request.GET.get("q", "").strip()
    discussions = list(
        matching(selectors.public_discussions(municipality_slug=slug, now=now), q, "title", "description")[
            :200
        ]
    )
    open_, scheduled, closed = [], [], []
    for d in discussions:
        status = d.status_at(now)
        if status == Discussion.Status.OPEN:
            d.countdown = days_left_label(d.days_left(now))
            open_.append(d)
        elif status == Discussion.Status.SCHEDULED:
            scheduled.append(d)
        else:
            d.public_summary = selectors.published_summary(d)
            closed.append(d)
    return render(
        request,
        "surveys/discussion_list.html",
        {
            "open_discussions": open_,
            "scheduled_discussions": scheduled,
            "closed_discussions": closed,
            "filters": {"municipality": slug or "", "q": q},
            "municipalities": selectors.municipalities_with(Discussion),
        },
    )


def _discussion(pk):
    discussion = selectors.discussion_for_page(pk)
    if discussion is None:
        raise Http404
    return discussion


@transaction.non_atomic_requests
@require_http_methods(["GET", "POST", "HEAD"])
def discussion_detail(request, pk):
    """Outside ATOMIC_REQUESTS: the page only reads, and a comment is stored in its own transaction (one
    BEGIN … COMMIT rather than a savepoint inside the request's)."""
    discussion = _discussion(pk)
    now = timezone.now()
    _process_if_closed(discussion, now)
    if request.method == "POST":
        return _post_comment(request, discussion, now)
    form = CommentForm(
        initial={"parent": request.GET.get("reply_to", ""), "paragraph": request.GET.get("paragraph", "")},
        discussion=discussion,
    )
    return _render_discussion(request, discussion, form, now, 200)


def _process_if_closed(discussion, now):
    if discussion.closed_processed_at is None and discussion.status_at(now) == Discussion.Status.CLOSED:
        # The periodic job may not have run yet: server time decides, on every request.
        services.process_closed_discussion(discussion, now=now)


COUNTERS_DOWN_RETRY_SECONDS = 120


def _post_comment(request, discussion, now):
    """Accept a comment and redirect; only a refused post renders the page (with the form and its errors)."""
    form = CommentForm(request.POST, discussion=discussion, user=request.user, now=now)
    try:
        comment = services.post_comment(form, ip=client_ip(request))
    except services.DiscussionClosed as exc:
        messages.error(request, str(exc))
        http_status = 403
    except services.RateLimited as exc:
        messages.error(request, exc.message)
        http_status = 429
    except services.RateLimitUnavailable:
        messages.error(request, services.COUNTERS_DOWN_ON_FORM)
        http_status = 503
    except services.SpamDetected:
        return _posted(request, discussion, None)
    except ValidationError:
        return _render_discussion(request, discussion, form, now, 400)
    else:
        return _posted(request, discussion, comment)
    # Refused before its rules were read: the citizen's text comes back, with no errors against it.
    unchecked = CommentForm(initial=request.POST.dict(), discussion=discussion)
    response = _render_discussion(request, discussion, unchecked, now, http_status)
    if http_status == 503:
        response["Retry-After"] = str(COUNTERS_DOWN_RETRY_SECONDS)
    return response


def _posted(request, discussion, comment):
    """Redirect back to the page posted from; the notice rides in the query string (not a signed cookie)."""
    if comment is not None:
        published = comment.status == Comment.Status.PUBLISHED
    else:  # honeypot: say what a real post would have been told
        published = (
            services.moderation_settings_for(discussion.municipality).mode == ModerationSettings.Mode.POST
        )
    # The form posts to the discussion's own page, so request.path is its URL: no reverse(), and not
    # redirect(), which would first try the URL as a view name.
    return HttpResponseRedirect(f"{request.path}?sent={'published' if published else 'pending'}#comment-form")


POST_NOTICES = {
    "pending": _lazy("Спасибо! Замечание получено и будет опубликовано после проверки модератором."),
    "published": _lazy("Спасибо! Ваше замечание опубликовано."),
}


def _render_discussion(request, discussion, form, now, http_status):
    status = discussion.status_at(now)
    top_level = (
        selectors.published_comments(discussion)
        .filter(parent__isnull=True)
        .select_related("paragraph__version")
        .order_by("created_at", "pk")
    )
    page = Paginator(top_level, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    threads = selectors.comment_threads(discussion, page.object_list)
    summary = selectors.published_summary(discussion) if status == Discussion.Status.CLOSED else None
    rows = list(selectors.summary_rows(discussion).filter(status=Comment.Status.PUBLISHED)) if summary else []
    summary_rows = [r for r in rows if not r.is_official]
    draft = _draft_context(request, discussion, summary, summary_rows)
    context = {
        "municipality": discussion.municipality,
        "discussion": discussion,
        "status": status,
        "is_open": status == Discussion.Status.OPEN,
        "countdown": days_left_label(discussion.days_left(now)) if status == Discussion.Status.OPEN else "",
        "opens_local": discussion.opens_at.astimezone(discussion.municipality.tz),
        "form": form,
        "page": page,
        "threads": threads,
        "summary": summary,
        "summary_rows": summary_rows,
        **draft,
        "flag_form": FlagForm(),
        "post_notice": POST_NOTICES.get(request.GET.get("sent", "")) if http_status == 200 else None,
        "max_length": services.COMMENT_MAX_LENGTH,
        # Citizens read times in their municipality's zone, not the server's.
        "municipality_tz": discussion.municipality.time_zone,
        "premoderation": services.moderation_settings_for(discussion.municipality).mode
        == ModerationSettings.Mode.PRE,
    }
    response = render(request, "surveys/discussion_detail.html", context, status=http_status)
    return _remember_visitor(response, *visitor_key(request))


def _draft_context(request, discussion, summary, summary_rows) -> dict:
    """A draft act's редакции: the one asked for paragraph by paragraph with comment counts, and the final
    one beside the published summary. Three queries at most, whatever the number of points or comments."""
    if discussion.kind != Discussion.Kind.DRAFT_ACT:
        return {"versions": []}
    versions = selectors.document_versions(discussion)
    if not versions:
        return {"versions": []}
    shown = selectors.shown_version(versions, request.GET.get("version"))
    final_view = selectors.final_version_view(discussion, versions, summary_rows) if summary else None
    paragraphs = (
        final_view["paragraphs"]
        if final_view and final_view["version"].pk == shown.pk
        else selectors.paragraphs_with_counts(shown)
    )
    return {
        "versions": versions,
        "shown_version": shown,
        "paragraphs": paragraphs,
        "final_view": final_view,
        # The final редакция is read beside the summary; the document section then repeats no text.
        "show_document": not (final_view and final_view["version"].pk == shown.pk),
        "version_query": f"version={shown.number}&" if shown is not versions[-1] else "",
    }


@require_POST
def comment_flag(request, pk, comment_pk):
    comment = get_object_or_404(
        Comment.objects.select_related("discussion__municipality__moderation_settings"),
        pk=comment_pk,
        discussion_id=pk,
    )
    form = FlagForm(request.POST)
    key, is_new = visitor_key(request)
    if not form.is_valid():
        messages.error(request, _("Выберите причину жалобы."))
    elif (limited := _flag_limited(request)) is None:
        messages.error(
            request,
            _("Сейчас нельзя отправить жалобу: временная неисправность. Попробуйте через несколько минут."),
        )
    elif limited:
        messages.error(request, _("Слишком много жалоб подряд. Попробуйте позже."))
    else:
        # One flag per reader: viewing the page already gave the reader a signed visitor cookie.
        services.flag_comment(
            comment,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            reader_key=key[:64],
        )
        messages.success(request, _("Спасибо, жалоба передана модератору."))
    return _remember_visitor(
        redirect(comment.discussion.get_absolute_url() + f"#comment-{comment.pk}"), key, is_new
    )


def _flag_limited(request) -> bool | None:
    """Whether this reader has flagged too much lately; None when the counters cannot be reached."""
    try:
        return bool(ratelimit.hit({"ip": client_ip(request)}, scope="flag"))
    except ratelimit.CounterStoreUnavailable:
        return None


# --- Surveys ---------------------------------------------------------------------------------------------


@require_GET
def survey_list(request):
    now = timezone.now()
    slug = request.GET.get("municipality") or None
    q = request.GET.get("q", "").strip()
    surveys = list(
        matching(selectors.public_surveys(municipality_slug=slug), q, "title", "description")[:200]
    )
    for s in surveys:
        s.open_now = s.is_open_at(now)
    return render(
        request,
        "surveys/survey_list.html",
        {
            "open_surveys": [s for s in surveys if s.open_now],
            "past_surveys": [s for s in surveys if not s.open_now],
            "filters": {"municipality": slug or "", "q": q},
            "municipalities": selectors.municipalities_with(Survey),
        },
    )


def _public_survey(pk):
    survey = get_object_or_404(Survey.objects.select_related("municipality"), pk=pk)
    if not survey.is_published:
        raise Http404
    return survey


@require_http_methods(["GET", "POST", "HEAD"])
def survey_detail(request, pk):
    survey = _public_survey(pk)
    questions = list(survey.questions.prefetch_related("options"))
    key, is_new = visitor_key(request)
    now = timezone.now()
    already = selectors.already_answered(survey, user=request.user, respondent_key=key, new_visitor=is_new)
    form = SurveyForm(survey=survey, questions=questions)
    http_status = 200
    refusal = ""
    if request.method == "POST":
        form = SurveyForm(request.POST, survey=survey, questions=questions)
        if form.is_valid() and form.cleaned_data.get("website"):
            messages.success(request, _("Спасибо! Ваш ответ учтен."))
            return redirect(survey.get_absolute_url())
        if form.is_valid():
            try:
                services.submit_response(
                    survey=survey,
                    respondent_key=key,
                    answers=form.answers(),
                    email=form.cleaned_data.get("email", ""),
                    user=request.user,
                    now=now,
                )
            except services.LoginRequired as exc:
                refusal, http_status = str(exc), 403
            except services.AlreadyAnswered as exc:
                refusal, http_status = str(exc), 409
            except services.SurveyClosed as exc:
                refusal, http_status = str(exc), 403
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                http_status = 400
            else:
                messages.success(
                    request,
                    _("Спасибо! Проверьте почту: ответ будет учтен после перехода по ссылке из письма.")
                    if survey.email_confirmation
                    else _("Спасибо! Ваш ответ учтен."),
                )
                return _remember_visitor(redirect(survey.get_absolute_url()), key, is_new)
        else:
            http_status = 400
    elif already:
        refusal = _("Вы уже ответили на вопросы этого опроса. Спасибо!")
    context = {
        "municipality": survey.municipality,
        "survey": survey,
        "form": form,
        "is_open": survey.is_open_at(now),
        "already": already or bool(refusal),
        "refusal": refusal,
        "login_needed": survey.login_required and not request.user.is_authenticated,
        "login_url": f"{resolve_url(settings.LOGIN_URL)}?next={survey.get_absolute_url()}",
    }
    response = render(request, "surveys/survey_detail.html", context, status=http_status)
    return _remember_visitor(response, key, is_new)


def _results_with_bars(survey):
    results = selectors.survey_results(survey)
    for q in results["questions"]:
        top = q.get("max_count") or 0
        for i, o in enumerate(q["options"]):
            o["bar"] = round(o["count"] * BAR_WIDTH / top) if top else 0
            o["y"] = i * 28
            o["text_y"] = i * 28 + 15
        q["chart_height"] = len(q["options"]) * 28
    return results


@require_GET
def survey_results(request, pk):
    survey = _public_survey(pk)
    results = _results_with_bars(survey)
    return render(
        request,
        "surveys/survey_results.html",
        {"municipality": survey.municipality, "survey": survey, "results": results, "bar_width": BAR_WIDTH},
    )


@require_GET
def survey_results_export(request, pk, fmt):
    survey = _public_survey(pk)
    results = selectors.survey_results(survey)
    filename = f"survey-{survey.pk}-results"
    if fmt == "csv":
        response = HttpResponse(exports.survey_results_csv(results), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    response = HttpResponse(exports.survey_results_xlsx(results), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@require_GET
def survey_confirm(request, token):
    try:
        response = services.confirm_response(token)
    except services.AlreadyAnswered as exc:
        messages.warning(request, str(exc))
        survey = get_object_or_404(Survey, responses__confirmation_token=token)
        return redirect(survey.get_absolute_url())
    if response is None:
        raise Http404
    messages.success(request, _("Спасибо! Ваш ответ подтвержден и учтен."))
    return redirect(response.survey.get_absolute_url())
