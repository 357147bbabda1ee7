"""Writes for referents: experts and the KPI they feed, memberships and unsubscribing, mailings, councils."""

import logging
from datetime import date

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities import access
from municipalities.models import Municipality, Official
from openness_portal.notifications.services import send_once
from roadmaps.models import Kpi, KpiActual
from roadmaps.services import record_event, record_kpi_actual

from . import selectors
from .models import (
    Council,
    CouncilMember,
    CouncilRegulation,
    CouncilWorkPlan,
    GroupMembership,
    Interaction,
    Mailing,
    MailingDelivery,
    Participant,
    ReferentGroup,
    Tool,
)
from .reference import MAILING_TOOL

logger = logging.getLogger(__name__)

EXPERTS_SOURCE = "referents.experts_count"  # Kpi.auto_source of «не менее 15 экспертов …» (seed 000, 2)
EXPERTS_SOURCE_LABEL = "база данных экспертов"
UNSUBSCRIBE_SALT = "referents.unsubscribe"
MAILING_BATCH_SIZE = 50
MAX_DELIVERY_ATTEMPTS = 5


# --- Experts and their KPI ---------------------------------------------------------------------------


def refresh_expert_kpis(municipality: Municipality, year: int | None = None) -> list[KpiActual]:
    """Write the number of experts as the actual of every experts KPI for the year; returns only rows written."""
    today = municipality.local_today()
    year = year or today.year
    kpis = list(
        Kpi.objects.filter(
            auto_source=EXPERTS_SOURCE,
            measure__roadmap__municipality=municipality,
            measure__roadmap__first_year__lte=year,
            measure__roadmap__last_year__gte=year,
        )
    )
    if not kpis:
        return []
    as_of = min(date(year, 12, 31), today)
    count = selectors.experts_count(municipality, as_of=as_of)
    # An unchanged count is not written again: every save would add a history row saying nothing.
    unchanged = set(
        KpiActual.objects.filter(
            kpi__in=kpis,
            period=str(year),
            value=count,
            text="",
            source=EXPERTS_SOURCE_LABEL,
            progress_entry__isnull=True,
        ).values_list("kpi_id", flat=True)
    )
    return [
        record_kpi_actual(kpi, period=str(year), value=count, source=EXPERTS_SOURCE_LABEL)
        for kpi in kpis
        if kpi.pk not in unchanged
    ]


def schedule_expert_kpi_refresh(municipality_id: int) -> None:
    """After the transaction that changed an expert commits, recount (a task: retried if it fails)."""
    from .tasks import refresh_expert_kpis_task

    transaction.on_commit(lambda: refresh_expert_kpis_task.delay(municipality_id))


def _official_of(user) -> Official | None:
    return access.official_of(user)


@transaction.atomic
def propose_expert(
    *,
    municipality: Municipality,
    name: str,
    proposed_by: Official | None,
    fields=(),
    email: str = "",
    phone: str = "",
    organisation: str = "",
    position: str = "",
    consent_date: date | None = None,
    proposed_on: date | None = None,
    kind: str = Participant.Kind.INDIVIDUAL,
    notes: str = "",
) -> Participant:
    """A department head puts forward a candidate for the experts database (seed 000, measure 1)."""
    participant = Participant(
        municipality=municipality,
        kind=kind,
        notes=notes,
        name=(name or "").strip(),
        organisation=organisation,
        position=position,
        email=email,
        phone=phone,
        consent=consent_date is not None,
        consent_date=consent_date,
        is_expert=True,
        expert_status=Participant.ExpertStatus.PROPOSED,
        proposed_by=proposed_by,
        proposed_on=proposed_on or municipality.local_today(),
    )
    if not participant.name:
        raise ValidationError({"name": _("Укажите ФИО эксперта.")})
    participant.full_clean()
    participant.save()
    participant.expert_fields.set(fields)
    return participant


@transaction.atomic
def accept_expert(participant: Participant, *, user, on: date | None = None) -> Participant:
    """The press secretary (a coordinator) takes a proposed expert into the database."""
    if not access.is_coordinator(user, participant.municipality_id):
        raise PermissionDenied(_("Включать экспертов в базу может только координатор (пресс-секретарь)."))
    if not participant.is_expert:
        raise ValidationError(_("Участник не предложен в качестве эксперта."))
    if not participant.has_consent:
        raise ValidationError(_("Нет действующего согласия эксперта на обработку персональных данных."))
    participant.expert_status = Participant.ExpertStatus.ACCEPTED
    participant.accepted_by = _official_of(user)
    participant.accepted_on = on or participant.municipality.local_today()
    participant.save(update_fields=["expert_status", "accepted_by", "accepted_on"])
    schedule_expert_kpi_refresh(participant.municipality_id)
    return participant


@transaction.atomic
def decline_expert(participant: Participant, *, user) -> Participant:
    if not access.is_coordinator(user, participant.municipality_id):
        raise PermissionDenied(_("Решение по кандидатуре эксперта принимает координатор (пресс-секретарь)."))
    participant.expert_status = Participant.ExpertStatus.DECLINED
    participant.save(update_fields=["expert_status"])
    schedule_expert_kpi_refresh(participant.municipality_id)
    return participant


@transaction.atomic
def withdraw_consent(participant: Participant, *, when=None) -> Participant:
    """The person withdrew consent: no more mailings, and an expert no longer counts."""
    if participant.withdrawn_at is None:
        participant.withdrawn_at = when or timezone.now()
        participant.save(update_fields=["withdrawn_at"])
        if participant.is_expert:
            schedule_expert_kpi_refresh(participant.municipality_id)
    return participant


# --- Groups and unsubscribing ------------------------------------------------------------------------


@transaction.atomic
def add_to_group(group: ReferentGroup, participant: Participant, *, joined_on: date | None = None):
    if group.municipality_id != participant.municipality_id:
        raise ValidationError(_("Участник и группа из разных муниципальных образований."))
    membership, _created = GroupMembership.objects.update_or_create(
        group=group,
        participant=participant,
        defaults={"left_on": None, "joined_on": joined_on or group.municipality.local_today()},
    )
    return membership


def unsubscribe_token(participant_id: int, group_id: int) -> str:
    return signing.dumps({"p": participant_id, "g": group_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(participant_id: int, group_id: int) -> str:
    path = reverse("referents:unsubscribe", args=[unsubscribe_token(participant_id, group_id)])
    return f"{settings.PORTAL_URL}{path}"


def membership_for_token(token: str) -> GroupMembership | None:
    """The membership a signed link names, or None when the link was forged or mangled."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return (
        GroupMembership.objects.select_related("group", "group__municipality")
        .filter(participant_id=data.get("p"), group_id=data.get("g"))
        .first()
    )


@transaction.atomic
def unsubscribe(membership: GroupMembership) -> GroupMembership:
    """Stop this group's mailings to this participant; repeating it changes nothing."""
    GroupMembership.objects.filter(pk=membership.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    membership.refresh_from_db(fields=["unsubscribed_at"])
    return membership


# --- Mailings ----------------------------------------------------------------------------------------


@transaction.atomic
def start_mailing(mailing: Mailing, *, user=None) -> int:
    """Fix the recipient list (one row per member, with why some get nothing) and queue the sending."""
    if user is not None and not access.is_coordinator(user, mailing.municipality_id):
        raise PermissionDenied(_("Отправлять рассылки может только координатор."))
    locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if locked.status != Mailing.Status.DRAFT:
        raise ValidationError(_("Рассылка уже отправлена или отправляется."))
    if not (locked.subject.strip() and locked.body.strip()):
        raise ValidationError(_("Заполните тему и текст письма."))
    memberships = GroupMembership.objects.filter(group_id=locked.group_id).select_related("participant")
    rows = []
    for membership in memberships:
        reason = selectors.ineligibility_reason(membership)
        rows.append(
            MailingDelivery(
                mailing=locked,
                participant=membership.participant,
                status=MailingDelivery.Status.SKIPPED if reason else MailingDelivery.Status.PENDING,
                reason=reason,
            )
        )
    MailingDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    locked.status = Mailing.Status.SENDING
    locked.queued_at = timezone.now()
    locked.save(update_fields=["status", "queued_at"])
    mailing.status, mailing.queued_at = locked.status, locked.queued_at

    from .tasks import send_mailing

    transaction.on_commit(lambda: send_mailing.delay(locked.pk))
    return sum(r.status == MailingDelivery.Status.PENDING for r in rows)


def _remaining(mailing_id: int):
    return MailingDelivery.objects.filter(mailing_id=mailing_id).filter(
        Q(status__in=[MailingDelivery.Status.PENDING, MailingDelivery.Status.SENDING])
        | Q(status=MailingDelivery.Status.FAILED, attempts__lt=MAX_DELIVERY_ATTEMPTS)
    )


def pending_batches(mailing_id: int, size: int = MAILING_BATCH_SIZE) -> list[list[int]]:
    ids = list(_remaining(mailing_id).order_by("pk").values_list("pk", flat=True))
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _message(mailing: Mailing, participant: Participant, connection) -> EmailMessage:
    link = unsubscribe_url(participant.pk, mailing.group_id)
    footer = _(
        "Вы получили это письмо как участник референтной группы «%(group)s» (%(municipality)s).\n"
        "Отказаться от рассылки: %(link)s"
    ) % {"group": mailing.group.name, "municipality": mailing.municipality.name, "link": link}
    return EmailMessage(
        subject=mailing.subject,
        body=f"{mailing.body.strip()}\n\n-- \n{footer}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[participant.email],
        connection=connection,
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def send_mailing_batch(mailing_id: int, delivery_ids: list[int]) -> int:
    """Send the listed deliveries that are still due; each is claimed first, so nobody gets it twice."""
    mailing = Mailing.objects.select_related("group", "municipality").get(pk=mailing_id)
    memberships = {
        m.participant_id: m
        for m in GroupMembership.objects.filter(
            group_id=mailing.group_id, participant__deliveries__pk__in=delivery_ids
        ).select_related("participant")
    }
    connection = get_connection()

    def send(delivery: MailingDelivery) -> bool:
        membership = memberships.get(delivery.participant_id)
        # Consent may have been withdrawn (or the link used) after the list was fixed: check again now.
        reason = selectors.ineligibility_reason(membership)
        if reason:
            MailingDelivery.objects.filter(pk=delivery.pk).update(
                status=MailingDelivery.Status.SKIPPED, reason=reason
            )
            return False
        _message(mailing, membership.participant, connection).send()
        return True

    deliveries = MailingDelivery.objects.filter(mailing_id=mailing_id)
    retry_failed = Q(status=MailingDelivery.Status.FAILED, attempts__lt=MAX_DELIVERY_ATTEMPTS)
    sent = sum(
        send_once(deliveries, delivery_id, send, retry_failed=retry_failed, error_field="reason")
        for delivery_id in delivery_ids
    )
    return sent


@transaction.atomic
def finish_mailing_if_done(mailing_id: int) -> bool:
    """Mark the mailing sent once no recipient is left, and log it as an interaction (once)."""
    if _remaining(mailing_id).exists():
        return False
    finished = Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).update(
        status=Mailing.Status.SENT, sent_at=timezone.now()
    )
    if finished:
        mailing = Mailing.objects.select_related("municipality").get(pk=mailing_id)
        Interaction.objects.get_or_create(
            mailing=mailing,
            defaults={
                "municipality": mailing.municipality,
                "group_id": mailing.group_id,
                "date": timezone.localtime(mailing.sent_at, mailing.municipality.tz).date(),
                "kind": Interaction.Kind.INFORMING,
                "tool": Tool.objects.filter(municipality__isnull=True, name=MAILING_TOOL).first(),
                "topic": mailing.subject[:500],
                "participants_count": mailing.deliveries.filter(status=MailingDelivery.Status.SENT).count(),
            },
        )
    return bool(finished)


# --- Public councils ---------------------------------------------------------------------------------

CHANGE_KINDS = {"membership", "regulation", "workplan"}


def record_council_change(council: Council, kind: str, change_date: date):
    """A change the site must show within the roadmap's relative deadline (seed 001, 5.1/5.2/5.4)."""
    if kind not in CHANGE_KINDS:
        raise ValueError(kind)
    measure = getattr(council, f"{kind}_measure")
    if measure is None:
        return None
    return record_event(measure, change_date, note=_("изменения: %s") % council.name)


@transaction.atomic
def add_council_member(
    council: Council, *, full_name: str, role=CouncilMember.Role.MEMBER, term_start=None, **fields
):
    member = CouncilMember(
        council=council, full_name=(full_name or "").strip(), role=role, term_start=term_start, **fields
    )
    member.full_clean()
    member.save()
    record_council_change(council, "membership", term_start or council.municipality.local_today())
    return member


@transaction.atomic
def end_council_membership(member: CouncilMember, *, on: date) -> CouncilMember:
    member.term_end = on
    member.full_clean()
    member.save(update_fields=["term_end"])
    record_council_change(member.council, "membership", on)
    return member


@transaction.atomic
def add_regulation(council: Council, *, title: str, date: date, **fields) -> CouncilRegulation:
    regulation = CouncilRegulation(council=council, title=title, date=date, **fields)
    regulation.full_clean()
    regulation.save()
    record_council_change(council, "regulation", date)
    return regulation


@transaction.atomic
def approve_work_plan(plan: CouncilWorkPlan, *, on: date) -> CouncilWorkPlan:
    plan.approved_on = on
    plan.full_clean()
    plan.save()
    record_council_change(plan.council, "workplan", on)
    return plan
