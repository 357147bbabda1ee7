"""Writes: reporting periods, reports and their file jobs (claim, build, finish), publication with its
public discussion."""

import hashlib
import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from municipalities import access
from municipalities.models import Municipality, Official
from openness_portal.periods import Period
from roadmaps.models import LegalAct, Roadmap
from roadmaps.signals import send_after_commit

from . import selectors, signals
from .models import InformationLetter, Report, ReportFile, ReportingPeriod, due_date_for
from .writers import WRITERS

logger = logging.getLogger(__name__)

# Hard time limits of the build tasks (seconds). A «building» row older than its limit was abandoned by
# a killed worker: no live task can run past its hard limit, so the next delivery may take it over.
TIME_LIMITS = {"pdf": settings.CELERY_LONGEST_TASK_SECONDS}
DEFAULT_TIME_LIMIT = settings.CELERY_TASK_TIME_LIMIT


def time_limit_for(fmt: str) -> int:
    return TIME_LIMITS.get(fmt, DEFAULT_TIME_LIMIT)


# --- Reporting periods ---------------------------------------------------------------------------------


def ensure_periods(roadmap: Roadmap, *, count: bool = True) -> int | None:
    """Create the half-year and year periods of every year of the roadmap (existing ones are kept).

    One INSERT … ON CONFLICT DO NOTHING; with `count`, two more queries say how many were new.
    """
    rows = []
    for year in roadmap.years:
        for period in (Period(year, 1), Period(year, 2), Period(year)):
            rows.append(
                ReportingPeriod(
                    roadmap=roadmap,
                    code=period.code,
                    kind=ReportingPeriod.Kind.YEAR if period.is_year else ReportingPeriod.Kind.HALF_YEAR,
                    starts_on=period.start,
                    ends_on=period.end,
                    due_date=due_date_for(period),
                )
            )
    if not count:
        ReportingPeriod.objects.bulk_create(rows, ignore_conflicts=True)
        return None
    before = roadmap.reporting_periods.count()
    ReportingPeriod.objects.bulk_create(rows, ignore_conflicts=True)
    return roadmap.reporting_periods.count() - before


# --- Jobs ----------------------------------------------------------------------------------------------


def validate_request(*, roadmap, region, period, kind, formats) -> Period:
    errors = {}
    try:
        parsed = Period.parse(period)
    except ValueError as exc:
        errors["period"] = str(exc)
        parsed = None
    if kind not in Report.Kind.values:
        errors["kind"] = _("Неизвестный вид отчета.")
    if not formats or any(fmt not in Report.Format.values for fmt in formats):
        errors["formats"] = _("Формат должен быть XLSX, PDF или DOCX.")
    if kind != Report.Kind.REGIONAL and roadmap is None:
        errors["roadmap"] = _("Укажите дорожную карту.")
    if kind == Report.Kind.ANNUAL and parsed and not parsed.is_year:
        errors["period"] = _("Годовой отчет строится за год (например, 2021).")
    # A progress report on a whole year is allowed: the table without the annual extras.
    if roadmap is not None and parsed and parsed.year not in roadmap.years:
        errors["period"] = _("Период вне срока действия дорожной карты (%(first)s–%(last)s).") % {
            "first": roadmap.first_year,
            "last": roadmap.last_year,
        }
    if errors:
        raise ValidationError(errors)
    return parsed


def _check_can_request(user, roadmap, kind) -> None:
    if user is None:
        return  # the system itself (beat, management command)
    if kind == Report.Kind.REGIONAL:
        role = access.role_of(user)
        if user.is_superuser or (role and role.role == role.Role.SUPERVISOR):
            return
    elif access.is_coordinator(user, roadmap.municipality_id):
        return
    raise PermissionDenied(_("Формировать этот отчет может только координатор или региональный куратор."))


def _refuse_if_published(report: Report) -> None:
    if report.is_published:
        raise ValidationError(
            _(
                "Отчет опубликован, его файлы не меняются: чтобы сформировать его заново, снимите его с публикации."
            )
        )


@transaction.atomic
def request_report(
    *,
    period: str,
    kind: str,
    formats=None,
    roadmap: Roadmap | None = None,
    region: str = "",
    user=None,
    idempotency_key: str | None = None,
) -> Report:
    """The report of (roadmap or region, period, kind) with a file in each of `formats` (all by default).

    Asking again returns the same report: a missing format is added, a failed file is built again, a
    ready one is kept. Each file is built by its own task, enqueued once the transaction commits.
    """
    formats = list(dict.fromkeys(formats or Report.Format.values))
    parsed = validate_request(roadmap=roadmap, region=region, period=period, kind=kind, formats=formats)
    _check_can_request(user, roadmap, kind)
    if kind == Report.Kind.REGIONAL and not region and roadmap is not None:
        region = roadmap.municipality.region
    if idempotency_key:
        existing = Report.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    requester = user if user is not None and user.is_authenticated else None
    scope = {"roadmap": roadmap} if roadmap is not None else {"roadmap": None, "region": region}
    # The report's row is the lock: two requests for the same report add its files one after the other.
    report, created = Report.objects.select_for_update().get_or_create(
        **scope,
        period=parsed.code,
        kind=kind,
        defaults={"region": region, "requested_by": requester, "idempotency_key": idempotency_key},
    )
    have = {f.format: f for f in report.files.all()}
    queued = [ReportFile(report=report, format=fmt) for fmt in formats if fmt not in have]
    retried = [have[fmt] for fmt in formats if fmt in have and have[fmt].status == ReportFile.Status.FAILED]
    if not (queued or retried):
        return report
    _refuse_if_published(report)
    for file in queued:
        file.save()
    ReportFile.objects.filter(pk__in=[f.pk for f in retried]).update(
        status=ReportFile.Status.QUEUED, error=""
    )
    if not created:
        Report.objects.filter(pk=report.pk).update(requested_by=requester, requested_at=timezone.now())
    for file in [*queued, *retried]:
        enqueue_build(file)
    refresh_status(report.pk)
    report.refresh_from_db()
    return report


def enqueue_build(file: ReportFile) -> None:
    from . import tasks

    task = tasks.build_report_pdf if file.format == Report.Format.PDF else tasks.build_report
    transaction.on_commit(lambda: task.delay(file.pk))


@transaction.atomic
def rebuild_report(report: Report, *, user=None) -> Report:
    """Build every file of an unpublished report again from today's data (the same report, new files)."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("roadmap__municipality")
        .get(pk=report.pk)
    )
    _check_can_request(user, report.roadmap, report.kind)
    _refuse_if_published(report)
    files = list(
        report.files.filter(status__in=[ReportFile.Status.READY, ReportFile.Status.FAILED]).order_by("pk")
    )
    if not files:
        raise ValidationError(_("Отчет уже формируется."))
    ReportFile.objects.filter(pk__in=[f.pk for f in files]).update(status=ReportFile.Status.QUEUED, error="")
    Report.objects.filter(pk=report.pk).update(
        requested_by=user if user is not None and user.is_authenticated else report.requested_by,
        requested_at=timezone.now(),
    )
    for file in files:
        enqueue_build(file)
    refresh_status(report.pk)
    report.refresh_from_db()
    return report


def overall_status(statuses) -> str:
    """A report's state from its files': failed if one failed, ready if all are, queued if none started."""
    statuses = set(statuses)
    if Report.Status.FAILED in statuses:
        return Report.Status.FAILED
    if statuses == {Report.Status.READY}:
        return Report.Status.READY
    if not statuses or statuses == {Report.Status.QUEUED}:
        return Report.Status.QUEUED
    return Report.Status.BUILDING


def refresh_status(report_id: int) -> None:
    """Store the report's state after one of its files changed (the report's row lock orders two workers)."""
    with transaction.atomic():
        list(Report.objects.select_for_update().filter(pk=report_id).values_list("pk"))
        statuses = ReportFile.objects.filter(report_id=report_id).values_list("status", flat=True)
        Report.objects.filter(pk=report_id).update(status=overall_status(statuses))


class Claim:
    CLAIMED = "claimed"
    DONE = "done"  # already ready (or failed for good): nothing to do
    BUSY = "busy"  # another live worker is building it


def claim(file_id: int) -> tuple[str, int, int]:
    """Compare-and-set the file to «building»; returns (outcome, attempt, seconds until a busy row is stale).

    A queued or failed file is claimed at once; a «building» one is taken over only once its start is older
    than the task's hard time limit (its worker is certainly dead).
    """
    return _claim(ReportFile, file_id, fields=("format",), limit=lambda row: time_limit_for(row["format"]))


def _claim(model, pk: int, *, fields=(), limit=lambda row: DEFAULT_TIME_LIMIT) -> tuple[str, int, int]:
    """`claim` for any build row with status, started_at, finished_at, error and attempts (files, letters)."""
    now = timezone.now()
    row = model.objects.filter(pk=pk).values("status", "started_at", "attempts", *fields).first()
    if row is None or row["status"] == model.Status.READY:
        return Claim.DONE, 0, 0
    stale_after = timedelta(seconds=limit(row))
    updated = (
        model.objects.filter(pk=pk)
        .filter(
            Q(status__in=[model.Status.QUEUED, model.Status.FAILED])
            | Q(status=model.Status.BUILDING, started_at__lt=now - stale_after)
        )
        .update(
            status=model.Status.BUILDING,
            started_at=now,
            finished_at=None,
            error="",
            attempts=F("attempts") + 1,
        )
    )
    if updated:
        return Claim.CLAIMED, row["attempts"] + 1, 0
    wait = (row["started_at"] + stale_after - now).total_seconds() if row["started_at"] else 60
    return Claim.BUSY, 0, max(1, int(wait) + 1)


def _store(name: str, write) -> tuple[str, str, int, object]:
    """Write a file through `write(fileobj)` into a temporary file, then into the storage under `name`;
    returns (stored name, SHA-256, size, what `write` returned)."""
    with tempfile.TemporaryFile() as tmp:
        result = write(tmp)
        tmp.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: tmp.read(1 << 20), b""):
            digest.update(chunk)
        size = tmp.tell()
        tmp.seek(0)
        stored = default_storage.save(name, File(tmp))
    return stored, digest.hexdigest(), size, result


def _build_to(file: ReportFile, fileobj) -> int:
    report = file.report
    document = selectors.document_for(
        kind=report.kind, period=Period.parse(report.period), roadmap=report.roadmap, region=report.region
    )
    return WRITERS[file.format](document, fileobj)


def build(file_id: int) -> tuple[str, int]:
    """Claim and build one file of a report; returns (outcome, seconds to wait when busy).

    The finishing update lands only if this attempt still owns the row, so a file finishes once; the
    report's state follows its files.
    """
    outcome, attempt, wait = claim(file_id)
    if outcome != Claim.CLAIMED:
        return outcome, wait
    file = ReportFile.objects.select_related(
        "report__roadmap__municipality", "report__roadmap__approving_act"
    ).get(pk=file_id)
    refresh_status(file.report_id)
    try:
        return _build_claimed(
            file,
            attempt,
            folder=f"reports/{file.pk}",
            write=lambda tmp: _build_to(file, tmp),
            recorded=lambda rows: {"rows": rows},
        )
    finally:
        refresh_status(file.report_id)


def _build_claimed(job, attempt: int, *, folder: str, write, recorded=lambda result: {}) -> tuple[str, int]:
    """Write a claimed job's file and mark it ready, if this attempt still owns the row (files, letters).

    `recorded(result)` gives the extra fields to store from what `write` returned (a report's row count).
    """
    model = type(job)
    try:
        name, checksum, size, result = _store(f"{folder}/{attempt}-{job.filename}", write)
    except Exception as exc:
        fail(job.pk, attempt, exc, model=model)
        raise
    finished = model.objects.filter(pk=job.pk, status=model.Status.BUILDING, attempts=attempt).update(
        status=model.Status.READY,
        file=name,
        checksum=checksum,
        size=size,
        finished_at=timezone.now(),
        error="",
        **recorded(result),
    )
    if not finished:  # a later attempt took the row over: ours is surplus
        default_storage.delete(name)
        return Claim.DONE, 0
    _remove_other_files(folder, keep=name)
    return Claim.CLAIMED, 0


def _remove_other_files(folder: str, *, keep: str) -> None:
    """Files of attempts killed after writing, and of earlier builds: one job keeps exactly one file."""
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for filename in files:
        path = f"{folder}/{filename}"
        if path != keep:
            default_storage.delete(path)


def fail(job_id: int, attempt: int, exc: BaseException, *, model=ReportFile) -> None:
    message = f"{type(exc).__name__}: {exc}"[:4000]
    model.objects.filter(pk=job_id, attempts=attempt, status=model.Status.BUILDING).update(
        status=model.Status.FAILED, error=message, finished_at=timezone.now()
    )


def build_to_path(*, roadmap, region: str, period: str, kind: str, fmt: str, path: str) -> int:
    """Build a report straight into a file, without a job row (the management command)."""
    parsed = validate_request(roadmap=roadmap, region=region, period=period, kind=kind, formats=[fmt])
    document = selectors.document_for(kind=kind, period=parsed, roadmap=roadmap, region=region)
    with open(path, "wb") as fileobj:
        return WRITERS[fmt](document, fileobj)


# --- Publication ---------------------------------------------------------------------------------------


def report_owner(roadmap: Roadmap, period_code: str = "") -> Official | None:
    """Who answers for the report: the period's owner, else the municipality's press secretary."""
    return selectors.report_owner(roadmap, period_code)


def public_download_url(file: ReportFile) -> str:
    return settings.PORTAL_URL + reverse("reports:download", args=[file.pk])


DISCUSSION_DAYS = 15
# The file a discussion links to: the one a citizen reads on any device first.
DISCUSSION_FORMATS = [Report.Format.PDF, Report.Format.DOCX, Report.Format.XLSX]


@transaction.atomic
def publish_report(report: Report, *, user=None) -> Report:
    """Put a ready report (all its files) on the public site; the first publication opens its discussion."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("roadmap__municipality")
        .get(pk=report.pk)
    )
    if user is not None and not access.is_coordinator(
        user, report.roadmap.municipality_id if report.roadmap else 0
    ):
        raise PermissionDenied(_("Публиковать отчеты может только координатор."))
    if report.roadmap is None:
        raise ValidationError(
            _("Сводка по муниципальным образованиям не публикуется на сайте муниципалитета.")
        )
    files = report.files_in_order()
    waiting = [f.get_format_display() for f in files if f.status != ReportFile.Status.READY]
    if not files or waiting:
        message = _("Опубликовать можно только сформированный отчет.")
        if waiting:
            message += " " + _("Не готовы: %(formats)s.") % {"formats": ", ".join(waiting)}
        raise ValidationError(message)
    if report.is_published:
        return report
    report.published_at = timezone.now()
    report.published_by = user if user is not None and user.is_authenticated else None
    if report.discussion_id is None and report.kind != Report.Kind.REGIONAL:
        document = min(files, key=lambda f: DISCUSSION_FORMATS.index(f.format))
        discussion = _open_discussion(report, document)
        report.discussion_id = getattr(discussion, "pk", None)
    report.save(update_fields=["published_at", "published_by", "discussion_id"])
    send_after_commit(signals.report_published, Report, report=report)
    return report


def _open_discussion(report: Report, document: ReportFile):
    try:
        from surveys.services import open_discussion
    except ImportError:
        logger.warning(
            "surveys.services.open_discussion is missing: report %s published without a discussion", report.pk
        )
        return None
    period = Period.parse(report.period)
    roadmap = report.roadmap
    return open_discussion(
        municipality=roadmap.municipality,
        title=_("Обсуждение: %(kind)s за %(period)s")
        % {"kind": report.get_kind_display(), "period": period.label},
        description=_(
            "Опубликован отчет о ходе реализации «%(roadmap)s» за %(period)s. Замечания и предложения "
            "принимаются в течение %(days)s дней."
        )
        % {"roadmap": roadmap.title, "period": period.label, "days": DISCUSSION_DAYS},
        subject=report,
        document_url=public_download_url(document),
        responsible=report_owner(roadmap, report.period),
    )


@transaction.atomic
def unpublish_report(report: Report, *, user=None) -> None:
    if (
        user is not None
        and report.roadmap
        and not access.is_coordinator(user, report.roadmap.municipality_id)
    ):
        raise PermissionDenied(_("Снимать отчеты с публикации может только координатор."))
    Report.objects.filter(pk=report.pk).update(published_at=None, published_by=None)


# --- Scheduled: the annual report draft in January -----------------------------------------------------


def prepare_annual_drafts(today=None) -> list[Report]:
    """In January, build the previous year's annual report draft of every running roadmap (once)."""
    today = today or timezone.localdate()
    year = today.year - 1
    created = []
    roadmaps = Roadmap.objects.exclude(status__in=[Roadmap.Status.DRAFT, Roadmap.Status.ARCHIVED]).filter(
        first_year__lte=year, last_year__gte=year
    )
    for roadmap in roadmaps.select_related("municipality"):
        ensure_periods(roadmap)
        ordered = selectors.ordered_report(
            roadmap=roadmap, region="", period=str(year), kind=Report.Kind.ANNUAL
        )
        if ordered is not None and ordered.is_published:
            continue  # already out, and frozen: no draft to build (and no reason to stop the other roadmaps)
        report = request_report(
            roadmap=roadmap,
            period=str(year),
            kind=Report.Kind.ANNUAL,
            formats=[Report.Format.DOCX],
            idempotency_key=f"annual-draft:{roadmap.pk}:{year}",
        )
        created.append(report)
    return created


# --- Information letters (seed 004) --------------------------------------------------------------------


@dataclass
class LetterDocument:
    """A letter as its writer lays it out: letterhead, addressee, title, paragraphs, signature."""

    sender: str
    date_line: str
    reference: str
    addressee: list[str]
    title: str
    subject: str
    paragraphs: list[str]
    signatory_post: list[str]
    signatory_name: str
    performer: str


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _in_period(period: Period) -> str:
    """«В 2021 году» / «В II полугодии 2021 года»."""
    if period.is_year:
        return _("В %(year)d году") % {"year": period.year}
    return _("В %(half)s полугодии %(year)d года") % {
        "half": "I" if period.half == 1 else "II",
        "year": period.year,
    }


def _for_period(period: Period) -> str:
    """«За 2021 год» / «За II полугодие 2021 года»."""
    if period.is_year:
        return _("За %(year)d год") % {"year": period.year}
    return _("За %(half)s полугодие %(year)d года") % {
        "half": "I" if period.half == 1 else "II",
        "year": period.year,
    }


def _long_date(day) -> str:
    """«19 марта 2021 г.»"""
    return _("%(date)s г.") % {"date": dateformat.format(day, "j E Y")}


def _plan_sentence(roadmap: Roadmap) -> str:
    """«Работа строится на основании Плана мероприятий …, утвержденного распоряжением от … № …»."""
    act = roadmap.approving_act
    if roadmap.title.startswith("План "):  # the title is itself the phrase: «План мероприятий по …»
        plan, masculine = "Плана " + roadmap.title[len("План ") :], True
    elif roadmap.kind == Roadmap.Kind.ACTION_PLAN:
        plan, masculine = _("плана мероприятий «%(title)s»") % {"title": roadmap.title}, True
    else:
        plan, masculine = _("дорожной карты «%(title)s»") % {"title": roadmap.title}, False
    if act is None:
        return _("Работа строится на основании %(plan)s.") % {"plan": plan}
    by_act = {
        LegalAct.Kind.ORDER: _("распоряжением"),
        LegalAct.Kind.RESOLUTION: _("постановлением"),
        LegalAct.Kind.DECISION: _("решением"),
    }.get(act.kind, _("правовым актом"))
    values = {"plan": plan, "act": by_act, "date": _long_date(act.date), "number": act.number}
    if masculine:
        return (
            _("Работа строится на основании %(plan)s, утвержденного %(act)s от %(date)s № %(number)s.")
            % values
        )
    return _("Работа строится на основании %(plan)s, утвержденной %(act)s от %(date)s № %(number)s.") % values


def _draft_acts_paragraph(f: selectors.LetterFigures) -> str:
    sentences = [
        _(
            "Общественное обсуждение проектов правовых актов проводится путем их размещения "
            "в информационно-телекоммуникационной сети «Интернет»."
        )
    ]
    when, during = _in_period(f.draft_act_period), _for_period(f.draft_act_period)
    if not f.draft_acts:
        sentences.append(
            _("%(when)s проекты правовых актов на общественное обсуждение не выносились.") % {"when": when}
        )
        return " ".join(sentences)
    sentences.append(
        ngettext(
            "%(when)s процедуру общественного обсуждения прошел %(n)d проект правового акта.",
            "%(when)s процедуру общественного обсуждения прошли %(n)d проектов правовых актов.",
            f.draft_acts,
        )
        % {"when": when, "n": f.draft_acts}
    )
    if f.remarks:
        sentences.append(
            _(
                "%(during)s в ходе общественного обсуждения по проектам правовых актов поступило "
                "замечаний и предложений: %(n)d."
            )
            % {"during": during, "n": f.remarks}
        )
    else:
        sentences.append(
            _(
                "%(during)s в ходе общественного обсуждения замечаний и предложений по проектам правовых "
                "актов не поступало."
            )
            % {"during": during}
        )
    return " ".join(sentences)


def _council_paragraph(f: selectors.LetterFigures) -> str:
    during = _for_period(f.period)
    if not f.meetings:
        return _("%(during)s заседания общественного совета не проводились.") % {"during": during}
    held = ngettext(
        "%(during)s проведено %(n)d заседание общественного совета",
        "%(during)s проведено %(n)d заседаний общественного совета",
        f.meetings,
    ) % {"during": during, "n": f.meetings}
    if not f.agenda_items:
        return held + "."
    considered = ngettext(
        "где рассмотрено %(n)d вопрос", "где рассмотрено %(n)d вопросов", f.agenda_items
    ) % {"n": f.agenda_items}
    return f"{held}, {considered}."


def _appeals_paragraph(f: selectors.LetterFigures) -> str:
    sentences = [
        _(
            "Обеспечивается информационный обмен между органами местного самоуправления и населением "
            "посредством организации работы «телефонов доверия», проведения приемов граждан."
        )
    ]
    during = _for_period(f.period)
    if not f.appeals:
        sentences.append(_("%(during)s обращения граждан не поступали.") % {"during": during})
        return " ".join(sentences)
    received = ngettext(
        "%(during)s поступило %(n)d обращение", "%(during)s поступило %(n)d обращений", f.appeals
    ) % {"during": during, "n": f.appeals}
    trust = _("из них поступивших на «телефон доверия» - %(n)d") % {"n": f.trust_line}
    sentences.append(f"{received}, {trust}.")
    if f.appeals_on_time == f.appeals:
        sentences.append(_("На все обращения заявители получили ответы в установленный срок."))
    else:
        sentences.append(
            _("Ответ в установленный срок дан на обращений: %(on_time)d из %(total)d.")
            % {"on_time": f.appeals_on_time, "total": f.appeals}
        )
    return " ".join(sentences)


def _service_centre_paragraph(f: selectors.LetterFigures) -> str | None:
    """«На базе многофункционального центра предоставляется всего 290 услуг. На 21 декабря 2021 года
    обратилось 45939 человек, из них через удаленные пункты – 9312 человек.»; None when none recorded."""
    figures = f.service_centre
    if figures is None:
        return None
    offered = ngettext(
        "На базе многофункционального центра предоставляется всего %(n)d услуга.",
        "На базе многофункционального центра предоставляется всего %(n)d услуг.",
        figures.services,
    ) % {"n": figures.services}
    day = _("%(date)s года") % {"date": dateformat.format(figures.as_of, "j E Y")}
    applied = ngettext(
        "На %(date)s обратился %(n)d человек",
        "На %(date)s обратилось %(n)d человек",
        figures.applicants,
    ) % {"date": day, "n": figures.applicants}
    if figures.remote_applicants:
        remote = ngettext(
            "из них через удаленные пункты – %(n)d человек",
            "из них через удаленные пункты – %(n)d человек",
            figures.remote_applicants,
        ) % {"n": figures.remote_applicants}
        applied = f"{applied}, {remote}"
    return f"{offered} {applied}."


def letter_paragraphs(letter: InformationLetter, figures: selectors.LetterFigures) -> list[str]:
    """The letter's text in seed 004's order; every number comes from `figures`, none is typed. A
    paragraph whose register holds nothing for the period (the service centre's figures) is left out."""
    intro = _("%(sender)s направляет в Ваш адрес информацию %(subject)s.") % {
        "sender": letter.sender,
        "subject": letter.subject,
    }
    paragraphs = [
        f"{intro} {_plan_sentence(letter.roadmap)}",
        _draft_acts_paragraph(figures),
        _service_centre_paragraph(figures),
        _council_paragraph(figures),
        _appeals_paragraph(figures),
    ]
    return [paragraph for paragraph in paragraphs if paragraph]


def letter_document(letter: InformationLetter, *, now=None) -> LetterDocument:
    """Read the figures and lay out the text: four queries (the letter's roadmap is selected with it)."""
    period = Period.parse(letter.period)
    figures = selectors.letter_figures(letter.roadmap, period, now=now)
    date_line = _("%(date)s № %(number)s") % {"date": f"{letter.date:%d.%m.%Y}", "number": letter.number}
    return LetterDocument(
        sender=letter.sender,
        date_line=date_line,
        reference=letter.reference,
        addressee=_lines(letter.addressee),
        title=_("Информация"),
        subject=letter.subject,
        paragraphs=letter_paragraphs(letter, figures),
        signatory_post=_lines(letter.signatory_post),
        signatory_name=letter.signatory_name,
        performer=letter.performer,
    )


def default_letter_subject(roadmap: Roadmap) -> str:
    return _("о ходе реализации «%(title)s»") % {"title": roadmap.title}


def _check_can_write_letter(user, roadmap: Roadmap) -> None:
    if user is not None and not access.is_coordinator(user, roadmap.municipality_id):
        raise PermissionDenied(_("Формировать информационные письма может только координатор."))


def validate_letter(
    *, roadmap, period: str, number: str, addressee: str, signatory_post: str, signatory_name: str
):
    errors = {}
    parsed = None
    try:
        parsed = Period.parse(period)
    except ValueError as exc:
        errors["period"] = str(exc)
    if roadmap is None:
        errors["roadmap"] = _("Укажите дорожную карту.")
    elif parsed and parsed.year not in roadmap.years:
        errors["period"] = _("Период вне срока действия дорожной карты (%(first)s–%(last)s).") % {
            "first": roadmap.first_year,
            "last": roadmap.last_year,
        }
    for name, value, message in (
        ("number", number, _("Укажите исходящий номер письма.")),
        ("addressee", addressee, _("Укажите адресата письма.")),
        ("signatory_post", signatory_post, _("Укажите должность подписывающего.")),
        ("signatory_name", signatory_name, _("Укажите, кто подписывает письмо.")),
    ):
        if not (value or "").strip():
            errors[name] = message
    if errors:
        raise ValidationError(errors)
    return parsed


@transaction.atomic
def request_letter(
    *,
    roadmap: Roadmap,
    period: str,
    number: str,
    date,
    addressee: str,
    signatory_post: str,
    signatory_name: str,
    subject: str = "",
    sender: str = "",
    reference: str = "",
    performer: str = "",
    user=None,
    enqueue: bool = True,
) -> tuple[InformationLetter, bool]:
    """Record a letter and enqueue its build once the transaction commits; (letter, created).

    One letter per (municipality, period, number): asking again returns the recorded one, and a number
    already given to the municipality's letter on another plan is refused. Without `enqueue` the caller
    builds it (the management command, synchronously).
    """
    parsed = validate_letter(
        roadmap=roadmap,
        period=period,
        number=number,
        addressee=addressee,
        signatory_post=signatory_post,
        signatory_name=signatory_name,
    )
    if date is None:
        raise ValidationError({"date": _("Укажите дату письма.")})
    _check_can_write_letter(user, roadmap)
    number = number.strip()
    # Two requests for the same letter wait for each other here (the municipality's row is the lock).
    list(Municipality.objects.select_for_update().filter(pk=roadmap.municipality_id).values_list("pk"))
    existing = (
        InformationLetter.objects.filter(
            roadmap__municipality_id=roadmap.municipality_id, period=parsed.code, number=number
        )
        .select_related("roadmap")
        .first()
    )
    if existing is not None:
        if existing.roadmap_id != roadmap.pk:
            raise ValidationError(
                {
                    "number": _("Номер %(number)s за %(period)s уже у письма по плану «%(roadmap)s».")
                    % {"number": number, "period": parsed.label, "roadmap": existing.roadmap.title[:100]}
                }
            )
        return existing, False
    letter = InformationLetter.objects.create(
        roadmap=roadmap,
        period=parsed.code,
        number=number,
        date=date,
        addressee=addressee.strip(),
        reference=(reference or "").strip(),
        subject=(subject or "").strip() or default_letter_subject(roadmap),
        sender=(sender or "").strip() or selectors.administration_name(roadmap.municipality),
        signatory_post=signatory_post.strip(),
        signatory_name=signatory_name.strip(),
        performer=(performer or "").strip(),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if enqueue:
        enqueue_letter(letter)
    return letter, True


def enqueue_letter(letter: InformationLetter) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.build_information_letter.delay(letter.pk))


@transaction.atomic
def rebuild_letter(letter: InformationLetter, *, user=None) -> InformationLetter:
    """Build the letter again from today's figures (same particulars, new file and checksum)."""
    _check_can_write_letter(user, letter.roadmap)
    updated = InformationLetter.objects.filter(
        pk=letter.pk, status__in=[InformationLetter.Status.READY, InformationLetter.Status.FAILED]
    ).update(status=InformationLetter.Status.QUEUED, error="")
    if not updated:
        raise ValidationError(_("Письмо уже формируется."))
    enqueue_letter(letter)
    return letter


def write_letter(letter: InformationLetter, fileobj, *, now=None) -> None:
    from .writers.letter import write_letter_docx

    write_letter_docx(letter_document(letter, now=now), fileobj)


def build_letter(letter_id: int) -> tuple[str, int]:
    """Claim and build a letter's DOCX; (outcome, seconds to wait when busy). Safe to deliver twice."""
    outcome, attempt, wait = _claim(InformationLetter, letter_id)
    if outcome != Claim.CLAIMED:
        return outcome, wait
    letter = InformationLetter.objects.select_related("roadmap__municipality", "roadmap__approving_act").get(
        pk=letter_id
    )
    return _build_claimed(
        letter, attempt, folder=f"reports/letters/{letter.pk}", write=lambda tmp: write_letter(letter, tmp)
    )
