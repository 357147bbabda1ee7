"""A read-only subset of the CKAN Action API (v3), so that catalogue harvesters and `ckanapi` can read the
register. Datasets are CKAN packages (name = lowercase identifier), municipalities are organizations,
each data version is a resource. Actions raise the errors below; the view turns them into CKAN's envelope.
"""

import contextlib
import json
import re
import uuid
from collections import Counter
from datetime import UTC

from django.db.models import Q

from . import formats, selectors, solr_query
from .models import STANDARD_VERSION_URL, Dataset, DatasetVersion, fold

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
    """CKAN answers an invalid query with 400 and the message in its own words."""

    status = 400
    type_name = "Search Query Error"

    def __init__(self, message=""):
        super().__init__(f"Search Query is invalid: {message!r}")


class NotAuthorized(ActionError):
    status = 403
    type_name = "Authorization Error"


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
    from municipalities.models import Municipality

    return Municipality.objects.order_by("name")


def _get_municipality(identifier: str):
    for municipality in _municipalities():
        if identifier in (municipality.slug, org_id(municipality), str(municipality.pk)):
            return municipality
    raise NotFound("Organization not found")


# ---- fq / q / sort -----------------------------------------------------------------------------------

# Fields of CKAN's Solr schema that always hold one value here: a match on it keeps or drops every set.
CONSTANT_FIELDS = {
    "dataset_type": "dataset",
    "type": "dataset",
    "capacity": "public",
    "state": "active",
    "site_id": "default",
    "entity_type": "package",
    "private": "false",
    "res_format": "csv",
    "license_id": LICENSE_ID,
}
# Fields CKAN's schema defines that nothing here fills (no groups, no vocabularies): they match nothing.
EMPTY_FIELDS = {"groups", "res_type", "res_name", "res_description", "url", "version"}
EMPTY_PREFIXES = ("extras_", "vocab_", "res_extras_")
DATE_COLUMNS = {"metadata_modified": "updated_at", "metadata_created": "created_at"}
RANGELESS_FIELDS = {
    "name",
    "identifier",
    "id",
    "organization",
    "owner_org",
    "tags",
    "keywords",
    "text",
    "title",
}
NOTHING = Q(pk__in=[])


def _text_match(column: str, value: str) -> Q:
    if value == "*":
        return Q()
    if value.endswith("*"):
        return Q(**{f"{column}__istartswith": value.rstrip("*")})
    return Q(**{f"{column}__iexact": value})


def _organization(value: str) -> Q:
    if value == "*":
        return Q()
    ids = [m.pk for m in _municipalities() if value in (m.slug, org_id(m))]
    return Q(municipality__pk__in=ids)


def _term(term: solr_query.Term) -> Q:
    field, value = term.field, term.value
    if field is None or field in ("text", "title", "notes", "title_ngram"):
        return selectors.search_filter(value, phrase=term.quoted)
    if field in CONSTANT_FIELDS:
        return (
            Q()
            if value in ("*", CONSTANT_FIELDS[field]) or value.lower() == CONSTANT_FIELDS[field]
            else NOTHING
        )
    if field in EMPTY_FIELDS or field.startswith(EMPTY_PREFIXES):
        return NOTHING
    if field in ("organization", "owner_org"):
        return _organization(value)
    if field in ("name", "identifier"):
        return _text_match("identifier", value)
    if field == "id":
        if value == "*":
            return Q()
        try:
            return Q(uuid=uuid.UUID(value))
        except ValueError:
            return NOTHING
    if field in ("tags", "keywords"):
        return Q() if value == "*" else selectors.keyword_filter(value)
    if field in DATE_COLUMNS:
        if value == "*":
            return Q()
        return Q(**{DATE_COLUMNS[field]: _date(value)})
    if field in ("author", "creator"):
        return _text_match("owner__name", value)
    raise SearchQueryError(f"undefined field {field}")


def _date(text: str):
    try:
        return solr_query.parse_date(text)
    except solr_query.QuerySyntaxError as exc:
        raise SearchQueryError(str(exc)) from exc


def _range(node: solr_query.Range) -> Q:
    column = DATE_COLUMNS.get(node.field)
    if column is None:
        if (
            node.field in CONSTANT_FIELDS
            or node.field in EMPTY_FIELDS
            or node.field.startswith(EMPTY_PREFIXES)
        ):
            return NOTHING
        if node.field in RANGELESS_FIELDS:
            raise SearchQueryError(f"range queries on {node.field} are not supported")
        raise SearchQueryError(f"undefined field {node.field}")
    condition = Q()
    if node.low != "*":
        condition &= Q(**{f"{column}__{'gte' if node.include_low else 'gt'}": _date(node.low)})
    if node.high != "*":
        condition &= Q(**{f"{column}__{'lte' if node.include_high else 'lt'}": _date(node.high)})
    return condition


def _to_q(node) -> Q:
    if isinstance(node, solr_query.Term):
        return _term(node)
    if isinstance(node, solr_query.Range):
        return _range(node)
    if isinstance(node, solr_query.Not):
        inner = _to_q(node.part)
        return NOTHING if inner == Q() else ~inner
    parts = [_to_q(part) for part in node.parts]
    if isinstance(node, solr_query.Or):
        if any(part == Q() for part in parts):
            return Q()
        condition = parts[0]
        for part in parts[1:]:
            condition |= part
        return condition
    condition = Q()
    for part in parts:
        condition &= part
    return condition


def parse_clauses(text: str) -> Q:
    """`q` or `fq` in the Solr subset CKAN clients send (see solr_query), as a filter on published sets."""
    try:
        tree = solr_query.parse(text)
    except solr_query.QuerySyntaxError as exc:
        raise SearchQueryError(str(exc)) from exc
    return _to_q(tree)


def parse_q(q: str) -> Q:
    q = (q or "").strip()
    if q in ("", "*:*", "*"):
        return Q()
    return parse_clauses(q)


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
    condition = Q()
    for q in _list(data.get("q")):
        condition &= parse_q(q)
    for fq in [*_list(data.get("fq")), *_list(data.get("fq_list"))]:
        condition &= parse_clauses(fq)
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


def _list(value) -> list[str]:
    """A parameter given once, repeated (a list) or as a JSON list, as a list of strings."""
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value if item not in (None, "")]
    return [str(value)]


def _facet_fields(value) -> list[str]:
    fields = []
    for item in _list(value):
        if item.lstrip().startswith("["):
            try:
                parsed = json.loads(item)
            except ValueError as exc:
                raise ValidationError(**{"facet.field": ["Invalid JSON list"]}) from exc
            if not isinstance(parsed, list):
                raise ValidationError(**{"facet.field": ["Must be a list"]})
            fields += [str(field) for field in parsed]
        else:
            fields.append(item)
    return fields


def _facets(data: dict, matched):
    fields = _facet_fields(data.get("facet.field"))
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

    # The same sets every other action shows: in the register and with at least one data version.
    public = Q(datasets__is_published=True, datasets__modified__isnull=False)
    qs = _municipalities().annotate(package_count=Count("datasets", filter=public))
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


def site_read(data: dict, ctx: Context):
    """Whether the site may be read: always, the register is public."""
    return True


def group_list(data: dict, ctx: Context):
    """Groups: the portal has none (sets belong to municipalities, which are organizations)."""
    return []


def group_show(data: dict, ctx: Context):
    """A group: none exists. Params: id."""
    _required(data, "id")
    raise NotFound("Group not found")


def tag_list(data: dict, ctx: Context):
    """Keywords of the published sets. Params: query, vocabulary_id, all_fields."""
    if data.get("vocabulary_id"):
        raise NotFound("Could not find vocabulary")
    names = sorted(
        {
            k
            for keywords in selectors.published_datasets().values_list("keywords", flat=True)
            for k in keywords.split(",")
            if k
        }
    )
    query = fold(str(data.get("query") or data.get("q") or ""))
    if query:
        names = [name for name in names if query in fold(name)]
    if _bool(data, "all_fields"):
        return [{"id": name, "name": name, "display_name": name, "vocabulary_id": None} for name in names]
    return names


def license_dict() -> dict:
    return {
        "id": LICENSE_ID,
        "title": LICENSE_TITLE,
        "url": "",
        "od_conformance": "approved",
        "osd_conformance": "not reviewed",
        "domain_content": True,
        "domain_data": True,
        "domain_software": False,
        "family": "",
        "is_generic": True,
        "is_okd_compliant": True,
        "is_osi_compliant": False,
        "maintainer": "",
        "status": "active",
    }


def license_list(data: dict, ctx: Context):
    """The licenses sets may carry: the portal's terms of use (free use with a reference to the source)."""
    return [license_dict()]


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
        site_read,
        group_list,
        group_show,
        tag_list,
        license_list,
    )
}
# CKAN's write actions: an anonymous client gets CKAN's answer (403), not «unknown action».
WRITE_ACTION_RE = re.compile(r"^[a-z_]+_(create|update|patch|delete|purge|revise|reorder|member_create)$")


def is_write_action(name: str) -> bool:
    return bool(WRITE_ACTION_RE.match(name))
