"""Messages the open data app sends, queued in the shared notifications log (one per key)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from openness_portal.notifications.recipients import coordinator_recipients
from openness_portal.notifications.services import deliver, queue_notification

from .models import DataIssueReport, DatasetRequest


def notify_issue_reported(report_id: int) -> bool:
    """Tell the set's responsible person (or the owner department) about a new error report."""
    report = DataIssueReport.objects.select_related(
        "dataset__municipality", "dataset__owner", "dataset__responsible_official", "version__structure"
    ).get(pk=report_id)
    dataset = report.dataset
    email = dataset.publisher_mbox or dataset.owner.email
    notification = queue_notification(
        key=f"opendata-issue:{report.pk}",
        kind="opendata_issue",
        recipient=dataset.publisher_name or dataset.owner.name,
        email=email,
        subject=f"Обращение № {report.pk} об ошибке в наборе открытых данных {dataset.identifier}",
        template="opendata/email/issue_reported",
        context={"report": report, "dataset": dataset},
        municipality=dataset.municipality,
        link=reverse("admin:opendata_dataissuereport_change", args=[report.pk]),
    )
    if notification is None or not notification.email:
        return False
    return deliver(notification.pk)


def notify_issue_answered(report_id: int, answered_at: str) -> bool:
    """Tell the citizen, if they left an address, that their report was answered."""
    report = DataIssueReport.objects.select_related("dataset__municipality", "fixed_version__structure").get(
        pk=report_id
    )
    if not report.author_email:
        return False
    notification = queue_notification(
        key=f"opendata-issue-answer:{report.pk}:{answered_at}",
        kind="opendata_issue_answer",
        recipient=report.author_name or report.author_email,
        email=report.author_email,
        subject=f"Ответ на обращение № {report.pk} об ошибке в открытых данных",
        template="opendata/email/issue_answered",
        context={"report": report, "dataset": report.dataset},
        municipality=report.dataset.municipality,
        link=report.get_absolute_url(),
    )
    if notification is None:
        return False
    return deliver(notification.pk)


def notify_dataset_requested(request_id: int) -> int:
    """Tell the municipality's coordinators, who decide what to open, about a request for a new set.

    With no coordinator the message is still recorded (without an address) so the admin log shows it.
    Returns how many messages were sent now.
    """
    obj = DatasetRequest.objects.select_related("municipality").get(pk=request_id)
    municipality = obj.municipality
    recipients = coordinator_recipients([municipality.pk]).get(municipality.pk) or []
    link = reverse("admin:opendata_datasetrequest_change", args=[obj.pk])
    subject = _("Запрос № %(number)s на публикацию набора открытых данных: %(title)s") % {
        "number": obj.pk,
        "title": obj.title[:120],
    }
    sent = 0
    for name, email, key in [(r.name, r.email, r.key) for r in recipients] or [("", "", "nobody")]:
        notification = queue_notification(
            key=f"opendata-request:{obj.pk}:{key}",
            kind="opendata_request",
            recipient=name or _("координатор"),
            email=email,
            subject=subject,
            template="opendata/email/dataset_requested",
            context={"obj": obj, "municipality": municipality},
            municipality=municipality,
            link=link,
        )
        if notification is not None and notification.email and deliver(notification.pk):
            sent += 1
    return sent
