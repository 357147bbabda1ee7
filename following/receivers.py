"""Receivers of the lower apps' domain signals: each records one FollowEvent (once per occurrence).

They run after the change committed (the senders use `transaction.on_commit`) and through `send_robust`:
a failure here is logged by the sender and never undoes the change.
"""

from django.contrib.contenttypes.models import ContentType

from reports.signals import report_published
from roadmaps.models import Measure, Roadmap
from roadmaps.signals import deadline_moved, progress_accepted
from surveys.signals import discussion_closed, discussion_opened, summary_published

from . import services
from .models import FollowEvent

K = FollowEvent.Kind


def _measure(measure_id: int) -> Measure:
    return Measure.objects.select_related("roadmap__municipality").get(pk=measure_id)


def on_progress_accepted(sender, entry, **kwargs):
    measure = _measure(entry.measure_id)
    if not measure.roadmap.is_public:
        return None
    return services.record_event(
        kind=K.PROGRESS_ACCEPTED,
        object_key=f"progress:{entry.pk}",
        occurrence=entry.reviewed_at.isoformat(),
        title=f"{measure.number} {measure.title}",
        link=measure.get_absolute_url(),
        occurred_at=entry.reviewed_at,
        roadmap_id=measure.roadmap_id,
        measure_id=measure.pk,
        data={"period": entry.period, "text": (entry.text or "")[:4000]},
    )


def on_deadline_moved(sender, deadline, old_date, new_date, reason, moved_at, **kwargs):
    measure = _measure(deadline.measure_id)
    if not measure.roadmap.is_public:
        return None
    return services.record_event(
        kind=K.DEADLINE_MOVED,
        object_key=f"deadline:{deadline.pk}",
        occurrence=moved_at.isoformat(),
        title=f"{measure.number} {measure.title}",
        link=measure.get_absolute_url(),
        occurred_at=moved_at,
        roadmap_id=measure.roadmap_id,
        measure_id=measure.pk,
        data={
            "from": old_date.isoformat() if old_date else None,
            "to": new_date.isoformat() if new_date else None,
            "reason": reason,
            "period": deadline.period,
        },
    )


def on_report_published(sender, report, **kwargs):
    from django.urls import reverse

    roadmap = Roadmap.objects.select_related("municipality").get(pk=report.roadmap_id)
    if not roadmap.is_public:
        return None
    # Keyed by period and kind (not the row id), as when each format was a row of its own: events recorded
    # then and now are one event, so followers hear of the period's report once.
    return services.record_event(
        kind=K.REPORT_PUBLISHED,
        object_key=f"report:{roadmap.pk}:{report.period}:{report.kind}",
        occurrence="published",
        title=roadmap.title,
        link=reverse("reports:published", args=[roadmap.municipality.slug, roadmap.pk]),
        occurred_at=report.published_at,
        roadmap_id=roadmap.pk,
        data={"period": report.period, "kind": report.kind},
    )


def _discussion_targets(discussion) -> tuple[int | None, int | None] | None:
    """(roadmap id, measure id) of a discussion; None when it belongs to a roadmap not public."""
    roadmap_id = measure_id = None
    status = None
    if discussion.measure_id:
        row = Measure.objects.filter(pk=discussion.measure_id).values("roadmap_id", "roadmap__status").first()
        if row:
            measure_id, roadmap_id, status = discussion.measure_id, row["roadmap_id"], row["roadmap__status"]
    elif discussion.subject_type_id and discussion.subject_id:
        from reports.models import Report

        if discussion.subject_type_id == ContentType.objects.get_for_model(Report).pk:
            row = (
                Report.objects.filter(pk=discussion.subject_id)
                .values("roadmap_id", "roadmap__status")
                .first()
            )
            if row and row["roadmap_id"]:
                roadmap_id, status = row["roadmap_id"], row["roadmap__status"]
    if roadmap_id and status == Roadmap.Status.DRAFT:
        return None
    return roadmap_id, measure_id


def _discussion_event(discussion, *, kind, occurrence, occurred_at, data):
    targets = _discussion_targets(discussion)
    if targets is None:
        return None
    roadmap_id, measure_id = targets
    return services.record_event(
        kind=kind,
        object_key=f"discussion:{discussion.pk}",
        occurrence=occurrence,
        title=discussion.title,
        link=discussion.get_absolute_url(),
        occurred_at=occurred_at,
        roadmap_id=roadmap_id,
        measure_id=measure_id,
        discussion_id=discussion.pk,
        data=data,
    )


def on_discussion_opened(sender, discussion, **kwargs):
    return _discussion_event(
        discussion,
        kind=K.DISCUSSION_OPENED,
        occurrence="opened",
        occurred_at=discussion.opens_at,
        data={"last_day": discussion.last_day.isoformat()},
    )


def on_discussion_closed(sender, discussion, **kwargs):
    due = discussion.summary_due_date
    return _discussion_event(
        discussion,
        kind=K.DISCUSSION_CLOSED,
        occurrence="closed",
        occurred_at=discussion.closes_at,
        data={"last_day": discussion.last_day.isoformat(), "summary_due": due.isoformat() if due else None},
    )


def on_summary_published(sender, summary, **kwargs):
    return _discussion_event(
        summary.discussion,
        kind=K.SUMMARY_PUBLISHED,
        occurrence="summary",
        occurred_at=summary.published_at,
        data={"text": (summary.text or "")[:4000]},
    )


def connect() -> None:
    progress_accepted.connect(on_progress_accepted, dispatch_uid="following.progress_accepted")
    deadline_moved.connect(on_deadline_moved, dispatch_uid="following.deadline_moved")
    report_published.connect(on_report_published, dispatch_uid="following.report_published")
    discussion_opened.connect(on_discussion_opened, dispatch_uid="following.discussion_opened")
    discussion_closed.connect(on_discussion_closed, dispatch_uid="following.discussion_closed")
    summary_published.connect(on_summary_published, dispatch_uid="following.summary_published")

    from openness_portal import page_extras
    from surveys.models import Discussion

    from .views import feed_link, follow_box

    for model in (Roadmap, Measure, Discussion):
        page_extras.add("head", model, feed_link)
        page_extras.add("aside", model, follow_box)
