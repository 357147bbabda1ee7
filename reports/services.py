"""Writes: reporting periods, report jobs (claim, build, finish), publication with its public discussion."""

import hashlib
import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities import access
from municipalities.models import Official
from openness_portal.periods import Period
from roadmaps.models import Roadmap

from . import selectors
from .models import Report, ReportingPeriod, due_date_for
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


def validate_request(*, roadmap, region, period, kind, fmt) -> Period:
    errors = {}
    try:
        parsed = Period.parse(period)
    except ValueError as exc:
        errors["period"] = str(exc)
        parsed = None
    if kind not in Report.Kind.values:
        errors["kind"] = _("Неизвестный вид отчета.")
    if fmt not in Report.Format.values:
        errors["format"] = _("Формат должен быть XLSX, PDF или DOCX.")
    if kind != Report.Kind.REGIONAL and roadmap is None:
        errors["roadmap"] = _("Укажите дорожную карту.")
    if kind == Report.Kind.ANNUAL and parsed and not parsed.is_year:
        errors["period"] = _("Годовой отчет строится за год (например, 2021).")
    if kind == Report.Kind.PROGRESS and parsed and parsed.is_year and roadmap is not None:
        pass  # a progress report on a whole year is allowed: the table without the annual extras
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


@transaction.atomic
def request_report(
    *,
    period: str,
    kind: str,
    fmt: str,
    roadmap: Roadmap | None = None,
    region: str = "",
    user=None,
    idempotency_key: str | None = None,
) -> Report:
    """Record a report job and enqueue its build once the transaction commits."""
    parsed = validate_request(roadmap=roadmap, region=region, period=period, kind=kind, fmt=fmt)
    _check_can_request(user, roadmap, kind)
    if kind == Report.Kind.REGIONAL and not region and roadmap is not None:
        region = roadmap.municipality.region
    if idempotency_key:
        existing = Report.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    report = Report.objects.create(
        roadmap=roadmap,
        region=region,
        period=parsed.code,
        kind=kind,
        format=fmt,
        requested_by=user if user is not None and user.is_authenticated else None,
        idempotency_key=idempotency_key,
    )
    enqueue_build(report)
    return report


def enqueue_build(report: Report) -> None:
    from . import tasks

    task = tasks.build_report_pdf if report.format == Report.Format.PDF else tasks.build_report
    transaction.on_commit(lambda: task.delay(report.pk))


@transaction.atomic
def rebuild_report(report: Report, *, user=None) -> Report:
    """Reports are frozen snapshots: a rebuild is a new job with the same parameters."""
    return request_report(
        roadmap=report.roadmap,
        region=report.region,
        period=report.period,
        kind=report.kind,
        fmt=report.format,
        user=user,
    )


class Claim:
    CLAIMED = "claimed"
    DONE = "done"  # already ready (or failed for good): nothing to do
    BUSY = "busy"  # another live worker is building it


def claim(report_id: int) -> tuple[str, int, int]:
    """Compare-and-set the row to «building»; returns (outcome, attempt, seconds until a busy row is stale).

    A queued or failed row is claimed at once; a «building» row is taken over only once its start is older
    than the task's hard time limit (its worker is certainly dead).
    """
    now = timezone.now()
    report = Report.objects.filter(pk=report_id).values("status", "format", "started_at", "attempts").first()
    if report is None or report["status"] == Report.Status.READY:
        return Claim.DONE, 0, 0
    limit = timedelta(seconds=time_limit_for(report["format"]))
    updated = (
        Report.objects.filter(pk=report_id)
        .filter(
            Q(status__in=[Report.Status.QUEUED, Report.Status.FAILED])
            | Q(status=Report.Status.BUILDING, started_at__lt=now - limit)
        )
        .update(
            status=Report.Status.BUILDING,
            started_at=now,
            finished_at=None,
            error="",
            attempts=F("attempts") + 1,
        )
    )
    if updated:
        return Claim.CLAIMED, report["attempts"] + 1, 0
    wait = (report["started_at"] + limit - now).total_seconds() if report["started_at"] else 60
    return Claim.BUSY, 0, max(1, int(wait) + 1)


def _build_to(report: Report, fileobj) -> int:
    document = selectors.document_for(
        kind=report.kind, period=Period.parse(report.period), roadmap=report.roadmap, region=report.region
    )
    return WRITERS[report.format](document, fileobj)


def build(report_id: int) -> tuple[str, int]:
    """Claim and build a job's file; returns (outcome, seconds to wait when busy).

    The finishing update lands only if this attempt still owns the row, so a job finishes once.
    """
    outcome, attempt, wait = claim(report_id)
    if outcome != Claim.CLAIMED:
        return outcome, wait
    report = Report.objects.select_related("roadmap__municipality", "roadmap__approving_act").get(
        pk=report_id
    )
    folder = f"reports/{report.pk}"
    try:
        with tempfile.TemporaryFile() as tmp:
            rows = _build_to(report, tmp)
            tmp.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: tmp.read(1 << 20), b""):
                digest.update(chunk)
            size = tmp.tell()
            tmp.seek(0)
            name = default_storage.save(f"{folder}/{attempt}-{report.filename}", File(tmp))
    except Exception as exc:
        fail(report_id, attempt, exc)
        raise
    finished = Report.objects.filter(pk=report_id, status=Report.Status.BUILDING, attempts=attempt).update(
        status=Report.Status.READY,
        file=name,
        checksum=digest.hexdigest(),
        size=size,
        rows=rows,
        finished_at=timezone.now(),
        error="",
    )
    if not finished:  # a later attempt took the row over: ours is surplus
        default_storage.delete(name)
        return Claim.DONE, 0
    _remove_other_files(folder, keep=name)
    return Claim.CLAIMED, 0


def _remove_other_files(folder: str, *, keep: str) -> None:
    """Files of attempts killed after writing: one job keeps exactly one file."""
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for filename in files:
        path = f"{folder}/{filename}"
        if path != keep:
            default_storage.delete(path)


def fail(report_id: int, attempt: int, exc: BaseException) -> None:
    message = f"{type(exc).__name__}: {exc}"[:4000]
    Report.objects.filter(pk=report_id, attempts=attempt, status=Report.Status.BUILDING).update(
        status=Report.Status.FAILED, error=message, finished_at=timezone.now()
    )


def build_to_path(*, roadmap, region: str, period: str, kind: str, fmt: str, path: str) -> int:
    """Build a report straight into a file, without a job row (the management command)."""
    parsed = validate_request(roadmap=roadmap, region=region, period=period, kind=kind, fmt=fmt)
    document = selectors.document_for(kind=kind, period=parsed, roadmap=roadmap, region=region)
    with open(path, "wb") as fileobj:
        return WRITERS[fmt](document, fileobj)


# --- Publication ---------------------------------------------------------------------------------------


def report_owner(roadmap: Roadmap, period_code: str = "") -> Official | None:
    """Who answers for the report: the period's owner, else the municipality's press secretary."""
    if period_code:
        owner = (
            ReportingPeriod.objects.filter(roadmap=roadmap, code=period_code, owner__isnull=False)
            .select_related("owner")
            .first()
        )
        if owner:
            return owner.owner
    return (
        Official.objects.filter(municipality_id=roadmap.municipality_id, is_press_secretary=True)
        .order_by("pk")
        .first()
    )


def public_download_url(report: Report) -> str:
    return settings.PORTAL_URL + reverse("reports:download", args=[report.pk])


DISCUSSION_DAYS = 15


@transaction.atomic
def publish_report(report: Report, *, user=None) -> Report:
    """Put a ready report on the public site; the first published file of a report opens its discussion."""
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
    if report.status != Report.Status.READY:
        raise ValidationError(_("Опубликовать можно только сформированный отчет."))
    if report.is_published:
        return report
    report.published_at = timezone.now()
    report.published_by = user if user is not None and user.is_authenticated else None
    siblings = Report.objects.filter(
        roadmap=report.roadmap, period=report.period, kind=report.kind, discussion_id__isnull=False
    ).exclude(pk=report.pk)
    sibling = siblings.values_list("discussion_id", flat=True).first()
    if sibling:
        report.discussion_id = sibling
    elif report.kind != Report.Kind.REGIONAL:
        discussion = _open_discussion(report)
        report.discussion_id = getattr(discussion, "pk", None)
    report.save(update_fields=["published_at", "published_by", "discussion_id"])
    return report


def _open_discussion(report: Report):
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
        document_url=public_download_url(report),
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
        report = request_report(
            roadmap=roadmap,
            period=str(year),
            kind=Report.Kind.ANNUAL,
            fmt=Report.Format.DOCX,
            idempotency_key=f"annual-draft:{roadmap.pk}:{year}",
        )
        created.append(report)
    return created
