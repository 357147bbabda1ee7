"""Reads for the register, passports, files and demand analysis: a fixed number of queries each."""

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from .models import DataIssueReport, Dataset, DatasetStructure, DatasetVersion, DownloadEvent, fold


def _count_subquery(model, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(dataset=OuterRef("pk"), **filters)
            .order_by()
            .values("dataset")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def published_datasets() -> QuerySet:
    """Sets in the register with at least one published version (a passport without data is not public)."""
    return Dataset.objects.filter(is_published=True, modified__isnull=False).select_related(
        "municipality", "owner", "responsible_official", "legal_act"
    )


def register(*, municipality=None, q: str = "") -> QuerySet:
    """The register with per-set counts (versions, downloads, open error reports)."""
    qs = published_datasets()
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if q:
        qs = qs.filter(search_filter(q))
    return qs.annotate(
        version_count=_count_subquery(DatasetVersion),
        download_count=_count_subquery(DownloadEvent),
        open_reports=_count_subquery(
            DataIssueReport, status__in=[DataIssueReport.Status.NEW, DataIssueReport.Status.IN_PROGRESS]
        ),
    ).order_by("municipality__name", "title", "pk")


def search_filter(q: str, *, phrase: bool = False) -> Q:
    """Every word (or the whole phrase) in the title, description, keywords, identifier or owner, any case.

    Compares casefolded text stored on save (`Dataset.search_text`): the same on SQLite, whose LIKE folds
    only ASCII, and on PostgreSQL, without a collation or an extension.
    """
    words = [q] if phrase else q.split()
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=fold(word))
    return condition


def keyword_filter(keyword: str) -> Q:
    """Sets with exactly this keyword (CKAN's `tags:` is an exact match; keywords are stored comma-joined)."""
    keyword = keyword.strip()
    return (
        Q(keywords=keyword)
        | Q(keywords__startswith=f"{keyword},")
        | Q(keywords__endswith=f",{keyword}")
        | Q(keywords__contains=f",{keyword},")
    )


def passport(identifier: str) -> tuple[Dataset, list[DatasetVersion], list[DatasetStructure]]:
    """A set with its versions and structures, newest first (three queries)."""
    dataset = get_object_or_404(published_datasets(), identifier=identifier)
    versions = list(dataset.versions.select_related("structure").order_by("-date"))
    structures = list(dataset.structures.order_by("-date"))
    for version in versions:
        version.dataset = dataset
    return dataset, versions, structures


def version_counts(dataset: Dataset) -> dict[int, int]:
    rows = DownloadEvent.objects.filter(dataset=dataset).values("version").annotate(n=Count("pk")).order_by()
    return {row["version"]: row["n"] for row in rows}


def most_requested(*, municipality=None, since: date | None = None, limit: int = 10) -> list[Dataset]:
    """Sets by deduplicated downloads (visitor-days), then by error reports: demand analysis, seed 001 2.2–2.3."""
    downloads = Q()
    if since is not None:
        downloads &= Q(downloads__day__gte=since)
    qs = published_datasets()
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return list(
        qs.annotate(downloads_total=Count("downloads", filter=downloads))
        .filter(downloads_total__gt=0)
        .order_by("-downloads_total", "title")[:limit]
    )


def datasets_with_versions(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related(
        Prefetch("versions", queryset=DatasetVersion.objects.select_related("structure").order_by("-date"))
    )
