"""Write logic for roadmaps: deadline generation and events, progress workflow, KPI actuals."""

import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openness_portal.periods import Period
from openness_portal.workdays.calendar import add_working_days

from . import access
from .deadline_parser import DeadlineKind, ParsedRule, generate_deadlines, parse_deadline, relative_due_date
from .models import Deadline, DeadlineRule, Kpi, KpiActual, Measure, ProgressEntry

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


def sync_rule_deadlines(measure: Measure, parsed: ParsedRule | None = None) -> int:
    """Make the measure's rule-generated deadlines match its rule; keeps moved dates and completions."""
    roadmap = measure.roadmap
    if parsed is None:
        parsed = ParsedRule.from_dict(measure.deadline_rule.parsed)
    generated = generate_deadlines(parsed, roadmap.first_year, roadmap.last_year)
    existing = {d.slot: d for d in measure.deadlines.filter(origin=Deadline.Origin.RULE)}
    wanted = set()
    to_create = []
    for g in generated:
        slot = deadline_slot(g.part_label, g.period, g.due_date, g.reporting_only)
        wanted.add(slot)
        if slot in existing:
            continue
        to_create.append(
            Deadline(
                measure=measure,
                slot=slot,
                origin=Deadline.Origin.RULE,
                due_date=g.due_date,
                period=g.period,
                part_label=g.part_label,
                reporting_only=g.reporting_only,
                completed_on=(roadmap.approving_act.date if g.done and roadmap.approving_act_id else None),
                not_applicable=g.done and not roadmap.approving_act_id,
            )
        )
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
    deadline.due_date = new_date
    deadline._change_reason = reason
    deadline.save(update_fields=["due_date"])
    return deadline


# --- Progress entries ------------------------------------------------------------------------------


def _period(code: str) -> Period:
    try:
        return Period.parse(code)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc


def _check_can_write(user, measure: Measure):
    if not access.can_edit_progress(user, measure):
        raise PermissionDenied(_("Вы не являетесь ответственным исполнителем этого мероприятия."))


def default_deadline_for(measure: Measure, period: Period) -> Deadline | None:
    """The open deadline an entry for this period most plausibly reports on."""
    open_deadlines = measure.deadlines.filter(completed_on__isnull=True, not_applicable=False)
    within = open_deadlines.filter(due_date__gte=period.start, due_date__lte=period.end).order_by("due_date")
    return (
        within.first()
        or open_deadlines.filter(reporting_only=True, period=str(period.year)).first()
        or open_deadlines.filter(due_date__lt=period.start).order_by("due_date").first()
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
    _check_can_write(user, measure)
    parsed_period = _period(period)
    if not (text or "").strip():
        raise ValidationError({"text": _("Опишите, что сделано.")})
    if deadline is not None and deadline.measure_id != measure.pk:
        raise ValidationError({"deadline": _("Срок относится к другому мероприятию.")})
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
    _check_can_write(user, entry.measure)
    if not entry.is_editable:
        raise ValidationError(_("Изменять можно только черновик или возвращенную информацию."))
    for field in ("text", "period", "deadline", "completed_on"):
        if field in changes:
            setattr(entry, field, changes[field])
    if "period" in changes:
        entry.period = _period(entry.period).code
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def submit_progress(entry: ProgressEntry, *, user) -> ProgressEntry:
    _check_can_write(user, entry.measure)
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
    """Accept an entry; its deadline is marked done on the completion date (on time or late)."""
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
    if entry.deadline_id and entry.deadline.completed_on is None:
        complete_deadline(entry.deadline, done_on)
    return entry


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
    entry = (
        ProgressEntry.objects.filter(
            measure=measure,
            deadline=deadline,
            status__in=[ProgressEntry.Status.DRAFT, ProgressEntry.Status.RETURNED],
        )
        .order_by("-created_at")
        .first()
    )
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
