"""Cell text as people type it in Word: header meaning, titles, deadlines, executors and KPI lines."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from roadmaps.deadline_parser import parse_deadline
from roadmaps.executors import normalise

from .results import ParsedKpi

# --- headers ----------------------------------------------------------------------------------------------

# Checked in order; the first role whose pattern matches wins, earlier patterns score higher.
# «Отметка об исполнении мероприятия» must not become the title, so kept-aside columns come first.
ROLE_PATTERNS: list[tuple[str, list[str]]] = [
    (
        "extra",
        [
            r"отметк",
            r"стади",
            r"примечани",
            r"статус",
            r"ход\w* (?:реализац|исполнен|выполнен)",
            r"информаци\w* о",
            r"финансир",
            r"фактическ",
            r"выполнени\w* \(",
        ],
    ),
    ("deadline", [r"\bсрок", r"дата исполнени", r"период (?:исполнени|реализаци)"]),
    ("executors", [r"исполнител", r"ответственн"]),
    (
        "kpi",
        [r"показател", r"индикатор", r"ожидаем\w* результат", r"целев\w* значени", r"результат"],
    ),
    ("number", [r"^№", r"^n\s*п", r"\bп\s*[/\\.]\s*п\b", r"^номер", r"^#$"]),
    (
        "title",
        [
            r"наименовани\w* мероприяти",
            r"мероприяти",
            r"механизм",
            r"инструмент",
            r"содержани",
            r"наименовани",
            r"направлени",
            r"задач",
        ],
    ),
]
PLAN_ROLES = ("number", "title", "deadline", "executors", "kpi")


def _header_key(text: str) -> str:
    text = (text or "").lower().replace("ё", "е").replace("\n", " ")
    return re.sub(r"\s+", " ", text).strip(" .:")


def header_role(text: str) -> tuple[str, int] | None:
    """(role, score) of a header cell, or None when the cell says nothing we know."""
    key = _header_key(text)
    if not key or len(key) > 200:
        return None
    for role, patterns in ROLE_PATTERNS:
        for position, pattern in enumerate(patterns):
            if re.search(pattern, key):
                return role, len(patterns) - position
    return None


# --- numbers and sections ------------------------------------------------------------------------------

ROMAN = r"(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_SECTION_PREFIX = re.compile(
    rf"^\s*(?:раздел\s+)?(?P<n>(?:\d{{1,3}}|{ROMAN}))(?<!^)\s*[.)]?\s*(?P<rest>\S.*)$", re.S | re.I
)
_MEASURE_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){0,4})\.?\s*$")
_TITLE_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){0,4})[.)]?\s+(?=\S)")
_ROMAN_ONLY = re.compile(rf"^\s*({ROMAN})\s*\.?\s*$")


def clean_number(text: str) -> str:
    """«1.» → «1», «1.1.» → «1.1», «8» → «8»; anything else stripped as written."""
    text = re.sub(r"\s+", "", text or "")
    return text.rstrip(".)") if _MEASURE_NUMBER.match(text) or _ROMAN_ONLY.match(text) else text


def is_roman(text: str) -> bool:
    return bool(text.strip()) and bool(_ROMAN_ONLY.match(text.strip().upper()))


def split_section(text: str) -> tuple[str, str] | None:
    """«2. Обеспечение работы …» / «III. Механизм: …» / «6.Организация …» → (number, title)."""
    text = collapse(text)
    m = re.match(rf"^(?:раздел\s+)?(\d{{1,3}}|{ROMAN})(?:\s*[.)]\s*|\s+)(\S.*)$", text, re.I)
    if m and m.group(1):
        number = m.group(1)
        if not number.isdigit() and not is_roman(number):
            return None
        return number.upper() if not number.isdigit() else number, m.group(2).strip()
    m = re.match(r"^раздел\s*[.:]?\s*(\S.*)$", text, re.I)
    if m:
        return "", m.group(1).strip()
    return None


def number_from_title(text: str) -> tuple[str, str]:
    """A title typed with its number («1.2. Размещение …») when the table has no number column."""
    m = _TITLE_NUMBER.match(text)
    if m:
        return m.group(1), text[m.end() :]
    return "", text


def is_column_number_row(cells: list[str]) -> bool:
    """The «1 2 3 4» row under a header."""
    values = [c.strip().rstrip(".") for c in cells if c.strip()]
    if len(values) < 2 or not all(v.isdigit() for v in values):
        return False
    numbers = [int(v) for v in dict.fromkeys(values)]  # merged cells repeat their value
    return numbers == sorted(numbers) and numbers[0] <= 2 and len(set(numbers)) == len(numbers)


# --- text -------------------------------------------------------------------------------------------------


def collapse(text: str) -> str:
    """One line, single spaces, Word's broken hyphenation «социально- экономического» mended."""
    text = re.sub(r"\s+", " ", text or "").strip()
    text = re.sub(r"([а-яёА-ЯЁ])- ([а-яё])", r"\1-\2", text)
    return re.sub(r"\b(\d{2}\.\d{2}\.) (\d{4})\b", r"\1\2", text)  # «04.10. 2013»


def lines_of(text: str) -> list[str]:
    lines: list[str] = []
    for raw in (text or "").split("\n"):
        line = re.sub(r"^([а-яa-z]\))(?=\S)", r"\1 ", collapse(raw))  # «б)оценка» → «б) оценка»
        if not line:
            continue
        if lines and re.fullmatch(r"[а-яa-z0-9]\)", lines[-1]):
            lines[-1] = f"{lines[-1]} {line}"  # a list letter left alone on its line
        else:
            lines.append(line)
    return lines


_END = re.compile(r"[.:;!?]$")


def split_title(text: str) -> tuple[str, str]:
    """First paragraph is the title, the rest the description; a line wrapped mid-sentence is joined."""
    lines = lines_of(text)
    if not lines:
        return "", ""
    title = lines[0]
    rest = lines[1:]
    while rest and not _END.search(title) and not rest[0][:1].isupper():
        title = f"{title} {rest.pop(0)}"
    return title, "\n".join(rest)


def deadline_text(text: str) -> str:
    """Line breaks joined as the demo data does: with a space, or «; » when each line is a date on its own."""
    lines = lines_of(text)
    if len(lines) <= 1:
        return lines[0] if lines else ""
    if not any(line.endswith(";") for line in lines):
        joined = " ".join(lines)
        if not parse_deadline(joined).understood and all(parse_deadline(line).understood for line in lines):
            return "; ".join(line.rstrip(",") for line in lines)
    return " ".join(lines)


# --- executors --------------------------------------------------------------------------------------------

_DEFINITION = re.compile(r"\(\s*далее\s*[-–—−]?\s*[«\"]?(?P<short>[^()»\"]+?)[»\"]?\s*\)", re.I)
_ADJECTIVE_END = re.compile(r"(?:ые|ие|ый|ий|ой|ая|ое|ых|их)$")
_PLURAL_ADJECTIVE = re.compile(r"^[а-яё-]+(?:ые|[кгхщчшж]ие)$")


def _split_on(text: str, separators: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if depth == 0 and ch in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def split_executor_cell(cell: str) -> tuple[list[str], dict[str, str]]:
    """Executors in order (lead first) and the «(далее – …)» short names the cell defines.

    «;» separates when present, else «,», else line breaks; with a separator present, line breaks are
    Word wrapping. «структурные подразделения, должностные лица Администрации» stays one collective.
    """
    cell = (cell or "").replace("\r", "\n")
    definitions: dict[str, str] = {}
    if ";" in cell:
        pieces = _split_on(cell.replace("\n", " "), ";")
    elif "," in cell:
        pieces = _split_on(cell.replace("\n", " "), ",")
    else:
        pieces = []
        for line in cell.split("\n"):
            if pieces and pieces[-1].strip() and _ADJECTIVE_END.search(pieces[-1].strip()):
                pieces[-1] = f"{pieces[-1]} {line}"  # «структурные» wrapped before its noun
            elif line.strip():
                pieces.append(line)
    names: list[str] = []
    for piece in pieces:
        text = _strip_executor(piece)
        if not text:
            continue
        m = _DEFINITION.search(text)
        if m:
            short = collapse(m.group("short")).strip(" .;,")
            text = _strip_executor(text[: m.start()] + text[m.end() :])
            if short:
                definitions[normalise(short)] = text
        first = text.split(" ", 1)[0].lower()
        if names and _PLURAL_ADJECTIVE.match(first) and _is_bare_collective(names[-1]):
            names[-1] = f"{names[-1]}, {text}"
            continue
        if names and _continues_organ_name(names[-1], text):
            names[-1] = f"{names[-1]}, {text}"  # «департамент строительства, архитектуры и ЖКХ»
            continue
        names.append(text)
    return names, definitions


_HEAD_WORDS = re.compile(
    r"^(?:отдел|управлени|комитет|департамент|администраци|совет|дума|служб|сектор|аппарат|центр|"
    r"учреждени|организаци|комисси|инспекци|палат|глав|заместител|начальник|руководител|специалист|"
    r"пресс|секретар|консультант|структурн|должностн|ответственн|председател|эксперт|юрисконсульт|"
    r"экономист|бухгалтер|муниципальн|мку|мбу|мау|орган|подразделени|редакци|сми|представител)",
    re.I,
)


def _continues_organ_name(previous: str, fragment: str) -> bool:
    """A lower-case fragment that names no unit or post, after a department's name, is part of that name."""
    if not fragment[:1].islower() or _HEAD_WORDS.match(fragment) or _PERSON.match(fragment):
        return False
    return bool(_ORGAN_WORDS.match(previous))


def _strip_executor(text: str) -> str:
    text = collapse(text).strip(" ;,")
    # The final dot of initials («Бегишева Н.А.») belongs to the name; any other is punctuation.
    return text if re.search(r"(?:^|[\s.])[А-ЯЁ]\.$", text) else text.rstrip(" .;,")


def _is_bare_collective(text: str) -> bool:
    words = text.lower().split()
    return len(words) <= 2 and bool(_PLURAL_ADJECTIVE.match(words[0]))


_ORGAN_WORDS = re.compile(
    r"^(?:отдел|управлени|комитет|департамент|администраци|совет|дума|служб|сектор|аппарат|центр|"
    r"учреждени|палат|инспекци|комисси|мку|мбу|мау|мку|муниципальн\w+ (?:казенн|бюджетн|автономн))",
    re.I,
)
_PERSON = re.compile(r"^[А-ЯЁ][а-яё-]+\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.?$|^[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё-]+$")
_COLLECTIVE_NOUNS = re.compile(
    r"^(?:руководител|начальник|специалист|сотрудник|работник|член|представител|орган|подразделени|"
    r"исполнител|должностн)\w*$"
)


def executor_kind(text: str) -> str:
    """What an unmatched executor would be created as: "department", "official", "person" or "text".

    Collectives («руководители органов …», «структурные подразделения …») name no one unit: kept as text.
    """
    words = text.split()
    if not words:
        return "text"
    if _PERSON.match(text):
        return "person"
    first = words[0].lower()
    plural = _PLURAL_ADJECTIVE.match(first) or (
        _COLLECTIVE_NOUNS.match(first) and first.endswith(("и", "ы", "я"))
    )
    if plural:
        return "text"
    if _ORGAN_WORDS.match(text):
        return "department"
    return "official"


# --- KPIs -------------------------------------------------------------------------------------------------

_COMPARATORS = [
    (r"не\s+менее|не\s+ниже|не\s+меньше|более|свыше|больше|от", "gte"),
    (r"не\s+более|не\s+выше|не\s+больше|менее|меньше|до", "lte"),
]
_KPI_NUMBER = re.compile(
    r"(?:(?P<cmp>не\s+менее|не\s+ниже|не\s+меньше|не\s+более|не\s+выше|не\s+больше|более|свыше|больше|менее|"
    r"меньше)\s+)?(?<![\d.,/-])(?P<n>\d+(?:[.,]\d+)?)(?![\d./-]|[.,]\d)\s*(?P<pct>%|процент\w*)?",
    re.I,
)
_YEAR_PREFIX = re.compile(
    r"^(?:на\s+|в\s+)?(?P<y>(?:19|20)\d{2})\s*(?:год[ау]?|г\.?)?\s*[:–—-]\s*(?P<rest>.+)$", re.I
)
_ADJ_UNIT = re.compile(r"(?:ых|их|ого|его|ой|ей)$")


def _kpi_value(line: str) -> tuple[Decimal, str, str] | None:
    """(value, comparator, unit) when the line states a number we can aim at."""
    matches = [m for m in _KPI_NUMBER.finditer(line) if not re.match(r"(?:19|20)\d{2}$", m["n"])]
    if not matches:
        return None
    m = matches[0]
    starts = not line[: m.start()].strip()
    if not (m["cmp"] or m["pct"] or starts or len(matches) == 1):
        return None
    try:
        value = Decimal(m["n"].replace(",", "."))
    except InvalidOperation:
        return None
    comparator = "gte"
    if m["cmp"]:
        comparator = "lte" if re.match(r"не\s+(?:более|выше|больше)|менее|меньше", m["cmp"], re.I) else "gte"
    if m["pct"]:
        unit = "%"
    else:
        words = re.findall(r"[а-яёА-ЯЁ-]+", re.split(r"[,;:()]", line[m.end() :])[0])[:3]
        unit_words = []
        for word in words:
            unit_words.append(word)
            if not _ADJ_UNIT.search(word.lower()):
                break
        unit = " ".join(unit_words)
    if not m["cmp"] and not m["pct"] and not starts and not unit:
        return None
    return value, comparator, unit[:100]


def _stem(line: str) -> str:
    # Russian endings change with the number («1 проекта», «7 проектов»); the first letters do not.
    words = re.findall(r"[а-яёa-z]+", line.lower())
    return " ".join(w[:5] for w in words)


def parse_kpi_cell(
    text: str, *, measure_title: str, deadline_years: list[int], years: range
) -> tuple[list[ParsedKpi], str, list[str]]:
    """KPIs with per-year targets, the expected result (lines without a number), and problems to flag.

    Several lines that differ only by their number («не менее 1 проекта; … не менее 7 проектов») are one
    KPI whose targets follow the measure's yearly deadlines (or the roadmap's years); «2020: …» lines
    name their year; a single line holds for every year of the roadmap.
    """
    raw_lines = [line.strip(" ;,") for line in re.split(r"[\n;]", text or "")]
    lines = [collapse(line) for line in raw_lines if line.strip(" ;,.")]
    kpis: list[ParsedKpi] = []
    results: list[str] = []
    problems: list[str] = []
    pending_name = ""
    explicit: ParsedKpi | None = None
    groups: list[list[tuple[str, Decimal, str, str]]] = []
    for line in lines:
        year_match = _YEAR_PREFIX.match(line)
        if year_match and (value := _kpi_value(year_match["rest"])):
            if explicit is None:
                explicit = ParsedKpi(
                    name=(pending_name or measure_title)[:1000], comparator=value[1], unit=value[2]
                )
                kpis.append(explicit)
                pending_name = ""
            explicit.targets[int(year_match["y"])] = value[0]
            continue
        value = _kpi_value(line)
        if value is None:
            if pending_name:
                results.append(pending_name)
            pending_name = line.rstrip(":") if line.endswith(":") else ""
            if not pending_name:
                results.append(line)
            continue
        explicit = None
        if groups and _stem(groups[-1][-1][0]) == _stem(line) and groups[-1][-1][0] != line:
            groups[-1].append((line, *value))
        else:
            groups.append([(line, *value)])
    if pending_name:
        results.append(pending_name)
    for group in groups:
        if len(group) == 1:
            line, value, comparator, unit = group[0]
            kpis.append(ParsedKpi(line[:1000], unit, comparator, dict.fromkeys(years, value)))
            continue
        if len(group) == len(deadline_years):
            target_years = deadline_years
        elif len(group) == len(years):
            target_years = list(years)
        else:
            target_years = list(years)[: len(group)]
            problems.append(
                f"Строк показателя {len(group)}, а сроков по годам {len(deadline_years) or len(years)}: "
                "значения сопоставлены с годами по порядку, проверьте."
            )
        name = pending_name or measure_title
        kpis.append(
            ParsedKpi(
                name=name[:1000],
                unit=group[-1][3],
                comparator=group[-1][2],
                targets={year: row[1] for year, row in zip(target_years, group, strict=False)},
            )
        )
    return kpis, "; ".join(results)[:1000], problems
