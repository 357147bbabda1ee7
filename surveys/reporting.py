"""Yearly figures for the annual report: discussions, comments, surveys, respondents (four queries)."""

from datetime import date

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from .models import Comment, Discussion, Response, Survey, local_day_end


def _year_bounds(municipality, year):
    tz = municipality.tz
    return local_day_end(date(year - 1, 12, 31), tz), local_day_end(date(year, 12, 31), tz)


def annual_totals(municipality, year: int) -> list[dict]:
    """Discussions and surveys opened in the year (local time), their comments and respondents."""
    start, end = _year_bounds(municipality, year)
    discussions = Discussion.objects.filter(municipality=municipality, opens_at__gte=start, opens_at__lt=end)
    surveys = Survey.objects.filter(
        municipality=municipality, opens_at__gte=start, opens_at__lt=end, is_published=True
    )
    comments = (
        Comment.objects.filter(discussion__in=discussions, is_official=False)
        .exclude(status=Comment.Status.HIDDEN)
        .count()
    )
    survey_stats = surveys.aggregate(n=Count("pk"), imported=Sum("imported_respondents"))
    live = Response.objects.filter(survey__in=surveys, confirmed_at__isnull=False).count()
    return [
        {"key": "discussions", "label": _("Проведено общественных обсуждений"), "value": discussions.count()},
        {"key": "comments", "label": _("Поступило замечаний и предложений"), "value": comments},
        {"key": "surveys", "label": _("Проведено опросов населения"), "value": survey_stats["n"] or 0},
        {
            "key": "respondents",
            "label": _("Приняли участие в опросах, чел."),
            "value": (survey_stats["imported"] or 0) + live,
        },
    ]
