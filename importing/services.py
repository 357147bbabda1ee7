"""Write side of the import: parse a file, then save sections, measures, executors, rules, deadlines, KPIs."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from municipalities.models import Department, Municipality, Official
from municipalities.services import executor_from_text
from roadmaps.deadline_parser import parse_deadline
from roadmaps.executors import ExecutorMatcher, normalise
from roadmaps.models import (
    Deadline,
    DeadlineRule,
    Kpi,
    KpiTarget,
    LegalAct,
    Measure,
    MeasureExecutor,
    Roadmap,
    Section,
)
from roadmaps.services import rule_deadlines

from .errors import RoadmapImportError
from .models import ImportJob
from .parser import DEFAULT_SECTION, parse_tables, resolve
from .readers import read_tables
from .results import ParseResult
from .selectors import earlier_import, other_municipalities_named
from .text import executor_kind

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
BATCH = 500


@dataclass
class ImportOptions:
    """What the user chose on top of what the file says."""

    title: str = ""
    first_year: int | None = None
    last_year: int | None = None
    act_kind: str = ""
    act_number: str = ""
    act_date: date | None = None
    act_title: str = ""
    create_executors: bool = False
    table_index: int | None = None
    status: str = Roadmap.Status.DRAFT


def parse_roadmap_file(
    data: bytes,
    filename: str,
    *,
    municipality: Municipality | None = None,
    options: ImportOptions | None = None,
) -> ParseResult:
    """Read the file and understand its plan table; RoadmapImportError when it cannot be imported."""
    options = options or ImportOptions()
    tables = read_tables(data, filename)
    return parse_tables(
        tables,
        municipality=municipality,
        first_year=options.first_year,
        last_year=options.last_year,
        table_index=options.table_index,
    )


class _Executors:
    """Resolves executor texts to departments/officials, creating the unmatched ones when asked to."""

    def __init__(self, municipality: Municipality, definitions: dict[str, str], create: bool):
        self.municipality = municipality
        self.matcher = ExecutorMatcher(municipality)
        self.definitions = definitions
        self.create = create
        self.created: dict[str, Department | Official | None] = {}
        self.created_count = 0

    def resolve(self, text: str) -> tuple[Department | None, Official | None]:
        found = resolve(self.matcher, text, self.definitions)
        if found.found:
            return found.department, found.official
        if not self.create:
            return None, None
        full = self.definitions.get(normalise(text), text)
        key = normalise(full)
        if key not in self.created:
            shorts = [short for short, target in self.definitions.items() if normalise(target) == key]
            self.created[key] = self._create(full, shorts)
        made = self.created[key]
        if isinstance(made, Department):
            return made, None
        if isinstance(made, Official):
            return None, made
        return None, None

    def _create(self, text: str, aliases: list[str]) -> Department | Official | None:
        kind = executor_kind(text)
        if kind == "text":
            return None  # a collective («руководители органов …») names no one to create
        self.created_count += 1
        return executor_from_text(self.municipality, text, kind, aliases)


def _legal_act(municipality: Municipality, options: ImportOptions, result: ParseResult) -> LegalAct | None:
    number = options.act_number or ""
    act_date = options.act_date
    if not number and not act_date:
        return None
    if not number or not act_date:
        raise ValidationError(
            _("Укажите и номер, и дату правового акта (или не указывайте ни то, ни другое).")
        )
    act, _created = LegalAct.objects.get_or_create(
        municipality=municipality,
        number=number[:50],
        date=act_date,
        defaults={
            "kind": options.act_kind or result.act_kind or LegalAct.Kind.ORDER,
            "title": (options.act_title or f"Об утверждении: {options.title or result.title}")[:1000],
        },
    )
    return act


@transaction.atomic
def save_parsed_roadmap(
    result: ParseResult,
    municipality: Municipality,
    options: ImportOptions | None = None,
    *,
    user=None,
    progress: Progress | None = None,
) -> Roadmap:
    """Create the roadmap and everything in it in one transaction: all of it, or nothing."""
    options = options or ImportOptions()
    first_year = options.first_year or result.first_year
    last_year = options.last_year or result.last_year
    if last_year < first_year:
        raise ValidationError(_("Последний год плана не может быть раньше первого."))
    total = len(result.measures)
    report = progress or (lambda done, total: None)
    act = _legal_act(municipality, options, result)
    roadmap = Roadmap(
        municipality=municipality,
        title=(options.title or result.title or DEFAULT_SECTION)[:1000],
        approving_act=act,
        first_year=first_year,
        last_year=last_year,
        status=options.status,
    )
    roadmap.full_clean()
    roadmap.save()
    sections = Section.objects.bulk_create(
        [
            Section(roadmap=roadmap, number=s.number, title=s.title, order=order)
            for order, s in enumerate(result.sections or [])
        ]
    )
    if not sections:
        sections = [Section.objects.create(roadmap=roadmap, title=DEFAULT_SECTION)]
    executors = _Executors(municipality, result.executor_definitions, options.create_executors)
    for start in range(0, total, BATCH):
        chunk = result.measures[start : start + BATCH]
        measures = bulk_create_with_history(
            [
                Measure(
                    roadmap=roadmap,
                    section=sections[m.section],
                    number=m.number,
                    title=m.title,
                    description=m.description,
                    expected_result=m.expected_result,
                    order=start + i + 1,
                )
                for i, m in enumerate(chunk)
            ],
            Measure,
            default_user=user,
        )
        rules, deadlines, measure_executors, kpi_rows = [], [], [], []
        for measure, parsed_measure in zip(measures, chunk, strict=True):
            rule = parse_deadline(parsed_measure.deadline_text, default_year=first_year)
            rules.append(
                DeadlineRule(
                    measure=measure,
                    text=parsed_measure.deadline_text,
                    kind=rule.kind.value,
                    parsed=rule.to_dict(),
                    needs_clarification=not rule.understood,
                )
            )
            # The rows set_deadline_rule would create, in one insert (sync_rule_deadlines keeps them).
            deadlines.extend(rule_deadlines(measure, rule, first_year, last_year, act))
            for order, text in enumerate(parsed_measure.executors):
                department, official = executors.resolve(text)
                measure_executors.append(
                    MeasureExecutor(
                        measure=measure, order=order, text=text, department=department, official=official
                    )
                )
            for order, k in enumerate(parsed_measure.kpis):
                kpi_rows.append(
                    (
                        Kpi(
                            measure=measure,
                            name=k.name,
                            unit=k.unit,
                            comparator=k.comparator,
                            kind=Kpi.Kind.QUANTITATIVE,
                            order=order,
                        ),
                        k.targets,
                    )
                )
        bulk_create_with_history(rules, DeadlineRule, default_user=user)
        bulk_create_with_history(deadlines, Deadline, batch_size=BATCH, default_user=user)
        bulk_create_with_history(measure_executors, MeasureExecutor, batch_size=BATCH, default_user=user)
        kpis = Kpi.objects.bulk_create([kpi for kpi, _targets in kpi_rows])
        targets = [
            KpiTarget(kpi=kpi, year=year, value=Decimal(value))
            for kpi, (_kpi, values) in zip(kpis, kpi_rows, strict=True)
            for year, value in values.items()
            if first_year <= year <= last_year
        ]
        bulk_create_with_history(targets, KpiTarget, batch_size=BATCH, default_user=user)
        report(min(start + BATCH, total), total)
    logger.info(
        "imported roadmap %s: %d measures, %d executors created", roadmap.pk, total, executors.created_count
    )
    return roadmap


def with_act_from_file(options: ImportOptions, result: ParseResult) -> ImportOptions:
    """The approving act the file names above its table, unless the user gave one."""
    if options.act_number or options.act_date or not (result.act_number and result.act_date):
        return options
    return replace(
        options,
        act_number=result.act_number,
        act_date=date.fromisoformat(result.act_date),
        act_kind=options.act_kind or result.act_kind,
    )


def file_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_warnings(
    municipality: Municipality, checksum: str, header: list[str], *, exclude_job_pk: int | None = None
) -> list[str]:
    """What the user must agree to before saving: the same file imported before, another municipality named."""
    warnings = []
    earlier = earlier_import(municipality, checksum, exclude_pk=exclude_job_pk)
    if earlier is not None:
        warnings.append(
            _(
                "Этот файл уже загружен для «%(municipality)s» %(date)s (загрузка № %(job)s): дорожная карта "
                "№ %(roadmap_id)s «%(roadmap)s». Повторная загрузка создаст еще одну дорожную карту."
            )
            % {
                "municipality": municipality.name,
                "date": formats.date_format(earlier.finished_at or earlier.created_at, "d.m.Y"),
                "job": earlier.pk,
                "roadmap_id": earlier.roadmap_id,
                "roadmap": earlier.roadmap.title[:200],
            }
        )
    for named in other_municipalities_named(header, municipality):
        how = _("по %(code)s") % {"code": named.code} if named.code else _("по названию")
        warnings.append(
            _(
                "В заголовке файла указано другое муниципальное образование — «%(other)s» (найдено %(how)s), "
                "а загрузка идет для «%(municipality)s». Проверьте, тот ли это файл."
            )
            % {"other": named.municipality.name, "how": how, "municipality": municipality.name}
        )
    return warnings


def record_finished_import(
    municipality: Municipality,
    filename: str,
    data: bytes,
    checksum: str,
    roadmap: Roadmap,
    result: ParseResult,
):
    """An ImportJob for a file saved outside the admin (the command), so that a second import is noticed."""
    job = ImportJob(
        municipality=municipality,
        original_name=filename[:255],
        checksum=checksum,
        status=ImportJob.Status.DONE,
        progress=100,
        measure_count=len(result.measures),
        roadmap=roadmap,
        finished_at=timezone.now(),
    )
    job.file.save(filename, ContentFile(data), save=False)
    job.save()
    return job


def header_of(result: ParseResult) -> list[str]:
    return [result.title, *result.preamble]


def import_roadmap_file(
    data: bytes,
    filename: str,
    municipality: Municipality,
    options: ImportOptions | None = None,
    *,
    user=None,
    progress: Progress | None = None,
) -> tuple[Roadmap, ParseResult]:
    """Parse and save in one go (the command and the Celery task)."""
    options = options or ImportOptions()
    result = parse_roadmap_file(data, filename, municipality=municipality, options=options)
    options = with_act_from_file(options, result)
    return save_parsed_roadmap(result, municipality, options, user=user, progress=progress), result


__all__ = [
    "ImportOptions",
    "RoadmapImportError",
    "file_checksum",
    "header_of",
    "import_warnings",
    "record_finished_import",
    "import_roadmap_file",
    "parse_roadmap_file",
    "save_parsed_roadmap",
    "with_act_from_file",
]
