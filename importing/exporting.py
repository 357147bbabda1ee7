"""A roadmap back to the table it came from: DOCX and XLSX with «№ п/п | Мероприятие | Срок | Исполнители | Показатели»."""

from __future__ import annotations

import io
from decimal import Decimal

from django.db.models import Prefetch

from openness_portal.spreadsheets import looks_like_formula
from roadmaps.models import Kpi, KpiTarget, Measure, MeasureExecutor, Roadmap, Section

HEADERS = [
    "№ п/п",
    "Наименование мероприятия",
    "Срок исполнения",
    "Ответственные исполнители",
    "Показатели (ожидаемый результат)",
]
PERIOD_LABEL = "Период реализации плана"
MUNICIPALITY_LABEL = "Муниципальное образование"
APPROVED_LABEL = "Утверждена"
COMPARATOR_WORDS = {"gte": "не менее", "lte": "не более", "eq": ""}


def _value(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def _kpi_lines(kpi: Kpi) -> list[str]:
    """A KPI as lines the importer reads back: the name when one value holds for every year, else per year."""
    targets = sorted(kpi.targets.all(), key=lambda t: t.year)
    words = COMPARATOR_WORDS.get(kpi.comparator, "")
    values = {t.value for t in targets}
    if len(values) <= 1:
        if not targets or _value(targets[0].value) in kpi.name:
            return [kpi.name]
        return [f"{kpi.name} – {words} {_value(targets[0].value)} {kpi.unit}".replace("  ", " ").strip()]
    lines = [f"{kpi.name.rstrip(':')}:"]
    lines += [f"{t.year}: {words} {_value(t.value)} {kpi.unit}".replace("  ", " ").strip() for t in targets]
    return lines


def _rows(roadmap: Roadmap):
    """(section or None, measure) in plan order, with everything prefetched: a fixed number of queries."""
    measures = (
        Measure.objects.filter(roadmap=roadmap)
        .select_related("section", "deadline_rule")
        .prefetch_related(
            Prefetch("executors", queryset=MeasureExecutor.objects.select_related("department", "official")),
            Prefetch(
                "kpis", queryset=Kpi.objects.prefetch_related(Prefetch("targets", KpiTarget.objects.all()))
            ),
        )
        .order_by("section__order", "section_id", "order", "id")
    )
    sections = list(Section.objects.filter(roadmap=roadmap).order_by("order", "id"))
    show_sections = len(sections) > 1 or (sections and sections[0].number)
    current = None
    for measure in measures:
        if show_sections and measure.section_id != current:
            current = measure.section_id
            yield measure.section, None
        yield None, measure


def span_of_years(first_year: int, last_year: int) -> str:
    if first_year == last_year:
        return f"{first_year} год"
    return f"{first_year}–{last_year} годы"


def header_lines(roadmap: Roadmap) -> list[str]:
    """The lines above the table: what a reader sees first, and what the importer reads back."""
    municipality = roadmap.municipality
    codes = [
        f"{label} {value}"
        for label, value in (("ИНН", municipality.inn), ("ОКТМО", municipality.oktmo))
        if value
    ]
    lines = [
        roadmap.title,
        f"{PERIOD_LABEL}: {span_of_years(roadmap.first_year, roadmap.last_year)}",
        f"{MUNICIPALITY_LABEL}: " + ", ".join([municipality.name, *codes]),
    ]
    if roadmap.approving_act_id:
        lines.append(f"{APPROVED_LABEL}: {roadmap.approving_act}")
    return lines


def _measure_cells(measure: Measure) -> list[str]:
    title = measure.title + (f"\n{measure.description}" if measure.description else "")
    rule = getattr(measure, "deadline_rule", None)
    executors = ";\n".join(e.text or e.display_name for e in measure.executors.all())
    kpi_lines = [line for kpi in measure.kpis.all() for line in _kpi_lines(kpi)]
    if measure.expected_result:
        kpi_lines.append(measure.expected_result)
    return [measure.number, title, rule.text if rule else "", executors, "\n".join(kpi_lines)]


def export_docx(roadmap: Roadmap) -> bytes:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    for line in header_lines(roadmap):
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=len(HEADERS))
    table.style = "Table Grid"
    for i, header in enumerate(HEADERS):
        table.rows[0].cells[i].text = header
        table.rows[1].cells[i].text = str(i + 1)
    for section, measure in _rows(roadmap):
        row = table.add_row()
        if section is not None:
            merged = row.cells[0].merge(row.cells[-1])
            merged.text = str(section)
            continue
        for cell, text in zip(row.cells, _measure_cells(measure), strict=True):
            lines = text.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(12)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _put(ws, row: int, col: int, text: str):
    cell = ws.cell(row=row, column=col, value=text)
    if looks_like_formula(text):
        cell.data_type = "s"  # text that looks like a formula stays text
    return cell


def export_xlsx(roadmap: Roadmap) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "План"
    lines = header_lines(roadmap)
    for row, line in enumerate(lines, start=1):
        _put(ws, row, 1, line).font = Font(bold=row == 1)
    header_row = len(lines) + 1
    for col, header in enumerate(HEADERS, start=1):
        _put(ws, header_row, col, header).font = Font(bold=True)
        ws.cell(row=header_row + 1, column=col, value=col)
    row = header_row + 2
    wrap = Alignment(wrap_text=True, vertical="top")
    for section, measure in _rows(roadmap):
        if section is not None:
            _put(ws, row, 1, str(section)).font = Font(bold=True)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADERS))
        else:
            for col, text in enumerate(_measure_cells(measure), start=1):
                _put(ws, row, col, text).alignment = wrap
        row += 1
    for letter, width in zip("ABCDE", (8, 60, 30, 40, 40), strict=True):
        ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
