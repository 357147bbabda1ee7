"""Write logic for roadmaps: deadline generation and events, progress workflow, KPI actuals."""

import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities import access
from openness_portal.periods import Period
from openness_portal.workdays.calendar import add_working_days

from . import signals
from .deadline_parser import (
    DeadlineKind,
    GeneratedDeadline,
    ParsedRule,
    generate_deadlines,
    parse_deadline,
    relative_due_date,
)
from .models import Deadline, DeadlineRule, Kpi, KpiActual, LegalAct, Measure, ProgressEntry
from .selectors import can_edit_progress, open_entry_for_deadline
from .signals import send_after_commit

logger = logging.getLogger(__name__)


def deadline_slot(part_label: str, period: str, due_date: date | None, reporting_only: bool) -> str:
    """The immutable key of a rule-generated deadline: regenerating a rule updates rows instead of duplicating."""
    kind = "report" if reporting_only else "due"
    return f"rule:{part_label[:40]}:{period}:{kind}:{due_date.isoformat() if due_date else '-'}"


@transaction.atomic
def set_deadline_rule(measure: Measure, text: str, *, trigger_measure: Measure | None = None) -> DeadlineRule:
    """Store the phrase as written, parse it, flag it if not understood, and (re)generate its deadlines."""
    roadmap = measure.roadmap
    parsed = parse_deadline(text or "", default_year=roadmap.first_year)
    rule, _created = DeadlineRule.objects.update_or_create(
        measure=measure,
        defaults={
            "text": text or "",
            "kind": parsed.kind.value,
            "parsed": parsed.to_dict(),
            "needs_clarification": not parsed.understood,
            **({"trigger_measure": trigger_measure} if trigger_measure is not None else {}),
        },
    )
    sync_rule_deadlines(measure, parsed)
    return rule


def _due_before_approval(g: GeneratedDeadline, approved_on: date | None) -> bool:
    """Nothing is due before the approving act: a date before it, or an undated period of an earlier year.

    A period that starts before approval but ends after it stays (its due date is after approval).
    """
    if approved_on is None or g.done:
        return False
    if g.due_date is not None:
        return g.due_date < approved_on
    year = g.period[-4:]
    return year.isdigit() and int(year) < approved_on.year


def rule_deadlines(
    measure: Measure, parsed: ParsedRule, first_year: int, last_year: int, act: LegalAct | None
) -> list[Deadline]:
    """The unsaved rows a rule makes over the plan's years (the one generator: sync and import use it)."""
    approved_on = act.date if act else None
    return [
        Deadline(
            measure=measure,
            slot=deadline_slot(g.part_label, g.period, g.due_date, g.reporting_only),
            origin=Deadline.Origin.RULE,
            due_date=g.due_date,
            period=g.period,
            part_label=g.part_label,
            reporting_only=g.reporting_only,
            completed_on=approved_on if g.done else None,
            not_applicable=g.done and approved_on is None,
        )
        # The production calendar with the region's exceptions: «до 6-го рабочего дня месяца …» counts them.
        for g in generate_deadlines(parsed, first_year, last_year, add_working_days=add_working_days)
        if not _due_before_approval(g, approved_on)
    ]


def sync_rule_deadlines(measure: Measure, parsed: ParsedRule | None = None) -> int:
    """Make the measure's rule-generated deadlines match its rule; keeps moved dates and completions."""
    roadmap = measure.roadmap
    if parsed is None:
        parsed = ParsedRule.from_dict(measure.deadline_rule.parsed)
    act = roadmap.approving_act if roadmap.approving_act_id else None
    generated = rule_deadlines(measure, parsed, roadmap.first_year, roadmap.last_year, act)
    existing = {d.slot: d for d in measure.deadlines.filter(origin=Deadline.Origin.RULE)}
    wanted = {d.slot for d in generated}
    to_create = [d for d in generated if d.slot not in existing]
    stale = [d.pk for slot, d in existing.items() if slot not in wanted and d.completed_on is None]
    if stale:
        Deadline.objects.filter(pk__in=stale).delete()
    for deadline in to_create:
        # save() rather than bulk_create so that the history records the creation.
        deadline.save()
    return len(to_create)


@transaction.atomic
def record_event(measure: Measure, event_date: date, *, note: str = "") -> Deadline | None:
    """An event a relative rule counts from happened: create its deadline (once per event date)."""
    rule = getattr(measure, "deadline_rule", None)
    if rule is None:
        return None
    parsed = ParsedRule.from_dict(rule.parsed)
    relative_parts = [p for p in (parsed.parts or (parsed,)) if p.kind == DeadlineKind.RELATIVE]
    if not relative_parts:
        return None
    created = None
    for part in relative_parts:
        # «… с переносом на ближайший рабочий день»: the rule, not the caller, says whether a day off moves it.
        due = relative_due_date(
            part, event_date, add_working_days, roll_to_working_day=part.roll_to_working_day
        )
        deadline, was_created = Deadline.objects.get_or_create(
            measure=measure,
            slot=f"event:{part.part_label[:40]}:{event_date.isoformat()}",
            defaults={
                "origin": Deadline.Origin.EVENT,
                "due_date": due,
                "event_date": event_date,
                "period": str(event_date.year),
                "part_label": part.part_label or note[:200],
            },
        )
        created = created or (deadline if was_created else None)
    return created


@transaction.atomic
def complete_deadline(deadline: Deadline, on: date) -> Deadline:
    """Mark a deadline done; measures whose rule counts from this one get their deadline now."""
    deadline.completed_on = on
    deadline.save(update_fields=["completed_on"])
    for rule in DeadlineRule.objects.filter(trigger_measure_id=deadline.measure_id).select_related("measure"):
        record_event(rule.measure, on, note=_("по исполнении мероприятия %s") % deadline.measure.number)
    return deadline


@transaction.atomic
def move_deadline(deadline: Deadline, new_date: date, *, reason: str, user=None) -> Deadline:
    """Change a due date; the reason is required and kept in the deadline's history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Укажите причину переноса срока.")})
    if user is not None and not access.is_coordinator(user, deadline.measure.roadmap.municipality_id):
        raise PermissionDenied(_("Переносить сроки может только координатор."))
    # The form may have set the new date on the instance already: the date before is the stored one.
    old_date = Deadline.objects.filter(pk=deadline.pk).values_list("due_date", flat=True).first()
    deadline.due_date = new_date
    deadline._change_reason = reason
    deadline.save(update_fields=["due_date"])
    if old_date != new_date:
        send_after_commit(
            signals.deadline_moved,
            Deadline,
            deadline=deadline,
            old_date=old_date,
            new_date=new_date,
            reason=reason,
            moved_at=timezone.now(),
        )
    return deadline


# --- Progress entries ------------------------------------------------------------------------------


def _period(code: str) -> Period:
    try:
        return Period.parse(code)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc


def check_can_write(user, measure: Measure) -> None:
    """Refuse, in the executor's words, a user who may not report on the measure."""
    if not can_edit_progress(user, measure):
        raise PermissionDenied(_("Вы не являетесь ответственным исполнителем этого мероприятия."))


def deadlines_of_period(period: Period) -> Q:
    """Which deadlines an entry for `period` reports on (the rule, in one place).

    A deadline due within the period, or the deadline of the period's own year: for a year entry one
    labelled with that year (a «по итогам года» report due next March included); for a half-year entry
    the year's deadline due that year or undated, so a 2022-H1 entry on an annual event held in spring
    meets the 2022 deadline. Never a deadline of an earlier period, overdue or not.
    """
    due_within = Q(due_date__gte=period.start, due_date__lte=period.end)
    if period.is_year:
        return due_within | Q(period=period.code)
    same_year = Q(due_date__isnull=True) | Q(due_date__year=period.year)
    return due_within | (Q(period=str(period.year)) & same_year)


def default_deadline_for(measure: Measure, period: Period) -> Deadline | None:
    """The open deadline of the period an entry reports on: the earliest due within it, else the year's."""
    of_period = measure.deadlines.open().filter(deadlines_of_period(period))
    within = of_period.filter(due_date__gte=period.start, due_date__lte=period.end).order_by("due_date", "id")
    return within.first() or of_period.order_by(F("due_date").asc(nulls_last=True), "id").first()


def _check_deadline_of_period(deadline: Deadline | None, measure: Measure, period: Period):
    if deadline is None:
        return
    if deadline.measure_id != measure.pk:
        raise ValidationError({"deadline": _("Срок относится к другому мероприятию.")})
    if not Deadline.objects.filter(deadlines_of_period(period), pk=deadline.pk).exists():
        raise ValidationError(
            {
                "deadline": _("Срок %(deadline)s не относится к отчетному периоду «%(period)s».")
                % {"deadline": deadline, "period": period.label}
            }
        )


@transaction.atomic
def create_progress_entry(
    *,
    user,
    measure: Measure,
    period: str,
    text: str,
    deadline: Deadline | None = None,
    completed_on: date | None = None,
) -> ProgressEntry:
    check_can_write(user, measure)
    parsed_period = _period(period)
    if not (text or "").strip():
        raise ValidationError({"text": _("Опишите, что сделано.")})
    _check_deadline_of_period(deadline, measure, parsed_period)
    entry = ProgressEntry(
        measure=measure,
        period=parsed_period.code,
        text=text.strip(),
        author=user,
        deadline=deadline,
        completed_on=completed_on,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def update_progress_entry(entry: ProgressEntry, *, user, **changes) -> ProgressEntry:
    check_can_write(user, entry.measure)
    if not entry.is_editable:
        raise ValidationError(_("Изменять можно только черновик или возвращенную информацию."))
    for field in ("text", "period", "deadline", "completed_on"):
        if field in changes:
            setattr(entry, field, changes[field])
    if "period" in changes:
        entry.period = _period(entry.period).code
    if "period" in changes or "deadline" in changes:
        _check_deadline_of_period(entry.deadline, entry.measure, _period(entry.period))
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def submit_progress(entry: ProgressEntry, *, user) -> ProgressEntry:
    check_can_write(user, entry.measure)
    if not entry.is_editable:
        raise ValidationError(_("Отправить на проверку можно только черновик или возвращенную информацию."))
    entry.status = ProgressEntry.Status.SUBMITTED
    entry.submitted_at = timezone.now()
    entry.save(update_fields=["status", "submitted_at"])
    return entry


def _check_can_review(user, entry: ProgressEntry):
    if not access.is_coordinator(user, entry.measure.roadmap.municipality_id):
        raise PermissionDenied(_("Принимать и возвращать информацию может только координатор."))


@transaction.atomic
def accept_progress(entry: ProgressEntry, *, user, on: date | None = None) -> ProgressEntry:
    """Accept an entry; the open deadline of its period is marked done on the completion date.

    With no open deadline in the period nothing is completed; `acceptance_notice` says so.
    """
    _check_can_review(user, entry)
    if entry.status != ProgressEntry.Status.SUBMITTED:
        raise ValidationError(_("Принять можно только информацию, отправленную на проверку."))
    municipality = entry.measure.roadmap.municipality
    done_on = on or entry.completed_on or municipality.local_today()
    if entry.deadline_id is None:
        entry.deadline = default_deadline_for(entry.measure, Period.parse(entry.period))
    entry.status = ProgressEntry.Status.ACCEPTED
    entry.completed_on = done_on
    entry.reviewed_at = timezone.now()
    entry.reviewed_by = user
    entry.return_reason = ""
    entry.save(
        update_fields=["status", "completed_on", "reviewed_at", "reviewed_by", "return_reason", "deadline"]
    )
    entry.completed_deadline = None
    if entry.deadline_id and entry.deadline.completed_on is None:
        entry.completed_deadline = complete_deadline(entry.deadline, done_on)
    send_after_commit(signals.progress_accepted, ProgressEntry, entry=entry)
    return entry


def acceptance_notice(entry: ProgressEntry) -> str:
    """What the coordinator is told when accepting completed no deadline (empty when one was completed)."""
    if getattr(entry, "completed_deadline", None) is not None:
        return ""
    period = Period.parse(entry.period).label
    if entry.deadline_id:
        return _("Срок %(deadline)s уже был отмечен исполненным; информация за %(period)s принята.") % {
            "deadline": entry.deadline,
            "period": period,
        }
    return _(
        "Информация за %(period)s принята, но срок не закрыт: у мероприятия %(number)s нет открытого "
        "срока за этот период."
    ) % {"period": period, "number": entry.measure.number}


@transaction.atomic
def return_progress(entry: ProgressEntry, *, user, reason: str) -> ProgressEntry:
    """Send an entry back to its author with a reason; the author is told at once."""
    _check_can_review(user, entry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"return_reason": _("Укажите причину возврата.")})
    if entry.status != ProgressEntry.Status.SUBMITTED:
        raise ValidationError(_("Вернуть можно только информацию, отправленную на проверку."))
    entry.status = ProgressEntry.Status.RETURNED
    entry.return_reason = reason
    entry.reviewed_at = timezone.now()
    entry.reviewed_by = user
    entry.save(update_fields=["status", "return_reason", "reviewed_at", "reviewed_by"])
    from .tasks import notify_progress_returned

    transaction.on_commit(lambda: notify_progress_returned.delay(entry.pk, entry.reviewed_at.isoformat()))
    return entry


@transaction.atomic
def record_kpi_actual(
    kpi: Kpi,
    *,
    period: str,
    value=None,
    text: str = "",
    source: str = "",
    progress_entry: ProgressEntry | None = None,
) -> KpiActual:
    """Enter (or correct) the actual value of a KPI for a period."""
    code = _period(period).code
    if kpi.kind == Kpi.Kind.QUANTITATIVE and value is None:
        raise ValidationError({"value": _("Для количественного показателя укажите число.")})
    actual, _created = KpiActual.objects.update_or_create(
        kpi=kpi,
        period=code,
        defaults={"value": value, "text": text, "source": source, "progress_entry": progress_entry},
    )
    return actual


# --- The executor's workspace: one form for a deadline -------------------------------------------------


def period_for_deadline(deadline: Deadline) -> Period:
    """The reporting period an entry on this deadline reports for: the deadline's own, or its due date's half-year."""
    from openness_portal.periods import period_of

    try:
        return Period.parse(deadline.period)
    except ValueError as exc:
        if deadline.due_date is None:
            raise ValidationError(
                _("У срока нет ни отчетного периода, ни даты: уточните срок у координатора.")
            ) from exc
        return period_of(deadline.due_date)


@transaction.atomic
def report_progress(
    *,
    user,
    deadline: Deadline,
    text: str,
    completed_on: date | None = None,
    evidence_url: str = "",
    kpi_values: dict | None = None,
    submit: bool = False,
) -> ProgressEntry:
    """Write (or rewrite) the entry for a deadline with its KPI facts and evidence, and optionally submit it.

    All or nothing: a refused KPI value leaves no entry behind.
    """
    from .models import Evidence

    measure = deadline.measure
    period = period_for_deadline(deadline)
    entry = open_entry_for_deadline(deadline)
    if entry is None:
        entry = create_progress_entry(
            user=user,
            measure=measure,
            period=period.code,
            text=text,
            deadline=deadline,
            completed_on=completed_on,
        )
    else:
        entry = update_progress_entry(entry, user=user, text=text, completed_on=completed_on)
    if evidence_url:
        Evidence.objects.get_or_create(progress_entry=entry, url=evidence_url)
    year = str(period.year)
    for kpi_id, value in (kpi_values or {}).items():
        if value is None:
            continue
        kpi = measure.kpis.get(pk=kpi_id)
        if kpi.kind == Kpi.Kind.QUANTITATIVE:
            record_kpi_actual(kpi, period=year, value=value, progress_entry=entry)
        elif str(value).strip():
            record_kpi_actual(kpi, period=year, text=str(value).strip(), progress_entry=entry)
    if submit:
        entry = submit_progress(entry, user=user)
    return entry
