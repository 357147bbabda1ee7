"""Reads for pages, the API, the KPI and the reports: each a fixed number of queries whatever the size."""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from municipalities.models import Municipality

from .models import (
    AgendaItem,
    Council,
    CouncilMember,
    CouncilRegulation,
    CouncilWorkPlan,
    GroupMembership,
    Meeting,
    Participant,
    ReferentGroup,
)


def experts_count(municipality: Municipality, *, as_of: date) -> int:
    """Experts in the database on a day: accepted by then, with consent given and not yet withdrawn."""
    return (
        Participant.objects.filter(
            municipality=municipality,
            is_expert=True,
            expert_status=Participant.ExpertStatus.ACCEPTED,
            consent=True,
        )
        .filter(Q(accepted_on__isnull=True) | Q(accepted_on__lte=as_of))
        .filter(Q(consent_date__isnull=True) | Q(consent_date__lte=as_of))
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__date__gt=as_of))
        .count()
    )


def ineligibility_reason(membership: GroupMembership | None) -> str:
    """Why a member gets no mailing («» when they do); Russian, shown in the delivery list."""
    if membership is None or membership.left_on is not None:
        return "исключен из группы"
    participant = membership.participant
    if not participant.consent:
        return "нет согласия на обработку персональных данных"
    if participant.withdrawn_at is not None:
        return "согласие на обработку персональных данных отозвано"
    if membership.unsubscribed_at is not None:
        return "отписался от рассылки"
    if not participant.email:
        return "нет адреса электронной почты"
    return ""


def public_groups() -> QuerySet:
    return (
        ReferentGroup.objects.filter(is_public=True)
        .select_related("municipality")
        .prefetch_related(
            "principles", "channels", "tools", "responsible_departments", "responsible_officials"
        )
        .annotate(
            participant_count=Count(
                "memberships",
                filter=Q(
                    memberships__left_on__isnull=True, memberships__participant__withdrawn_at__isnull=True
                ),
                distinct=True,
            )
        )
        .order_by("municipality__name", "name", "pk")
    )


def public_councils(*, today: date) -> QuerySet:
    """Public councils with their current members, regulations and work plans (five queries)."""
    members = CouncilMember.objects.current(today).order_by("order", "full_name", "pk")
    return (
        Council.objects.filter(is_public=True)
        .select_related("municipality")
        .prefetch_related(
            Prefetch("members", queryset=members, to_attr="current_members"),
            Prefetch("regulations", queryset=CouncilRegulation.objects.order_by("-date", "-pk")),
            Prefetch("work_plans", queryset=CouncilWorkPlan.objects.order_by("-year", "-pk")),
        )
        .annotate(
            meeting_count=Count(
                "meetings", filter=~Q(meetings__status=Meeting.Status.CANCELLED), distinct=True
            )
        )
        .order_by("municipality__name", "name", "pk")
    )


def council_meetings(council: Council) -> QuerySet:
    return (
        council.meetings.exclude(status=Meeting.Status.CANCELLED)
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order", "pk")))
        .order_by("-date", "-pk")
    )


def council_meeting_totals(municipality: Municipality, start: date, end: date) -> dict:
    """Public-council meetings held on the days start..end inclusive and their agenda items (one query)."""
    return Meeting.objects.filter(
        council__municipality=municipality, status=Meeting.Status.HELD, date__range=(start, end)
    ).aggregate(meetings=Count("pk", distinct=True), questions=Count("agenda_items"))
