"""The openness rating: weighted shares per municipality and year, ranks, history, and the exports."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from openness_portal.shares import percent
from openness_portal.spreadsheets import looks_like_formula, quote_formula

from . import selectors
from .models import CRITERION_HELP, DEFAULT_WEIGHTS, Criterion, RatingMethod


@dataclass
class Method:
    region: str
    weights: dict[str, int]
    is_default: bool
    note: str = ""
    approved_by: str = ""

    @property
    def criteria(self) -> list[dict]:
        total = sum(self.weights.values()) or 1
        return [
            {
                "key": c.value,
                "label": c.label,
                "help": CRITERION_HELP[c],
                "weight": self.weights.get(c.value, 0),
                "percent": percent(self.weights.get(c.value, 0), total, places=1),
            }
            for c in Criterion
        ]


def rating_method(region: str) -> Method:
    """The region's own criteria and weights, or the defaults when the region has not set a method."""
    method = RatingMethod.objects.filter(region=region).prefetch_related("criteria").first()
    if method is None or not method.criteria.all():
        return Method(
            region=region,
            weights={c.value: w for c, w in DEFAULT_WEIGHTS.items()},
            is_default=True,
            note=method.note if method else "",
            approved_by=method.approved_by if method else "",
        )
    weights = {c.value: 0 for c in Criterion}
    weights.update({row.criterion: row.weight for row in method.criteria.all()})
    return Method(
        region=region, weights=weights, is_default=False, note=method.note, approved_by=method.approved_by
    )


def score(figures: selectors.Figures, weights: dict[str, int]) -> Decimal | None:
    """100 × Σ(weight × share) / Σ(weight) over the criteria the municipality has data for; None if none."""
    weighted, weight_sum = Decimal(0), 0
    for criterion, weight in weights.items():
        part, whole = figures.share(criterion)
        if weight and whole:
            weighted += Decimal(weight) * part / whole
            weight_sum += weight
    if not weight_sum:
        return None
    return (weighted * 100 / weight_sum).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class RatingRow:
    municipality: dict
    figures: selectors.Figures
    score: Decimal | None
    rank: int | None = None
    history: list = field(default_factory=list)  # scores for RegionRating.years, in order

    @property
    def has_roadmap(self) -> bool:
        return self.municipality["roadmap_count"] > 0


@dataclass
class RegionRating:
    region: str
    slug: str
    year: int
    years: list[int]
    method: Method
    rows: list[RatingRow]
    history: list[dict]  # per year: rated, average, best, worst

    def sorted_by(self, key: str) -> list[RatingRow]:
        if key == "name":
            return sorted(self.rows, key=lambda r: (r.municipality["name"], r.municipality["pk"]))
        return self.rows


def _ranked(rows: list[RatingRow]) -> list[RatingRow]:
    """Best first; equal scores share a place (1, 2, 2, 4); unrated municipalities last, by name."""
    rated = sorted((r for r in rows if r.score is not None), key=lambda r: (-r.score, r.municipality["name"]))
    previous = None
    for position, row in enumerate(rated, start=1):
        row.rank = previous.rank if previous and previous.score == row.score else position
        previous = row
    unrated = sorted((r for r in rows if r.score is None), key=lambda r: r.municipality["name"])
    return rated + unrated


def region_rating(region: str, year: int | None = None, today: date | None = None) -> RegionRating:
    figures = selectors.region_figures(region, today=today)
    method = rating_method(region)
    years = figures.years or [figures.today.year]
    if year is None or year not in years:
        year = years[-1]
    rows = []
    scores_by_year: dict[int, list[Decimal]] = {y: [] for y in years}
    for municipality in figures.municipalities:
        history = []
        for y in years:
            value = score(figures.get(municipality["pk"], y), method.weights)
            history.append(value)
            if value is not None:
                scores_by_year[y].append(value)
        this_year = figures.get(municipality["pk"], year)
        rows.append(RatingRow(municipality, this_year, score(this_year, method.weights), history=history))
    history = []
    for y in years:
        values = scores_by_year[y]
        history.append(
            {
                "year": y,
                "rated": len(values),
                "average": (sum(values) / len(values)).quantize(Decimal("0.1")) if values else None,
                "best": max(values) if values else None,
                "worst": min(values) if values else None,
            }
        )
    return RegionRating(
        region=region,
        slug=selectors.region_slug(region),
        year=year,
        years=years,
        method=method,
        rows=_ranked(rows),
        history=history,
    )


def _percent(part: int, whole: int) -> str:
    share = percent(part, whole)
    return "" if share is None else str(share)


def export_rows(rating: RegionRating) -> tuple[list[str], list[list]]:
    """The rating as a sheet: one row per municipality, the year's figures, then the score of every year."""
    header = [
        _("Место"),
        _("Муниципальное образование"),
        _("Дорожная карта"),
        _("Рейтинг открытости"),
        _("Сроки наступило"),
        _("Исполнено в срок"),
        _("Доля в срок, %"),
        _("Просрочено"),
        _("Показателей с планом"),
        _("Показателей достигнуто"),
        _("Обсуждений завершено"),
        _("Итоги в срок"),
        _("Наборов открытых данных"),
        _("Актуальны"),
        _("Обращений граждан"),
        _("Рассмотрено в срок"),
    ] + [_("Рейтинг %(year)s") % {"year": y} for y in rating.years]
    rows = []
    for row in rating.rows:
        f = row.figures
        rows.append(
            [
                row.rank or "",
                row.municipality["name"],
                _("есть") if row.has_roadmap else _("нет"),
                row.score if row.score is not None else "",
                f.deadlines_due,
                f.deadlines_on_time,
                _percent(f.deadlines_on_time, f.deadlines_due),
                f.overdue,
                f.kpis_with_target,
                f.kpis_achieved,
                f.discussions_held,
                f.discussions_summarised,
                f.datasets,
                f.datasets_fresh,
                f.appeals,
                f.appeals_on_time,
            ]
            + [value if value is not None else "" for value in row.history]
        )
    return header, rows


def rating_csv(rating: RegionRating) -> bytes:
    header, rows = export_rows(rating)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows([quote_formula(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV in Cyrillic


def _xlsx_cells(sheet, values) -> list:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet)
        if isinstance(value, str):
            text = ILLEGAL_CHARACTERS_RE.sub("", value)
            # Set directly: openpyxl's setter would read a leading «=» as a formula.
            cell._value, cell.data_type = text, "s"
            cell.quotePrefix = looks_like_formula(text)
        elif value is not None:
            cell._value, cell.data_type = float(value), "n"
        cells.append(cell)
    return cells


def rating_xlsx(rating: RegionRating) -> bytes:
    from openpyxl import Workbook

    header, rows = export_rows(rating)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(rating.year))
    sheet.append(_xlsx_cells(sheet, [str(rating.region)]))
    sheet.append(_xlsx_cells(sheet, [_("Рейтинг открытости за %(year)s год") % {"year": rating.year}]))
    sheet.append(_xlsx_cells(sheet, header))
    for row in rows:
        sheet.append(_xlsx_cells(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rating_method_changed(region: str) -> None:
    """A new method shows at once: the region's cached pages are dropped."""
    from .cache import invalidate_region

    invalidate_region(selectors.region_slug(region))
