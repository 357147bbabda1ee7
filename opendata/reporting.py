"""Open data figures for the annual report (seed 002: «размещено 7 наборов открытых данных»)."""

from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .models import DataIssueReport, Dataset, DatasetRequest, DatasetVersion, DownloadEvent


def annual_totals(municipality, year: int) -> list[dict]:
    """Each item {"key", "label", "value"}; five queries whatever the number of sets."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    sets = Dataset.objects.filter(municipality=municipality, is_published=True).aggregate(
        published=Count("pk", filter=Q(created__lte=end)),
    )
    updated = (
        DatasetVersion.objects.filter(
            dataset__municipality=municipality, dataset__is_published=True, date__range=(start, end)
        )
        .values("dataset")
        .distinct()
        .count()
    )
    reports = DataIssueReport.objects.filter(dataset__municipality=municipality).aggregate(
        received=Count("pk", filter=Q(created_at__date__range=(start, end))),
        resolved=Count(
            "pk",
            filter=Q(
                answered_at__date__range=(start, end),
                status__in=[DataIssueReport.Status.FIXED, DataIssueReport.Status.REJECTED],
            ),
        ),
    )
    requests = DatasetRequest.objects.filter(
        municipality=municipality, created_at__date__range=(start, end)
    ).count()
    downloads = DownloadEvent.objects.filter(
        dataset__municipality=municipality, day__range=(start, end)
    ).count()
    return [
        {
            "key": "datasets_published",
            "label": _("Наборов открытых данных в реестре на конец года"),
            "value": sets["published"],
        },
        {"key": "datasets_updated", "label": _("Наборов, обновленных в течение года"), "value": updated},
        {
            "key": "issue_reports_received",
            "label": _("Поступило обращений об ошибках в данных"),
            "value": reports["received"],
        },
        {
            "key": "issue_reports_resolved",
            "label": _("Рассмотрено обращений об ошибках в данных"),
            "value": reports["resolved"],
        },
        {
            "key": "dataset_requests",
            "label": _("Поступило запросов на публикацию новых наборов"),
            "value": requests,
        },
        {
            "key": "downloads",
            "label": _("Скачиваний наборов (уникальных посетителей за день)"),
            "value": downloads,
        },
    ]
