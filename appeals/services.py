"""Writes to the register: an office's XLSX journal imported all or nothing, and KPI facts from the counts."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from municipalities.models import Municipality
from roadmaps.models import Kpi, KpiActual

from . import selectors
from .models import Appeal, default_due_on

HEADER_SEARCH_ROWS = 15  # journals often start with a title and a blank line before the header
MAX_ROWS = 50_000

# Personal data an office journal may hold: recognised so the import can say it left them out.
PERSONAL_HEADERS = ("фио", "фамилия", "имя", "заявител", "адрес", "телефон заявителя", "e-mail", "почта")


def _normalise(text) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower().replace("ё", "е")


def field_for_header(header) -> str | None:
    """Which Appeal field a journal column holds, judged by the words of its header."""
    h = _normalise(header)
    if not h or "п/п" in h:  # a journal's running row number says nothing about the appeal
        return None
    if h.startswith(PERSONAL_HEADERS) or "фио" in h.split():
        return "personal"
    if "срок" in h:
        return "due_on"
    if "ответ" in h or "исполн" in h or "рассмотр" in h:
        return "answered_on"
    if "канал" in h or "способ" in h or "форма" in h or "вид обращения" in h:
        return "channel"
    if "тема" in h or "вопрос" in h or "содержание" in h or "суть" in h:
        return "topic"
    if "дата" in h or "поступ" in h or "регистрац" in h:
        return "received_on"
    if h.startswith(("№", "номер", "рег", "вх")) or h == "n":
        return "external_number"
    return None


CHANNEL_WORDS = [  # checked in order: «телефон доверия» before «электронная почта», «ПОС» before «почта»
    (Appeal.Channel.TRUST_LINE, ("довер", "телефон", "горяч")),
    (Appeal.Channel.POS, ("платформ", "госуслуг")),
    (Appeal.Channel.RECEPTION, ("личн", "прием", "устн")),
    (Appeal.Channel.ELECTRONIC, ("электрон", "e-mail", "email", "интернет", "сайт")),
    (Appeal.Channel.WRITTEN, ("письм", "почт")),
]


def channel_for(value) -> str | None:
    """A journal's wording of how the appeal came in, as one of Appeal.Channel; None if unrecognised."""
    text = _normalise(value)
    if not text:
        return None
    for choice in Appeal.Channel:
        if text in (choice.value, _normalise(choice.label)):
            return choice.value
    if "пос" in re.findall(r"\w+", text):  # «ПОС» is an abbreviation: a whole word, not «поступило»
        return Appeal.Channel.POS
    for channel, words in CHANNEL_WORDS:
        if any(word in text for word in words):
            return channel
    return None


def _date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    dropped_columns: list[str] = field(default_factory=list)


def _find_header(rows: list[tuple]) -> tuple[int, dict[int, str], list[str]]:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns, dropped = {}, []
        for col, cell in enumerate(row):
            name = field_for_header(cell)
            if name == "personal":
                dropped.append(str(cell).strip())
            elif name and name not in columns.values():
                columns[col] = name
        if {"received_on", "channel"} <= set(columns.values()):
            return index, columns, dropped
    raise ValidationError(
        _(
            "Не найдена строка заголовков: нужны как минимум столбцы «Дата поступления» и «Канал» "
            "(или «Способ обращения»)."
        )
    )


def parse_journal(rows: list[tuple]) -> tuple[list[dict], list[str], list[str]]:
    """Rows of an office journal as Appeal fields; every bad cell is reported, by row and column."""
    header_index, columns, dropped = _find_header(rows)
    header = rows[header_index]
    labels = {col: str(header[col]).strip() for col in columns}
    parsed, errors = [], []
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(cell not in (None, "") for cell in row):
            continue
        values = {}
        for col, name in columns.items():
            cell = row[col] if col < len(row) else None
            where = _("Строка %(row)d, столбец «%(column)s»") % {"row": offset, "column": labels[col]}
            if name in ("received_on", "answered_on", "due_on"):
                try:
                    values[name] = _date(cell)
                except ValueError:
                    errors.append(
                        _("%(where)s: «%(value)s» — не дата (ожидается ДД.ММ.ГГГГ).")
                        % {"where": where, "value": cell}
                    )
                    continue
            elif name == "channel":
                values[name] = channel_for(cell)
                if values[name] is None:
                    errors.append(
                        _(
                            "%(where)s: неизвестный канал «%(value)s» (письменно, электронно, телефон доверия, личный прием, ПОС)."
                        )
                        % {"where": where, "value": cell or ""}
                    )
            else:
                values[name] = "" if cell is None else str(cell).strip()
        if "received_on" in values and values.get("received_on") is None:
            errors.append(_("Строка %(row)d: не указана дата поступления.") % {"row": offset})
            continue
        received, answered = values.get("received_on"), values.get("answered_on")
        if received and answered and answered < received:
            errors.append(_("Строка %(row)d: дата ответа раньше даты поступления.") % {"row": offset})
        values["topic"] = values.get("topic", "")[:500]
        values["external_number"] = values.get("external_number", "")[:100]
        parsed.append(values)
    if len(parsed) > MAX_ROWS:
        errors.append(_("В журнале больше %(max)d строк: разделите его на части.") % {"max": MAX_ROWS})
    if not parsed and not errors:
        errors.append(_("В журнале нет ни одной строки с обращением."))
    return parsed, errors, dropped


def read_workbook(file) -> list[tuple]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a file that is not XLSX
        raise ValidationError(_("Файл не читается как книга Excel (.xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


@transaction.atomic
def import_journal(municipality: Municipality, file) -> ImportResult:
    """Load an office's XLSX journal into the register, all rows or none; re-importing updates by number."""
    rows = read_workbook(file)
    parsed, errors, dropped = parse_journal(rows)
    if errors:
        raise ValidationError(errors)
    result = ImportResult(dropped_columns=dropped)
    numbers = [v["external_number"] for v in parsed if v["external_number"]]
    existing = {
        a.external_number: a
        for a in Appeal.objects.filter(municipality=municipality, external_number__in=numbers)
    }
    new, changed = [], []
    seen = set()
    for values in parsed:
        values.setdefault("due_on", None)
        values["due_on"] = values["due_on"] or default_due_on(values["received_on"])
        values.setdefault("answered_on", None)
        number = values["external_number"]
        if number and number in seen:
            raise ValidationError(_("Номер «%(number)s» встречается в журнале дважды.") % {"number": number})
        seen.add(number)
        appeal = existing.get(number) if number else None
        if appeal is None:
            new.append(Appeal(municipality=municipality, **values))
        else:
            for name, value in values.items():
                setattr(appeal, name, value)
            changed.append(appeal)
    Appeal.objects.bulk_create(new, batch_size=1000)
    Appeal.objects.bulk_update(
        changed, ["received_on", "channel", "topic", "due_on", "answered_on"], batch_size=1000
    )
    result.created, result.updated = len(new), len(changed)
    return result


# Kpi.auto_source keys this app fills: the year's count of appeals, of trust-line calls, of receptions, and
# the share answered on time (percent).
KPI_SOURCES = {
    "appeals.total": lambda c: c["total"],
    "appeals.trust_line": lambda c: c["by_channel"].get(Appeal.Channel.TRUST_LINE, 0),
    "appeals.reception": lambda c: c["by_channel"].get(Appeal.Channel.RECEPTION, 0),
    "appeals.on_time_percent": lambda c: c["on_time_percent"],
}


@transaction.atomic
def fill_kpi_actuals(year: int) -> int:
    """Write the year's appeal counts into every KPI whose source is one of KPI_SOURCES; idempotent."""
    kpis = list(Kpi.objects.filter(auto_source__in=list(KPI_SOURCES)).select_related("measure__roadmap"))
    municipality_ids = {k.measure.roadmap.municipality_id for k in kpis}
    totals = selectors.year_totals(municipality_ids, year)
    source = _("Реестр обращений граждан")
    current = {a.kpi_id: a for a in KpiActual.objects.filter(kpi__in=[k.pk for k in kpis], period=str(year))}
    written = 0
    for kpi in kpis:
        counts = totals.get(kpi.measure.roadmap.municipality_id)
        if counts is None or counts["total"] == 0:
            continue
        value = KPI_SOURCES[kpi.auto_source](counts)
        if value is None:
            continue
        actual = current.get(kpi.pk)
        if actual is not None and actual.value == Decimal(value) and actual.source == source:
            continue  # the daily run would otherwise add a history row per KPI each night
        KpiActual.objects.update_or_create(
            kpi=kpi, period=str(year), defaults={"value": value, "source": source}
        )
        written += 1
    return written
