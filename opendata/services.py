"""Writes: publishing versions (validated before anything is saved), citizen feedback, download counts."""

import hashlib
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import formats
from .models import (
    DataIssueReport,
    Dataset,
    DatasetRequest,
    DatasetStructure,
    DatasetVersion,
    DownloadEvent,
    next_due,
)
from .validation import UploadError, parse_structure, read_table, validate_rows

FIX_PROVENANCE = "исправление ошибки по обращению № {number}"


def current_structure(dataset: Dataset) -> DatasetStructure | None:
    return dataset.structures.order_by("-date").first()


def latest_version(dataset: Dataset) -> DatasetVersion | None:
    return dataset.versions.select_related("structure").order_by("-date").first()


def check_upload(
    dataset: Dataset, content: bytes, *, structure_content: bytes | None = None, structure_fields=None
) -> tuple[list[dict], bytes, int]:
    """Validate without saving: returns (structure fields, normalised CSV, row count) or raises UploadError."""
    if structure_content is not None:
        structure_fields = parse_structure(structure_content)
    if structure_fields is None:
        structure = current_structure(dataset)
        if structure is None:
            raise UploadError([_("У набора еще нет структуры: загрузите вместе с данными файл структуры.")])
        structure_fields = structure.fields
    table = read_table(content)
    errors = validate_rows(table, structure_fields)
    if errors:
        raise UploadError(errors)
    return structure_fields, formats.csv_bytes([table.header, *table.rows]), len(table.rows)


def valid_until(dataset: Dataset, version_date: date) -> date:
    """`valid` of the recommendations v3.0 («дата актуальности»): the date until which the set is current,
    i.e. when the next update is due by its periodicity; a set updated «as needed» has no such date, so
    it is current as of its version date."""
    return next_due(version_date, dataset.periodicity) or version_date


@transaction.atomic
def publish_version(
    dataset: Dataset,
    content: bytes,
    *,
    provenance: str,
    version_date: date | None = None,
    valid: date | None = None,
    structure_content: bytes | None = None,
    structure_fields: list[dict] | None = None,
    user=None,
) -> DatasetVersion:
    """Publish a new immutable version; a change of columns makes a new structure version.

    A second upload on the same day corrects that day's version in place: the file name rule
    `data-YYYYMMDD-structure-YYYYMMDD.csv` allows one file a day, and the earlier versions keep their files.
    Everything is checked before the first write: on any error nothing is published.
    """
    dataset = Dataset.objects.select_for_update().select_related("municipality").get(pk=dataset.pk)
    today = dataset.municipality.local_today()
    version_date = version_date or today
    if version_date > today:
        raise UploadError(
            [
                _(
                    "Дата версии %(date)s еще не наступила: опубликовать можно версию не позже сегодняшней даты."
                )
                % {"date": version_date.strftime("%d.%m.%Y")}
            ]
        )
    valid = valid or valid_until(dataset, version_date)
    if valid < version_date:
        raise UploadError([_("Дата актуальности не может быть раньше даты версии.")])
    fields, normalised, row_count = check_upload(
        dataset, content, structure_content=structure_content, structure_fields=structure_fields
    )
    latest = latest_version(dataset)
    if latest and latest.date > version_date:
        raise UploadError(
            [
                _(
                    "Уже опубликована более поздняя версия, от %(date)s; дата новой версии не может быть раньше."
                )
                % {"date": latest.date.strftime("%d.%m.%Y")}
            ]
        )
    correction = latest if latest and latest.date == version_date else None
    structure = current_structure(dataset)
    if structure is None or structure.fields != fields:
        if structure is not None and structure.date == version_date and correction is not None:
            # Only the version being corrected uses a structure of its own day: correct it with it.
            structure.fields = fields
            structure.save(update_fields=["fields"])
        elif structure is not None and structure.date >= version_date:
            raise UploadError(
                [_("Структура от этой даты уже есть; новую структуру можно опубликовать со следующей датой.")]
            )
        else:
            structure = DatasetStructure.objects.create(dataset=dataset, date=version_date, fields=fields)
    if correction is not None:
        provenance = provenance.strip() or _("исправление версии от %(date)s") % {
            "date": version_date.strftime("%d.%m.%Y")
        }
    provenance = provenance.strip() or _("плановая актуализация")
    version = correction or DatasetVersion(dataset=dataset, date=version_date)
    version.structure = structure
    version.checksum = formats.checksum(normalised)
    version.size = len(normalised)
    version.row_count = row_count
    version.provenance = provenance
    version.valid = valid
    version.published_by = user if user is not None and user.is_authenticated else None
    if correction is not None:
        version.published_at = timezone.now()
    version.file.save(version.filename, ContentFile(normalised), save=False)
    version.save()
    dataset.created = dataset.created or version_date
    dataset.modified = version_date
    dataset.provenance = provenance
    dataset.valid = version.valid
    dataset.save()
    return version


@transaction.atomic
def report_issue(
    dataset: Dataset,
    *,
    description: str,
    location: str = "",
    author_name: str = "",
    author_email: str = "",
    version: DatasetVersion | None = None,
) -> DataIssueReport:
    report = DataIssueReport.objects.create(
        dataset=dataset,
        version=version or latest_version(dataset),
        description=description.strip(),
        location=location.strip(),
        author_name=author_name.strip(),
        author_email=author_email.strip(),
    )
    from .tasks import notify_issue_reported

    transaction.on_commit(lambda: notify_issue_reported.delay(report.pk))
    return report


@transaction.atomic
def answer_issue_report(
    report: DataIssueReport,
    *,
    status: str,
    answer: str,
    user=None,
    corrected_content: bytes | None = None,
    corrected_structure: bytes | None = None,
    version_date: date | None = None,
) -> DataIssueReport:
    """Answer a report; a corrected file becomes a new version whose provenance names the report."""
    report = DataIssueReport.objects.select_for_update().get(pk=report.pk)
    if corrected_content is not None:
        report.fixed_version = publish_version(
            report.dataset,
            corrected_content,
            provenance=FIX_PROVENANCE.format(number=report.pk),
            structure_content=corrected_structure,
            version_date=version_date,
            user=user,
        )
        status = DataIssueReport.Status.FIXED
    report.status = status
    report.answer = answer.strip()
    report.answered_at = timezone.now()
    report.answered_by = user if user is not None and user.is_authenticated else None
    report.save()
    if report.is_closed or report.answer:
        from .tasks import notify_issue_answered

        answered_at = report.answered_at.isoformat()
        transaction.on_commit(lambda: notify_issue_answered.delay(report.pk, answered_at))
    return report


@transaction.atomic
def request_dataset(
    municipality, *, title: str, description: str = "", author_name: str = "", author_email: str = ""
) -> DatasetRequest:
    obj = DatasetRequest.objects.create(
        municipality=municipality,
        title=title.strip(),
        description=description.strip(),
        author_name=author_name.strip(),
        author_email=author_email.strip(),
    )
    from .tasks import notify_dataset_requested

    transaction.on_commit(lambda: notify_dataset_requested.delay(obj.pk))
    return obj


@transaction.atomic
def answer_dataset_request(
    request_obj: DatasetRequest, *, status: str, answer: str, dataset: Dataset | None = None
) -> DatasetRequest:
    request_obj.status = status
    request_obj.answer = answer.strip()
    request_obj.dataset = dataset or request_obj.dataset
    request_obj.answered_at = timezone.now()
    request_obj.save()
    return request_obj


def visitor_hash(ip: str, user_agent: str, day: date) -> str:
    """Salted with the secret key and the day: no raw IP is stored and visitors cannot be linked across days."""
    raw = f"{settings.SECRET_KEY}|{ip}|{user_agent}|{day.isoformat()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def record_download(version: DatasetVersion, *, ip: str, user_agent: str, day: date | None = None) -> bool:
    """Count a download once per visitor, version and day; True when it was counted now."""
    day = day or timezone.localdate()
    try:
        with transaction.atomic():
            DownloadEvent.objects.create(
                dataset_id=version.dataset_id,
                version=version,
                day=day,
                visitor=visitor_hash(ip, user_agent[:500], day),
            )
    except IntegrityError:
        return False
    return True
