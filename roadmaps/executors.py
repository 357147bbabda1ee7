"""Match executor text as people write it («отдел кадровой работы …», «Бегишева Н.А.») to departments and
officials of a municipality (shared by the demo loader and the roadmap import), and print them back:
`executor_label` is the one rule every page, report, export and the API use."""

import re
from dataclasses import dataclass

from municipalities.models import Department, Municipality, Official

_QUOTES = str.maketrans(dict.fromkeys("«»\"'“”„`", " "))
_ABBREVIATIONS = {
    "жкх": "жилищно-коммунального хозяйства",
    "ит": "информационных технологий",
    "го и чс": "гражданской обороны и чрезвычайных ситуаций",
}
_SUFFIXES = [" администрации района", " администрации", " администрации муниципального образования"]


def normalise(text: str) -> str:
    """Lower case, «ё»→«е», no quotes, single spaces, no trailing punctuation."""
    text = (text or "").lower().replace("ё", "е").replace("\u00a0", " ").translate(_QUOTES)
    text = re.sub(r"\s+", " ", text).strip(" ,;.:")
    return text


def _variants(text: str) -> set[str]:
    base = normalise(text)
    variants = {base}
    for short, full in _ABBREVIATIONS.items():
        if re.search(rf"\b{re.escape(short)}\b", base):
            variants.add(re.sub(rf"\b{re.escape(short)}\b", full, base))
        if full in base:
            variants.add(base.replace(full, short))
    for suffix in _SUFFIXES:
        for v in list(variants):
            if v.endswith(suffix):
                variants.add(v[: -len(suffix)].strip())
    return variants


# What `executor_label` reads, for value queries over MeasureExecutor.
LABEL_FIELDS = ("text", "department__name", "department__short_name", "official__name", "official__post")


def executor_label(
    text: str = "",
    department_name: str | None = "",
    department_short_name: str | None = "",
    official_name: str | None = "",
    official_post: str | None = "",
) -> str:
    """How an executor is printed: as the plan writes it; a matched-only one by name and post, or department."""
    if text:
        return text
    if official_name or official_post:
        return ", ".join(x for x in (official_name, official_post) if x)
    return department_short_name or department_name or ""


def executor_labels(executors) -> dict[int, list[str]]:
    """Labels per measure, lead first, from a MeasureExecutor queryset (one query)."""
    labels: dict[int, list[str]] = {}
    for measure_id, *fields in executors.order_by("measure_id", "order", "id").values_list(
        "measure_id", *LABEL_FIELDS
    ):
        labels.setdefault(measure_id, []).append(executor_label(*fields))
    return labels


@dataclass
class Match:
    department: Department | None = None
    official: Official | None = None

    @property
    def found(self) -> bool:
        return self.department is not None or self.official is not None


class ExecutorMatcher:
    """Loads a municipality's departments and officials once, then matches any number of texts."""

    def __init__(self, municipality: Municipality):
        self.index: dict[str, Match] = {}
        for department in Department.objects.filter(municipality=municipality):
            for name in [department.name, department.short_name, *(department.aliases or [])]:
                if name:
                    for v in _variants(name):
                        self.index.setdefault(v, Match(department=department))
        for official in Official.objects.filter(municipality=municipality).select_related("department"):
            names = [official.name, official.post, *(official.aliases or [])]
            if official.name and official.post:
                names.append(f"{official.name}, {official.post}")
            for name in names:
                if name:
                    for v in _variants(name):
                        self.index.setdefault(v, Match(official=official))

    def match(self, text: str) -> Match:
        for v in _variants(text):
            if v in self.index:
                return self.index[v]
        return Match()
