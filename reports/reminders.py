"""Reminder source «report_due»: annual (by 1 March) and half-year reports not yet published.

Recipients: the period's owner if set, else the municipality's press secretary, else its coordinators.
Constant queries: periods, officials and coordinators are each read once for all municipalities.
"""

from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from municipalities.models import Official, StaffRole
from openness_portal.notifications.registry import DueItem, Recipient, reminder_source
from roadmaps.models import Roadmap

from .models import Report, ReportingPeriod

KIND = "report_due"


def _recipients(municipality_ids) -> tuple[dict, dict]:
    press = defaultdict(list)
    for official in Official.objects.filter(
        municipality_id__in=municipality_ids, is_press_secretary=True
    ).order_by("pk"):
        press[official.municipality_id].append(
            Recipient(name=str(official), email=official.email, official_id=official.pk)
        )
    coordinators = defaultdict(list)
    for role in StaffRole.objects.filter(
        municipality_id__in=municipality_ids, role=StaffRole.Role.COORDINATOR, user__is_active=True
    ).select_related("user"):
        user = role.user
        coordinators[role.municipality_id].append(
            Recipient(name=user.get_full_name() or user.username, email=user.email)
        )
    return press, coordinators


@reminder_source(KIND)
def reports_due(*, dates, municipality_ids=None):
    def published(kind):
        return Exists(
            Report.objects.filter(
                roadmap_id=OuterRef("roadmap_id"),
                period=OuterRef("code"),
                kind=kind,
                published_at__isnull=False,
                status=Report.Status.READY,
            )
        )

    periods = (
        ReportingPeriod.objects.filter(due_date__in=list(dates))
        .exclude(roadmap__status__in=[Roadmap.Status.DRAFT, Roadmap.Status.ARCHIVED])
        .annotate(annual_done=published(Report.Kind.ANNUAL), progress_done=published(Report.Kind.PROGRESS))
        .filter(
            Q(kind=ReportingPeriod.Kind.YEAR, annual_done=False)
            | Q(kind=ReportingPeriod.Kind.HALF_YEAR, progress_done=False)
        )
        .select_related("roadmap__municipality", "owner")
        .order_by("due_date", "pk")
    )
    if municipality_ids is not None:
        periods = periods.filter(roadmap__municipality_id__in=municipality_ids)
    periods = list(periods)
    press, coordinators = _recipients({p.roadmap.municipality_id for p in periods})
    for period in periods:
        roadmap = period.roadmap
        mid = roadmap.municipality_id
        if period.owner_id:
            recipients = [
                Recipient(name=str(period.owner), email=period.owner.email, official_id=period.owner_id)
            ]
        else:
            recipients = press.get(mid) or coordinators.get(mid) or []
        label = "Годовой отчет" if period.kind == ReportingPeriod.Kind.YEAR else "Отчет за полугодие"
        yield DueItem(
            kind=KIND,
            subject_key=f"report:{roadmap.pk}:{period.code}",
            due_date=period.due_date,
            title=f"{label} за {period.period.label.removesuffix(' года').removesuffix(' год')} — "
            f"опубликовать до {period.due_date:%d.%m.%Y}",
            link=reverse("admin:reports_report_changelist") + f"?period={period.code}",
            municipality_id=mid,
            recipients=tuple(recipients),
            details=roadmap.title[:200],
        )
