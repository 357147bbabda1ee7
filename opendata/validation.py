"""Validate uploaded CSV data against a set's structure (types, required, unique), in Russian, by row and column.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is row 2.
Hand-written instead of frictionless: the checks are few and the messages must be Russian and exact.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _

MAX_ERRORS = 50
FIELD_TYPES = ("string", "integer", "number", "date", "datetime", "boolean")
TYPE_ALIASES = {"float": "number", "decimal": "number", "int": "integer", "bool": "boolean", "text": "string"}
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
TRUE_VALUES = {"true", "1", "да", "yes"}
FALSE_VALUES = {"false", "0", "нет", "no"}
INTEGER_RE = re.compile(r"^[+-]?\d+$")
NUMBER_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")


class UploadError(Exception):
    """The upload is refused; `errors` are Russian messages for the person who uploaded it."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class ParsedTable:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


def decode(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError([_("Файл должен быть в кодировке UTF-8.")]) from exc
    if not text.strip():
        raise UploadError([_("Файл пуст.")])
    return text


def read_table(content: bytes) -> ParsedTable:
    """Parse RFC 4180 CSV (comma, double quotes); a row with a different column count is an error."""
    text = decode(content)
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=",", quotechar='"', strict=True))
    except csv.Error as exc:
        raise UploadError([_("Файл не разбирается как CSV (RFC 4180): %(error)s") % {"error": exc}]) from exc
    lines = [line for line in lines if line and any(cell.strip() for cell in line)]
    if not lines:
        raise UploadError([_("Файл пуст.")])
    header = [cell.strip() for cell in lines[0]]
    table = ParsedTable(header=header)
    errors = []
    for index, line in enumerate(lines[1:], start=2):
        if len(line) != len(header):
            errors.append(
                _("Строка %(row)s: %(got)s столбцов вместо %(expected)s.")
                % {"row": index, "got": len(line), "expected": len(header)}
            )
            if len(errors) >= MAX_ERRORS:
                break
        table.rows.append(line)
    if errors:
        raise UploadError(errors)
    return table


def structure_field(name, english, russian, type_="string", *, required=False, unique=False) -> dict:
    """One field of a structure as parse_structure reads it from a structure file."""
    return {
        "name": name,
        "english": english,
        "russian": russian,
        "type": type_,
        "required": required,
        "unique": unique,
    }


def _flag(value: str) -> bool:
    return value.strip().lower() in TRUE_VALUES


def parse_structure(content: bytes) -> list[dict]:
    """Read a structure file: `field name,english description,russian description,format`
    (optional extra columns `required` and `unique` with да/нет)."""
    table = read_table(content)
    header = [h.lower() for h in table.header]
    expected = ["field name", "english description", "russian description", "format"]
    if header[:4] != expected:
        raise UploadError(
            [_("Заголовок файла структуры должен быть: %(header)s.") % {"header": ",".join(expected)}]
        )
    extra = {name: header.index(name) for name in ("required", "unique") if name in header}
    fields, errors, seen = [], [], set()
    for row_number, row in enumerate(table.rows, start=2):
        name, english, russian, type_ = (cell.strip() for cell in row[:4])
        type_ = TYPE_ALIASES.get(type_.lower(), type_.lower())
        if not NAME_RE.match(name):
            errors.append(
                _("Строка %(row)s: имя поля «%(name)s» — только латинские буквы, цифры и подчеркивание.")
                % {"row": row_number, "name": name}
            )
        elif name in seen:
            errors.append(
                _("Строка %(row)s: поле «%(name)s» уже описано.") % {"row": row_number, "name": name}
            )
        seen.add(name)
        if type_ not in FIELD_TYPES:
            errors.append(
                _("Строка %(row)s: неизвестный формат «%(type)s»; допустимы: %(types)s.")
                % {"row": row_number, "type": type_, "types": ", ".join(FIELD_TYPES)}
            )
        if not russian:
            errors.append(_("Строка %(row)s: нет описания поля на русском языке.") % {"row": row_number})
        fields.append(
            structure_field(
                name,
                english,
                russian,
                type_,
                required=_flag(row[extra["required"]]) if "required" in extra else False,
                unique=_flag(row[extra["unique"]]) if "unique" in extra else False,
            )
        )
    if not fields and not errors:
        errors.append(_("В файле структуры нет ни одного поля."))
    if errors:
        raise UploadError(errors)
    return fields


def _type_error(type_: str, value: str) -> str | None:
    if type_ == "integer" and not INTEGER_RE.match(value):
        return _("значение «%(value)s» не является целым числом") % {"value": value}
    if type_ == "number" and not NUMBER_RE.match(value):
        return _("значение «%(value)s» не является числом (дробная часть отделяется точкой)") % {
            "value": value
        }
    if type_ == "date" and parse_date(value) is None:
        return _("значение «%(value)s» не является датой (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)") % {"value": value}
    if type_ == "datetime":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return _("значение «%(value)s» не является датой и временем (ГГГГ-ММ-ДДTЧЧ:ММ)") % {
                "value": value
            }
    if type_ == "boolean" and value.lower() not in TRUE_VALUES | FALSE_VALUES:
        return _("значение «%(value)s» не является логическим (true/false, да/нет)") % {"value": value}
    return None


def parse_date(value: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def validate_rows(table: ParsedTable, fields: list[dict]) -> list[str]:
    """Every problem, by row and column, up to MAX_ERRORS; empty when the table fits the structure."""
    names = [f["name"] for f in fields]
    if table.header != names:
        return [
            _(
                "Столбцы файла (%(got)s) не совпадают со структурой набора (%(expected)s). "
                "Если состав столбцов изменился, загрузите вместе с данными новый файл структуры."
            )
            % {"got": ",".join(table.header), "expected": ",".join(names)}
        ]
    errors: list[str] = []
    seen: list[dict[str, int]] = [{} for _f in fields]
    for row_number, row in enumerate(table.rows, start=2):
        for col, spec in enumerate(fields):
            value = row[col].strip()
            column = _("столбец «%(name)s» (%(russian)s)") % {
                "name": spec["name"],
                "russian": spec["russian"],
            }
            problem = None
            if not value:
                if spec.get("required"):
                    problem = _("обязательное значение не заполнено")
            else:
                problem = _type_error(spec["type"], value)
                if problem is None and spec.get("unique"):
                    first = seen[col].setdefault(value, row_number)
                    if first != row_number:
                        problem = _(
                            "значение «%(value)s» повторяет строку %(first)s, а должно быть уникальным"
                        ) % {
                            "value": value,
                            "first": first,
                        }
            if problem:
                errors.append(
                    _("Строка %(row)s, %(column)s: %(problem)s.")
                    % {"row": row_number, "column": column, "problem": problem}
                )
                if len(errors) >= MAX_ERRORS:
                    errors.append(_("Проверка остановлена: слишком много ошибок."))
                    return errors
    if not table.rows:
        errors.append(_("В файле нет ни одной строки данных."))
    return errors
