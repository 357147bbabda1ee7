"""Reminder sources: data sets whose next update (last version date + periodicity) falls due; error reports
and dataset requests left without an answer for ANSWER_WORKING_DAYS working days."""

from collections.abc import Collection
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from openness_portal.notifications.registry import DueItem, Recipient, reminder_source
from openness_portal.workdays.calendar import add_working_days

from .models import DataIssueReport, Dataset, DatasetRequest

# How long a citizen waits for an answer before staff are reminded (then weekly, the "overdue" stages).
ANSWER_WORKING_DAYS = getattr(settings, "OPENDATA_ANSWER_WORKING_DAYS", 10)


def _recipients(dataset: Dataset) -> tuple[Recipient, ...]:
    official = dataset.responsible_official
    if official is not None:
        return (
            Recipient(
                name=official.name or official.post,
                email=official.email or dataset.responsible_email,
                official_id=official.pk,
            ),
        )
    if dataset.responsible_name or dataset.responsible_email:
        return (
            Recipient(
                name=dataset.responsible_name or dataset.responsible_email, email=dataset.responsible_email
            ),
        )
    owner = dataset.owner
    return (Recipient(name=owner.name, email=owner.email, department_id=owner.pk),)


@reminder_source("opendata_stale")
def stale_datasets(*, dates: Collection[date], municipality_ids: Collection[int] | None = None):
    """Published sets due for their periodic update on one of `dates` (one query)."""
    qs = Dataset.objects.filter(is_published=True, next_update_due__in=list(dates)).select_related(
        "responsible_official", "owner"
    )
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=list(municipality_ids))
    for dataset in qs.order_by("next_update_due", "pk"):
        yield DueItem(
            kind="opendata_stale",
            subject_key=f"dataset:{dataset.pk}:{dataset.modified.isoformat()}",
            due_date=dataset.next_update_due,
            title=f"Актуализировать набор открытых данных {dataset.identifier} «{dataset.title}» — "
            f"до {dataset.next_update_due:%d.%m.%Y}",
            link=reverse("admin:opendata_dataset_publish", args=[dataset.pk]),
            municipality_id=dataset.municipality_id,
            recipients=_recipients(dataset),
            details=f"Периодичность: {dataset.get_periodicity_display()}; последняя версия от "
            f"{dataset.modified:%d.%m.%Y}.",
        )


def _answer_due(created_at, municipality) -> date:
    return add_working_days(created_at.astimezone(municipality.tz).date(), ANSWER_WORKING_DAYS)


@reminder_source("opendata_issue_unanswered", stages="overdue")
def unanswered_issue_reports(*, dates: Collection[date], municipality_ids: Collection[int] | None = None):
    """Error reports still new or under review, without an answer, whose answer was due on one of `dates`.

    Open reports are few (one query for all of them); the due date needs the working-day calendar, so it is
    computed here rather than in SQL.
    """
    wanted = set(dates)
    qs = DataIssueReport.objects.filter(
        status__in=[DataIssueReport.Status.NEW, DataIssueReport.Status.IN_PROGRESS], answer=""
    ).select_related("dataset__municipality", "dataset__responsible_official", "dataset__owner")
    if municipality_ids is not None:
        qs = qs.filter(dataset__municipality_id__in=list(municipality_ids))
    for report in qs.order_by("created_at", "pk"):
        due = _answer_due(report.created_at, report.dataset.municipality)
        if due not in wanted:
            continue
        dataset = report.dataset
        yield DueItem(
            kind="opendata_issue_unanswered",
            subject_key=f"issue-report:{report.pk}",
            due_date=due,
            title=f"Ответить на обращение № {report.pk} об ошибке в наборе {dataset.identifier} "
            f"«{dataset.title}» — до {due:%d.%m.%Y}",
            link=reverse("admin:opendata_dataissuereport_change", args=[report.pk]),
            municipality_id=dataset.municipality_id,
            recipients=_recipients(dataset),
            details=f"Поступило {timezone.localtime(report.created_at):%d.%m.%Y}: {report.description[:200]}",
        )


@reminder_source("opendata_request_unanswered", stages="overdue")
def unanswered_dataset_requests(*, dates: Collection[date], municipality_ids: Collection[int] | None = None):
    """Requests for new sets still without an answer whose answer was due on one of `dates`; the
    municipality's coordinators decide what to open, so they are reminded."""
    wanted = set(dates)
    qs = DatasetRequest.objects.filter(status=DatasetRequest.Status.NEW, answer="").select_related(
        "municipality"
    )
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=list(municipality_ids))
    due_requests = [
        (obj, due)
        for obj in qs.order_by("created_at", "pk")
        if (due := _answer_due(obj.created_at, obj.municipality)) in wanted
    ]
    for obj, due in due_requests:
        yield DueItem(
            kind="opendata_request_unanswered",
            subject_key=f"dataset-request:{obj.pk}",
            due_date=due,
            title=f"Ответить на запрос № {obj.pk} о публикации набора «{obj.title[:120]}» — до {due:%d.%m.%Y}",
            link=reverse("admin:opendata_datasetrequest_change", args=[obj.pk]),
            municipality_id=obj.municipality_id,
            recipients=(),  # the sweep addresses items without recipients to the coordinators
            details=f"Поступил {timezone.localtime(obj.created_at):%d.%m.%Y}.",
        )
