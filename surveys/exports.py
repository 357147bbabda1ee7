"""CSV/XLSX files for the official file: comments with dispositions, survey results. No e-mails, no formulas."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from openness_portal.spreadsheets import quote_formula

from . import selectors

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Citizen text never becomes a spreadsheet formula: a leading = + - @ tab CR gets a quote."""
    return quote_formula(value)


def _has_disposition(comment):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return comment.disposition
    except ObjectDoesNotExist:
        return None


def discussion_comments_csv(discussion) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _rows(discussion):
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly


def _rows(discussion):
    tz = discussion.municipality.tz
    yield [
        _("№"),
        _("Дата"),
        _("Автор"),
        _("Ответ должностного лица"),
        _("Ответ на №"),
        _("Текст"),
        _("Статус"),
        _("Решение"),
        _("Обоснование"),
        _("Пункт документа"),
    ]
    numbers = {}
    for i, c in enumerate(selectors.summary_rows(discussion), start=1):
        numbers[c.pk] = i
        disposition = _has_disposition(c)
        yield [
            i,
            f"{c.created_at.astimezone(tz):%d.%m.%Y %H:%M}",
            c.author_name,
            _("да") if c.is_official else "",
            numbers.get(c.parent_id, "") if c.parent_id else "",
            c.text,
            c.get_status_display(),
            disposition.get_decision_display() if disposition and disposition.decision else "",
            disposition.reason if disposition else "",
            _paragraph_label(c),
        ]


def _paragraph_label(comment) -> str:
    """«п. 3.2 (ред. 1)» for a comment on a point of a draft act's редакция."""
    if not comment.paragraph_id:
        return ""
    return _("%(anchor)s (ред. %(n)s)") % {
        "anchor": comment.paragraph.anchor,
        "n": comment.paragraph.version.number,
    }


def discussion_comments_xlsx(discussion) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Замечания"))
    ws.append([safe_cell(discussion.title[:1000])])
    for row in _rows(discussion):
        ws.append([safe_cell(v) for v in row])
    summary = selectors.published_summary(discussion)
    if summary:
        ws.append([])
        ws.append([_("Итоги обсуждения"), safe_cell(summary.text)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _result_rows(results):
    yield [_("Вопрос"), _("Вариант ответа"), _("Ответов, чел."), _("Процент")]
    for q in results["questions"]:
        for o in q["options"]:
            yield [q["text"], o["text"], o["count"], o["percent"]]
        if q["kind"] == "text":
            yield [q["text"], _("свободных ответов"), q["text_answers"], ""]
    yield [_("Всего респондентов"), "", results["respondents"], ""]


def survey_results_csv(results) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(results["survey"].title)])
    for row in _result_rows(results):
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def survey_results_xlsx(results) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Итоги опроса"))
    ws.append([safe_cell(results["survey"].title)])
    for row in _result_rows(results):
        ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
