"""Reads for discussions and surveys; every function makes a fixed number of queries."""

import difflib
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from openness_portal import shares

from .models import (
    Answer,
    Comment,
    Discussion,
    DiscussionSummary,
    DocumentParagraph,
    DocumentVersion,
    Option,
    Question,
    Response,
    Survey,
)


def public_discussions(*, municipality_slug: str | None = None, status: str | None = None, now=None):
    """Discussions with their municipality, summary and published comment count; optional status filter."""
    now = now or timezone.now()
    qs = (
        Discussion.objects.select_related("municipality", "summary")
        .annotate(published_count=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED)))
        .order_by("-opens_at", "-pk")
    )
    if municipality_slug:
        field = "municipality_id" if str(municipality_slug).isdigit() else "municipality__slug"
        qs = qs.filter(**{field: municipality_slug})
    if status == Discussion.Status.OPEN:
        qs = qs.open_at(now)
    elif status == Discussion.Status.CLOSED:
        qs = qs.closed_at(now)
    elif status == Discussion.Status.SCHEDULED:
        qs = qs.scheduled_at(now)
    return qs


# Every comment POST and discussion page reads the discussion with its municipality (time zone) and moderation
# settings; staff rarely change them. Kept in the cache briefly and dropped on change (surveys/signals.py); the
# short timeout bounds what a change made while Redis was unreachable can leave behind.
DISCUSSION_CACHE_SECONDS = 60


def _discussion_key(pk) -> str:
    return f"surveys:discussion:{pk}"


def discussion_for_page(pk) -> Discussion | None:
    """The discussion with municipality, moderation settings and responsible official; None if unknown."""
    key = _discussion_key(pk)
    discussion = cache.get(key)
    if discussion is None:
        discussion = (
            Discussion.objects.select_related(
                "municipality", "municipality__moderation_settings", "responsible"
            )
            .filter(pk=pk)
            .first()
        )
        if discussion is None:
            return None
        cache.set(key, discussion, DISCUSSION_CACHE_SECONDS)
    return discussion


def forget_discussions(pks) -> None:
    cache.delete_many([_discussion_key(pk) for pk in pks])


def published_summary(discussion: Discussion) -> DiscussionSummary | None:
    summary = getattr(discussion, "summary", None) if _has_summary(discussion) else None
    return summary if summary is not None and summary.is_published else None


def _has_summary(discussion) -> bool:
    try:
        discussion.summary  # noqa: B018 - cached by select_related or fetched once
    except DiscussionSummary.DoesNotExist:
        return False
    return True


def published_comments(discussion: Discussion):
    return Comment.objects.filter(discussion=discussion, status=Comment.Status.PUBLISHED)


def comment_threads(discussion: Discussion, top_level_page):
    """Published replies of the comments on one page, attached as `.public_replies` (one query)."""
    top = list(top_level_page)
    replies = defaultdict(list)
    if top:
        for reply in (
            published_comments(discussion)
            .select_related("paragraph__version")
            .filter(parent_id__in=[c.pk for c in top])
            .order_by("created_at", "pk")
        ):
            replies[reply.parent_id].append(reply)
    for c in top:
        c.public_replies = replies.get(c.pk, [])
    return top


def summary_rows(discussion: Discussion):
    """Comments with their dispositions for the published summary and the export."""
    return (
        Comment.objects.filter(discussion=discussion)
        .exclude(status=Comment.Status.PENDING)
        .select_related("disposition", "parent", "paragraph__version")
        .order_by("created_at", "pk")
    )


# --- Surveys ---------------------------------------------------------------------------------------------


def municipalities_with(model) -> list:
    """Municipalities that have something public of `model` (Discussion or Survey), for the list filters."""
    from municipalities.models import Municipality

    condition = Q(surveys__is_published=True) if model is Survey else Q(discussions__isnull=False)
    return list(Municipality.objects.filter(condition).distinct().order_by("name").only("slug", "name"))


def public_surveys(*, municipality_slug: str | None = None):
    qs = Survey.objects.filter(is_published=True).select_related("municipality").order_by("-opens_at", "-pk")
    if municipality_slug:
        field = "municipality_id" if str(municipality_slug).isdigit() else "municipality__slug"
        qs = qs.filter(**{field: municipality_slug})
    return qs


def counted_responses(survey_ids):
    return Response.objects.filter(survey_id__in=survey_ids, confirmed_at__isnull=False)


def percent(count: int, total: int) -> int:
    """Whole percent as the seeds print them («195 чел. (30%)»): results page, CSV/XLSX, API, reports and
    the open-data set."""
    return shares.whole_percent(count, total) or 0  # a survey without answers prints 0 %


def option_percent(count: int, respondents: int, *, published: int | None = None, live: int = 0) -> int:
    """An option's share of the question's respondents; a published figure stays as printed (seed 002 rounds
    183/642 to 28%) until answers arrive on the portal."""
    if live == 0 and published is not None:
        return published
    return percent(count, respondents)


def live_respondents(question_ids) -> dict[int, int]:
    """Confirmed portal respondents who answered each question (imported respondents not included)."""
    return dict(
        Answer.objects.filter(question_id__in=question_ids, response__confirmed_at__isnull=False)
        .values_list("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    )


def survey_results(survey: Survey) -> dict:
    """Counts and percentages per option, per scale value, text answers counted; five queries at any size."""
    questions = list(
        survey.questions.prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("order", "pk"))
        )
    )
    counted = Answer.objects.filter(response__survey=survey, response__confirmed_at__isnull=False)
    option_counts = dict(
        counted.filter(option__isnull=False).values_list("option_id").annotate(n=Count("id")).order_by()
    )
    scale_counts = defaultdict(dict)
    for qid, value, n in (
        counted.filter(scale_value__isnull=False)
        .values_list("question_id", "scale_value")
        .annotate(n=Count("id"))
        .order_by()
    ):
        scale_counts[qid][value] = n
    answered = live_respondents([q.pk for q in questions])
    live_total = counted_responses([survey.pk]).count()
    results = []
    for q in questions:
        results.append(_question_result(survey, q, option_counts, scale_counts, answered))
    return {
        "survey": survey,
        "respondents": survey.imported_respondents + live_total,
        "questions": results,
    }


def _question_result(survey, q: Question, option_counts, scale_counts, answered) -> dict:
    live = answered.get(q.pk, 0)
    imported = survey.imported_respondents if q.kind != Question.Kind.TEXT else 0
    respondents = imported + live
    result = {"id": q.pk, "question": q, "text": q.text, "kind": q.kind, "respondents": respondents}
    if q.has_options:
        options = []
        for o in q.options.all():
            count = o.imported_count + option_counts.get(o.pk, 0)
            pct = option_percent(count, respondents, published=o.imported_percent, live=live)
            options.append({"id": o.pk, "text": o.text, "count": count, "percent": pct})
        result["options"] = options
        result["max_count"] = max((o["count"] for o in options), default=0)
    elif q.kind == Question.Kind.SCALE:
        counts = scale_counts.get(q.pk, {})
        result["options"] = [
            {
                "id": v,
                "text": str(v),
                "count": counts.get(v, 0),
                "percent": percent(counts.get(v, 0), respondents),
            }
            for v in range(1, 6)
        ]
        total = sum(v * n for v, n in counts.items())
        result["average"] = round(total / live, 2) if live else None
        result["max_count"] = max((o["count"] for o in result["options"]), default=0)
    else:
        result["options"] = []
        result["text_answers"] = live
    return result


def question_results(question: Question) -> dict:
    for r in survey_results(question.survey)["questions"]:
        if r["id"] == question.pk:
            return r
    raise LookupError(question.pk)


# --- Draft-act versions ----------------------------------------------------------------------------------


def document_versions(discussion: Discussion) -> list[DocumentVersion]:
    """Every published редакция of the discussion, 1..n (one query)."""
    return list(DocumentVersion.objects.filter(discussion=discussion).order_by("number"))


def shown_version(versions, requested) -> DocumentVersion | None:
    """The редакция a reader asked for (`?version=2`), else the latest."""
    if not versions:
        return None
    wanted = str(requested or "").strip()
    for v in versions:
        if wanted and str(v.number) == wanted:
            return v
    return versions[-1]


def _published_count():
    return Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED))


def paragraphs_with_counts(version: DocumentVersion) -> list[DocumentParagraph]:
    """The version's points in order, each with `.comment_count` of its published comments (one query)."""
    return list(
        DocumentParagraph.objects.filter(version=version)
        .annotate(comment_count=_published_count())
        .order_by("position")
    )


def _normalized(text: str) -> str:
    return " ".join(text.lower().split())


def align_paragraphs(old: list[str], new: list[str]) -> dict[int, int | None]:
    """For each old paragraph index, the index of the new paragraph it became (None: removed).

    difflib matches the unchanged runs; inside a replaced run each old paragraph is paired, in order, with the
    most similar new one (at least half alike), so an edited point stays the same point and an inserted one
    stays new.
    """
    a, b = [_normalized(t) for t in old], [_normalized(t) for t in new]
    mapping: dict[int, int | None] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            mapping.update({i1 + k: j1 + k for k in range(i2 - i1)})
            continue
        next_j = j1
        for i in range(i1, i2):
            best, best_ratio = None, 0.5
            for j in range(next_j, j2):
                ratio = difflib.SequenceMatcher(None, a[i], b[j], autojunk=False).ratio()
                if ratio >= best_ratio:
                    best, best_ratio = j, ratio
            mapping[i] = best
            if best is not None:
                next_j = best + 1
    return mapping


def all_paragraphs(discussion: Discussion) -> dict[int, list[DocumentParagraph]]:
    """version id → its paragraphs with `.comment_count`, every version of the discussion in one query."""
    by_version = defaultdict(list)
    for p in (
        DocumentParagraph.objects.filter(version__discussion=discussion)
        .annotate(comment_count=_published_count())
        .order_by("version_id", "position")
    ):
        by_version[p.version_id].append(p)
    return by_version


def mark_changes(first: list[DocumentParagraph], later: list[DocumentParagraph]) -> list[DocumentParagraph]:
    """Each paragraph of a later version gets `.change` («same», «changed», «new») and `.was` (the first
    version's text of a changed one); returns the first version's paragraphs that were removed."""
    mapping = align_paragraphs([p.text for p in first], [p.text for p in later])
    became = {j: i for i, j in mapping.items() if j is not None}
    for j, p in enumerate(later):
        i = became.get(j)
        if i is None:
            p.change, p.was = "new", ""
        elif _normalized(first[i].text) == _normalized(p.text):
            p.change, p.was = "same", ""
        else:
            p.change, p.was = "changed", first[i].text
    return [first[i] for i, j in mapping.items() if j is None]


def versions_with_paragraphs(discussion: Discussion) -> list[DocumentVersion]:
    """Every редакция with `.paragraph_list` (comment counts, and from the second on what changed from the
    first) — the API's view of a draft act. Two queries at any size."""
    versions = document_versions(discussion)
    paragraphs = all_paragraphs(discussion)
    first = paragraphs.get(versions[0].pk, []) if versions else []
    for version in versions:
        version.paragraph_list = paragraphs.get(version.pk, [])
        if version is not versions[0]:
            mark_changes(first, version.paragraph_list)
    return versions


def already_answered(survey: Survey, *, user, respondent_key: str, new_visitor: bool) -> bool:
    """Has this respondent answered: by account where the survey asks to sign in, else by browser."""
    if survey.login_required:
        return user.is_authenticated and survey.responses.filter(user=user).exists()
    return not new_visitor and survey.responses.filter(respondent_key=respondent_key).exists()


def final_version_view(discussion: Discussion, versions, rows) -> dict | None:
    """«Итоговая редакция» beside the published summary: the final text with what changed from the first
    редакция, and the decisions on the comments made to each point (of whatever редакция), mapped onto the
    final point it became. `rows` are the summary's comments (with `paragraph`). Two queries at any size."""
    final = next((v for v in versions if v.is_final), None)
    if final is None:
        return None
    paragraphs = all_paragraphs(discussion)
    final_paragraphs = paragraphs.get(final.pk, [])
    first = versions[0]
    removed = mark_changes(paragraphs.get(first.pk, []), final_paragraphs) if first.pk != final.pk else []
    # Where each paragraph of every редакция ended up in the final one.
    lands: dict[int, DocumentParagraph | None] = {p.pk: p for p in final_paragraphs}
    for v in versions:
        if v.pk == final.pk:
            continue
        own = paragraphs.get(v.pk, [])
        mapping = align_paragraphs([p.text for p in own], [p.text for p in final_paragraphs])
        for i, p in enumerate(own):
            j = mapping.get(i)
            lands[p.pk] = final_paragraphs[j] if j is not None else None
    for p in final_paragraphs:
        p.decided = []
    removed_with_comments = defaultdict(list)
    for row in rows:
        if not row.paragraph_id or row.parent_id:
            continue
        target = lands.get(row.paragraph_id)
        if target is not None:
            target.decided.append(row)
        else:
            removed_with_comments[row.paragraph_id].append(row)
    removed_rows = [
        {"paragraph": row_list[0].paragraph, "rows": row_list} for row_list in removed_with_comments.values()
    ]
    return {
        "version": final,
        "first": first,
        "paragraphs": final_paragraphs,
        "changed": [p for p in final_paragraphs if getattr(p, "change", "same") == "changed"],
        "added": [p for p in final_paragraphs if getattr(p, "change", "same") == "new"],
        "removed": removed,
        "removed_comments": removed_rows,
    }


def moderation_queue(municipality_ids, *, limit: int = 50) -> dict:
    """The moderator's start page: comments waiting for a decision (new or hidden by flags), oldest first."""
    waiting = (
        Comment.objects.filter(
            discussion__municipality_id__in=municipality_ids,
            status__in=[Comment.Status.PENDING, Comment.Status.FLAGGED],
        )
        .select_related("discussion")
        .order_by("created_at", "pk")
    )
    flagged = Comment.objects.filter(
        discussion__municipality_id__in=municipality_ids, status=Comment.Status.PUBLISHED, flag_count__gt=0
    )
    return {"waiting": list(waiting[:limit]), "flagged_published": flagged.count()}


def draft_act_totals(municipality, start, end, *, now=None) -> dict:
    """Draft legal acts whose discussion window closed on the days start..end (local last day), and the
    citizens' remarks and proposals they received (moderator-hidden ones are not remarks); one query."""
    now = now or timezone.now()
    remark = Q(comments__is_official=False) & ~Q(comments__status=Comment.Status.HIDDEN)
    totals = Discussion.objects.filter(
        municipality=municipality,
        kind=Discussion.Kind.DRAFT_ACT,
        last_day__range=(start, end),
        closes_at__lte=now,
    ).aggregate(discussions=Count("pk", distinct=True), remarks=Count("comments", filter=remark))
    return {"discussions": totals["discussions"] or 0, "remarks": totals["remarks"] or 0}
