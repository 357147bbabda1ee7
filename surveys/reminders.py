"""Reminder source «discussion_summary»: a closed discussion's summary is due 7 working days after close."""

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _

from municipalities.models import StaffRole
from openness_portal.notifications.registry import DueItem, Recipient, reminder_source

from .models import Discussion


@reminder_source("discussion_summary")
def discussion_summaries_due(*, dates, municipality_ids=None):
    """Closed discussions whose summary is not published, due on one of `dates`; three queries in all."""
    qs = (
        Discussion.objects.filter(summary_due_date__in=list(dates), closed_processed_at__isnull=False)
        .exclude(summary__published_at__isnull=False)
        .select_related("responsible", "summary")
        .order_by("summary_due_date", "pk")
    )
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=list(municipality_ids))
    discussions = list(qs)
    coordinators = defaultdict(list)
    needs_coordinators = {d.municipality_id for d in discussions if d.responsible_id is None}
    if needs_coordinators:
        for role in StaffRole.objects.filter(
            role=StaffRole.Role.COORDINATOR, municipality_id__in=needs_coordinators
        ).select_related("user"):
            user = role.user
            coordinators[role.municipality_id].append(
                Recipient(name=user.get_full_name() or user.get_username(), email=user.email)
            )
    for d in discussions:
        if d.responsible_id:
            o = d.responsible
            recipients = (Recipient(name=str(o), email=o.email, official_id=o.pk),)
        else:
            recipients = tuple(coordinators.get(d.municipality_id, ()))
        summary = getattr(d, "summary", None)
        link = (
            reverse("admin:surveys_discussionsummary_change", args=[summary.pk])
            if summary is not None
            else reverse("admin:surveys_discussion_change", args=[d.pk])
        )
        yield DueItem(
            kind="discussion_summary",
            subject_key=f"discussion_summary:{d.pk}",
            due_date=d.summary_due_date,
            title=_("Итоги обсуждения «%(title)s» — до %(due)s")
            % {"title": d.title[:150], "due": f"{d.summary_due_date:%d.%m.%Y}"},
            link=link,
            municipality_id=d.municipality_id,
            recipients=recipients,
            details=_("Обсуждение завершено %(day)s.") % {"day": f"{d.last_day:%d.%m.%Y}"},
        )
