"""A read-only subset of the CKAN Action API (v3), so that catalogue harvesters and `ckanapi` can read the
register. Datasets are CKAN packages (name = lowercase identifier), municipalities are organizations,
each data version is a resource. Actions raise the errors below; the view turns them into CKAN's envelope.
"""

import contextlib
import json
import re
import uuid
from collections import Counter
from datetime import UTC, datetime

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from . import formats, selectors
from .models import STANDARD_VERSION_URL, Dataset, DatasetVersion

CKAN_VERSION = "2.10.0"
ORG_NAMESPACE = uuid.UUID("6b1f7a0e-3c1d-4d55-9f0e-1b6e2f0d7a11")  # fixed: organization ids stay stable
ROWS_DEFAULT, ROWS_MAX = 10, 1000
LICENSE_ID, LICENSE_TITLE = "other-open", "Other (Open)"


class ActionError(Exception):
    status = 400
    type_name = "Bad Request"

    def __init__(self, message="", **fields):
        super().__init__(message)
        self.message = message
        self.fields = fields

    def body(self) -> dict:
        body = {"__type": self.type_name}
        if self.message:
            body["message"] = self.message
        body.update(self.fields)
        return body


class NotFound(ActionError):
    status = 404
    type_name = "Not Found Error"


class ValidationError(ActionError):
    status = 409
    type_name = "Validation Error"


class SearchQueryError(ActionError):
    status = 409
    type_name = "Search Query Error"


def iso(value) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without an offset."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat()


def org_id(municipality) -> str:
    return str(uuid.uuid5(ORG_NAMESPACE, f"municipality:{municipality.pk}"))


class Context:
    """What every action needs from the request: absolute URLs."""

    def __init__(self, absolute):
        self.absolute = absolute


# ---- dictization -------------------------------------------------------------------------------------


def organization_dict(municipality, package_count=None) -> dict:
    result = {
        "id": org_id(municipality),
        "name": municipality.slug,
        "title": municipality.name,
        "display_name": municipality.name,
        "description": municipality.full_name or municipality.name,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": None,
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def resource_dict(version: DatasetVersion, dataset: Dataset, position: int, ctx: Context) -> dict:
    return {
        "id": str(version.uuid),
        "package_id": str(dataset.uuid),
        "name": version.filename,
        "description": version.provenance,
        "format": "CSV",
        "mimetype": "text/csv",
        "url": ctx.absolute(formats.file_path(dataset, version.filename)),
        "url_type": None,
        "hash": f"sha256:{version.checksum}",
        "size": version.size,
        "created": iso(version.published_at),
        "last_modified": iso(version.published_at),
        "metadata_modified": iso(version.published_at),
        "position": position,
        "state": "active",
        "version_date": version.date.isoformat(),
        "valid": version.valid.isoformat(),
        "structure_url": ctx.absolute(formats.file_path(dataset, version.structure.filename)),
    }


def package_dict(dataset: Dataset, ctx: Context) -> dict:
    """`dataset.versions.all()` should be prefetched (newest first)."""
    versions = sorted(dataset.versions.all(), key=lambda v: v.date, reverse=True)
    tags = [
        {"name": k, "display_name": k, "state": "active", "vocabulary_id": None} for k in dataset.keyword_list
    ]
    extras = {
        "identifier": dataset.identifier,
        "standardversion": STANDARD_VERSION_URL,
        "periodicity": dataset.get_periodicity_display(),
        "created": formats.ymd(dataset.created),
        "modified": formats.ymd(dataset.modified),
        "valid": formats.ymd(dataset.valid),
        "provenance": dataset.provenance,
        "meta_url": ctx.absolute(formats.meta_path(dataset)),
        "creator": dataset.owner.name,
    }
    return {
        "id": str(dataset.uuid),
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": True,
        "url": ctx.absolute(dataset.get_absolute_url()),
        "version": formats.ymd(dataset.modified) or None,
        "author": dataset.owner.name,
        "author_email": dataset.owner.email or None,
        "maintainer": dataset.publisher_name or None,
        "maintainer_email": dataset.publisher_mbox or None,
        "license_id": LICENSE_ID,
        "license_title": LICENSE_TITLE,
        "metadata_created": iso(dataset.created_at),
        "metadata_modified": iso(dataset.updated_at),
        "owner_org": org_id(dataset.municipality),
        "organization": organization_dict(dataset.municipality),
        "groups": [],
        "relationships_as_object": [],
        "relationships_as_subject": [],
        "tags": tags,
        "num_tags": len(tags),
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
        "resources": [resource_dict(v, dataset, i, ctx) for i, v in enumerate(versions)],
        "num_resources": len(versions),
    }


# ---- parameters --------------------------------------------------------------------------------------


def _int(data: dict, key: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    value = data.get(key, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(**{key: ["Invalid integer"]}) from exc
    if number < minimum:
        raise ValidationError(**{key: ["Must be a natural number"]})
    return min(number, maximum) if maximum is not None else number


def _bool(data: dict, key: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes", "on"}


def _required(data: dict, key: str) -> str:
    value = data.get(key)
    if value in (None, ""):
        raise ValidationError(**{key: ["Missing value"]})
    return str(value)


def _datasets():
    return selectors.datasets_with_versions(selectors.published_datasets())


def _get_dataset(identifier: str) -> Dataset:
    condition = Q(identifier__iexact=identifier)
    with contextlib.suppress(ValueError):
        condition |= Q(uuid=uuid.UUID(identifier))
    dataset = _datasets().filter(condition).first()
    if dataset is None:
        raise NotFound("Not found")
    return dataset


def _municipalities():
    from roadmaps.models import Municipality

    return Municipality.objects.order_by("name")


def _get_municipality(identifier: str):
    for municipality in _municipalities():
        if identifier in (municipality.slug, org_id(municipality), str(municipality.pk)):
            return municipality
    raise NotFound("Organization not found")


# ---- fq / q / sort -----------------------------------------------------------------------------------

CLAUSE_RE = re.compile(r'([+-]?)([A-Za-z_]+):(\[[^\]]*\]|"[^"]*"|\S+)')
RANGE_RE = re.compile(r"^\[\s*(\S+)\s+TO\s+(\S+)\s*\]$", re.IGNORECASE)
NOOP_FIELDS = {"dataset_type": "dataset", "capacity": "public", "state": "active", "type": "dataset"}


def _range_bound(text: str) -> datetime | None:
    if text == "*":
        return None
    if text.upper().startswith("NOW"):
        return datetime.now(UTC)
    value = parse_datetime(text.replace("Z", "+00:00"))
    if value is None:
        try:
            value = datetime.fromisoformat(text[:10])
        except ValueError as exc:
            raise SearchQueryError(f"Invalid date: {text}") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def parse_clauses(text: str) -> Q:
    """The Solr subset harvesters send: `metadata_modified:[… TO *]`, `organization:`, `tags:`, `name:`…"""
    condition = Q()
    position = 0
    text = text.strip()
    for match in CLAUSE_RE.finditer(text):
        if text[position : match.start()].strip() not in ("", "AND"):
            raise SearchQueryError(f"Can not parse query: {text}")
        position = match.end()
        sign, field, raw = match.groups()
        value = raw.strip('"')
        if field in NOOP_FIELDS:
            continue
        if field in ("metadata_modified", "metadata_created"):
            bounds = RANGE_RE.match(raw)
            column = "updated_at" if field == "metadata_modified" else "created_at"
            if bounds:
                low, high = _range_bound(bounds.group(1)), _range_bound(bounds.group(2))
                clause = Q()
                if low is not None:
                    clause &= Q(**{f"{column}__gte": low})
                if high is not None:
                    clause &= Q(**{f"{column}__lte": high})
            else:
                clause = Q(**{column: _range_bound(value)})
        elif field in ("organization", "owner_org"):
            clause = Q(municipality__slug=value) | Q(
                municipality__pk__in=[m.pk for m in _municipalities() if org_id(m) == value]
            )
        elif field in ("name", "identifier"):
            clause = Q(identifier__iexact=value)
        elif field == "id":
            try:
                clause = Q(uuid=uuid.UUID(value))
            except ValueError:
                clause = Q(pk__in=[])
        elif field in ("tags", "keywords"):
            clause = Q(keywords__icontains=value)
        elif field == "res_format":
            clause = Q() if value.lower() == "csv" else Q(pk__in=[])
        elif field in ("title", "text", "notes"):
            clause = selectors.search_filter(value)
        elif field == "license_id":
            clause = Q() if value == LICENSE_ID else Q(pk__in=[])
        else:
            raise SearchQueryError(f"undefined field {field}")
        condition &= ~clause if sign == "-" else clause
    if text[position:].strip():
        raise SearchQueryError(f"Can not parse query: {text}")
    return condition


def parse_q(q: str) -> Q:
    q = (q or "").strip()
    if q in ("", "*:*", "*"):
        return Q()
    if CLAUSE_RE.fullmatch(q.split()[0]):
        return parse_clauses(q)
    return selectors.search_filter(q)


SORT_FIELDS = {
    "metadata_modified": "updated_at",
    "metadata_created": "created_at",
    "name": "identifier",
    "title_string": "title",
    "title": "title",
    "id": "uuid",
}


def parse_sort(sort: str) -> list[str]:
    ordering = []
    for part in (sort or "").split(","):
        words = part.split()
        if not words:
            continue
        field = words[0]
        direction = words[1].lower() if len(words) > 1 else "asc"
        if field == "score":
            continue
        if field not in SORT_FIELDS or direction not in ("asc", "desc"):
            raise SearchQueryError(f"Invalid sort: {part.strip()}")
        ordering.append(("-" if direction == "desc" else "") + SORT_FIELDS[field])
    if not ordering:
        ordering = ["-updated_at"]
    return [*ordering, "pk"]  # a total order: pages never overlap


# ---- actions -----------------------------------------------------------------------------------------


def package_list(data: dict, ctx: Context):
    """Return the names of the site's datasets (packages). Params: limit, offset."""
    limit = _int(data, "limit", 0) or None
    offset = _int(data, "offset", 0)
    names = selectors.published_datasets().order_by("identifier").values_list("identifier", flat=True)
    names = names[offset : offset + limit] if limit else names[offset:]
    return [name.lower() for name in names]


def package_show(data: dict, ctx: Context):
    """Return the metadata of a dataset and its resources. Params: id (id or name)."""
    return package_dict(_get_dataset(_required(data, "id")), ctx)


def package_search(data: dict, ctx: Context):
    """Search datasets. Params: q, fq, rows, start, sort, facet.field, facet.limit."""
    rows = _int(data, "rows", ROWS_DEFAULT, maximum=ROWS_MAX)
    start = _int(data, "start", 0)
    condition = parse_q(str(data.get("q", ""))) & parse_clauses(str(data.get("fq", "") or ""))
    fq_list = data.get("fq_list") or []
    for fq in fq_list if isinstance(fq_list, list) else [fq_list]:
        condition &= parse_clauses(str(fq))
    sort = str(data.get("sort") or "score desc, metadata_modified desc")
    ordering = parse_sort(sort)
    matched = selectors.published_datasets().filter(condition)
    count = matched.count()
    page = list(_datasets().filter(condition).order_by(*ordering)[start : start + rows]) if rows else []
    facets, search_facets = _facets(data, matched)
    return {
        "count": count,
        "sort": sort,
        "facets": facets,
        "search_facets": search_facets,
        "results": [package_dict(d, ctx) for d in page],
    }


def _facets(data: dict, matched):
    fields = data.get("facet.field") or []
    if isinstance(fields, str):
        try:
            fields = json.loads(fields)
        except ValueError as exc:
            raise ValidationError(**{"facet.field": ["Invalid JSON list"]}) from exc
    if not isinstance(fields, list):
        raise ValidationError(**{"facet.field": ["Must be a list"]})
    limit = _int(data, "facet.limit", 50)
    facets, search_facets = {}, {}
    if not fields:
        return facets, search_facets
    rows = list(matched.values_list("municipality__slug", "municipality__name", "keywords"))
    titles = {slug: name for slug, name, _k in rows}
    counters = {
        "organization": Counter(slug for slug, _n, _k in rows),
        "tags": Counter(k.strip() for _s, _n, kw in rows for k in kw.split(",") if k.strip()),
        "res_format": Counter({"CSV": len(rows)} if rows else {}),
        "license_id": Counter({LICENSE_ID: len(rows)} if rows else {}),
    }
    for field in fields:
        counter = counters.get(field, Counter())
        top = counter.most_common(limit if limit > 0 else None)
        facets[field] = dict(top)
        search_facets[field] = {
            "title": field,
            "items": [
                {"name": k, "display_name": titles.get(k, k) if field == "organization" else k, "count": n}
                for k, n in top
            ],
        }
    return facets, search_facets


def current_package_list_with_resources(data: dict, ctx: Context):
    """Datasets with resources, most recently modified first. Params: limit, offset, page."""
    limit = _int(data, "limit", 0) or None
    offset = _int(data, "offset", 0)
    page = _int(data, "page", 0)
    if page and limit:
        offset = (page - 1) * limit
    qs = _datasets().order_by("-updated_at", "pk")
    qs = qs[offset : offset + limit] if limit else qs[offset:]
    return [package_dict(d, ctx) for d in qs]


def organization_list(data: dict, ctx: Context):
    """Organizations (municipalities). Params: all_fields, sort, limit, offset."""
    from django.db.models import Count

    qs = _municipalities().annotate(package_count=Count("datasets", filter=Q(datasets__is_published=True)))
    sort = str(data.get("sort") or "name asc")
    if sort.startswith("package_count"):
        qs = qs.order_by("-package_count", "slug")
    elif sort.startswith("title"):
        qs = qs.order_by("name", "slug")
    else:
        qs = qs.order_by("slug")
    limit = _int(data, "limit", 0) or None
    offset = _int(data, "offset", 0)
    qs = qs[offset : offset + limit] if limit else qs[offset:]
    if _bool(data, "all_fields"):
        return [organization_dict(m, m.package_count) for m in qs]
    return [m.slug for m in qs]


def organization_show(data: dict, ctx: Context):
    """An organization (municipality). Params: id (id or name), include_datasets."""
    municipality = _get_municipality(_required(data, "id"))
    datasets = _datasets().filter(municipality=municipality).order_by("identifier")
    result = organization_dict(municipality, datasets.count())
    if _bool(data, "include_datasets"):
        result["packages"] = [package_dict(d, ctx) for d in datasets[:1000]]
    return result


def resource_show(data: dict, ctx: Context):
    """A resource (one data version). Params: id."""
    try:
        key = uuid.UUID(_required(data, "id"))
    except ValueError as exc:
        raise NotFound("Resource was not found.") from exc
    version = (
        DatasetVersion.objects.select_related("structure", "dataset__municipality")
        .filter(uuid=key, dataset__is_published=True)
        .first()
    )
    if version is None:
        raise NotFound("Resource was not found.")
    dates = list(version.dataset.versions.order_by("-date").values_list("date", flat=True))
    return resource_dict(version, version.dataset, dates.index(version.date), ctx)


def status_show(data: dict, ctx: Context):
    """The site's status."""
    from django.conf import settings

    return {
        "site_title": settings.PORTAL_NAME,
        "site_description": "Открытые данные органов местного самоуправления",
        "site_url": ctx.absolute("/"),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "ru",
        "extensions": ["dcat"],
    }


def help_show(data: dict, ctx: Context):
    """The help text of an action. Params: name."""
    name = _required(data, "name")
    if name not in ACTIONS:
        raise NotFound("Action function not found")
    return ACTIONS[name].__doc__


ACTIONS = {
    fn.__name__: fn
    for fn in (
        package_list,
        package_show,
        package_search,
        current_package_list_with_resources,
        organization_list,
        organization_show,
        resource_show,
        status_show,
        help_show,
    )
}
