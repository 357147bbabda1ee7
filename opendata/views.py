"""Public pages and files of the open data section. Thin: selectors read, services write, formats print."""

import json
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from municipalities.models import Municipality
from openness_portal.client_ip import client_ip

from . import ckan, dcat, formats, selectors, services
from .forms import DatasetRequestForm, IssueReportForm
from .models import DEFAULT_TERMS_OF_USE, STANDARD_VERSION_URL, DataIssueReport, DatasetRequest

CSV_TYPE = "text/csv; charset=utf-8"


def portal_url(path: str) -> str:
    """Absolute URLs and IRIs from PORTAL_URL, not the request's Host: one identity for a set whatever
    domain or proxy a client came through."""
    return settings.PORTAL_URL + path


def _absolute(request):
    return portal_url


def _csv_response(rows, filename: str) -> HttpResponse:
    response = HttpResponse(formats.csv_bytes(rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe  # HEAD too: link checkers and harvesters probe files with HEAD
def index(request):
    municipality = None
    slug = request.GET.get("municipality")
    if slug:
        municipality = get_object_or_404(Municipality, slug=slug)
    q = request.GET.get("q", "").strip()
    total = selectors.register(municipality=municipality).count()
    datasets = list(selectors.register(municipality=municipality, q=q))
    today = timezone.localdate()
    for dataset in datasets:
        dataset.stale = dataset.is_stale(today)
    request_form = DatasetRequestForm(initial={"municipality": municipality})
    return render(
        request,
        "opendata/index.html",
        {
            "municipality": municipality,
            "datasets": datasets,
            "total": total,
            "q": q,
            "stale_count": sum(1 for d in datasets if d.stale),
            "versions_total": sum(d.version_count for d in datasets),
            "downloads_total": sum(d.download_count for d in datasets),
            "most_requested": selectors.most_requested(municipality=municipality, limit=5),
            "municipalities": Municipality.objects.filter(datasets__is_published=True)
            .distinct()
            .order_by("name"),
            "terms": DEFAULT_TERMS_OF_USE,
            "request_form": request_form,
            "standard_version": STANDARD_VERSION_URL,
        },
    )


@require_safe
def list_csv(request):
    datasets = selectors.published_datasets().order_by("identifier")
    if request.GET.get("municipality"):
        datasets = datasets.filter(municipality__slug=request.GET["municipality"])
    return _csv_response(formats.list_rows(datasets, _absolute(request)), "list.csv")


def _passport_context(request, identifier, report_form=None):
    dataset, versions, structures = selectors.passport(identifier)
    counts = selectors.version_counts(dataset)
    for version in versions:
        version.download_count = counts.get(version.pk, 0)
    reports = list(
        dataset.issue_reports.select_related("fixed_version__structure").order_by("-created_at")[:20]
    )
    return {
        "dataset": dataset,
        "municipality": dataset.municipality,
        "versions": versions,
        "current": versions[0] if versions else None,
        "structures": structures,
        "current_structure": structures[0] if structures else None,
        "reports": reports,
        "stale": dataset.is_stale(timezone.localdate()),
        "downloads_total": sum(counts.values()),
        "report_form": report_form or IssueReportForm(),
        "standard_version": STANDARD_VERSION_URL,
        "absolute": settings.PORTAL_URL,
    }


@require_safe
def passport(request, identifier):
    return render(request, "opendata/passport.html", _passport_context(request, identifier))


@require_POST
def report_issue(request, identifier):
    dataset = get_object_or_404(selectors.published_datasets(), identifier=identifier)
    form = IssueReportForm(request.POST)
    if not form.is_valid():
        context = _passport_context(request, identifier, report_form=form)
        return render(request, "opendata/passport.html", context, status=400)
    report = services.report_issue(
        dataset,
        description=form.cleaned_data["description"],
        location=form.cleaned_data["location"],
        author_name=form.cleaned_data["author_name"],
        author_email=form.cleaned_data["author_email"],
    )
    messages.success(
        request, _("Обращение № %(number)s принято. Сохраните адрес этой страницы.") % {"number": report.pk}
    )
    return redirect(report.get_absolute_url())


@require_safe
def report_status(request, token):
    report = get_object_or_404(
        DataIssueReport.objects.select_related(
            "dataset__municipality", "fixed_version__structure", "version__structure"
        ),
        token=token,
    )
    return render(
        request,
        "opendata/report_status.html",
        {"report": report, "dataset": report.dataset, "municipality": report.dataset.municipality},
    )


@require_POST
def request_dataset(request):
    form = DatasetRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "opendata/request_form.html", {"form": form}, status=400)
    obj = services.request_dataset(
        form.cleaned_data["municipality"],
        title=form.cleaned_data["title"],
        description=form.cleaned_data["description"],
        author_name=form.cleaned_data["author_name"],
        author_email=form.cleaned_data["author_email"],
    )
    messages.success(
        request, _("Запрос № %(number)s принят. Сохраните адрес этой страницы.") % {"number": obj.pk}
    )
    return redirect(obj.get_absolute_url())


@require_safe
def request_status(request, token):
    obj = get_object_or_404(DatasetRequest.objects.select_related("municipality", "dataset"), token=token)
    return render(request, "opendata/request_status.html", {"obj": obj, "municipality": obj.municipality})


@require_safe
def meta_csv(request, identifier):
    dataset, versions, structures = selectors.passport(identifier)
    return _csv_response(formats.meta_rows(dataset, versions, structures, _absolute(request)), "meta.csv")


@require_safe
def structure_csv(request, identifier, structure_date):
    dataset = get_object_or_404(selectors.published_datasets(), identifier=identifier)
    structure = get_object_or_404(dataset.structures, date=_ymd(structure_date))
    return _csv_response(formats.structure_rows(structure), structure.filename)


@require_safe
def data_file(request, identifier, data_date, structure_date):
    dataset = get_object_or_404(selectors.published_datasets(), identifier=identifier)
    version = get_object_or_404(
        dataset.versions.select_related("structure"),
        date=_ymd(data_date),
        structure__date=_ymd(structure_date),
    )
    if request.method == "GET":  # a link checker's HEAD is not a download
        services.record_download(
            version, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
    response = FileResponse(version.file.open("rb"), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'inline; filename="{version.filename}"'
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _ymd(text: str):
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError as exc:
        raise Http404 from exc


@require_safe
def datapackage_json(request, identifier):
    dataset, versions, _structures = selectors.passport(identifier)
    body = formats.datapackage(dataset, versions, _absolute(request))
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 2})


# ---- DCAT -------------------------------------------------------------------------------------------


def _catalog(request):
    qs = selectors.published_datasets()
    since = request.GET.get("modified_since")
    if since:
        moment = parse_datetime(since.replace("Z", "+00:00")) if "T" in since else None
        if moment is None:
            try:
                moment = datetime.fromisoformat(since[:10])
            except ValueError:
                return None, HttpResponseBadRequest(
                    _("Параметр modified_since: дата в формате ISO 8601, например 2024-01-31."),
                    content_type="text/plain; charset=utf-8",
                )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        qs = qs.filter(updated_at__gte=moment)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    total = qs.count()
    start = (page - 1) * dcat.PAGE_SIZE
    datasets = list(
        selectors.datasets_with_versions(qs).order_by("-updated_at", "pk")[start : start + dcat.PAGE_SIZE]
    )

    def page_url(number):
        params = {k: v for k, v in request.GET.items() if k != "page"}
        params["page"] = number
        return portal_url(f"{request.path}?{urlencode(params)}")

    graph = dcat.catalog_graph(
        datasets, _absolute(request), title=settings.PORTAL_NAME, page=page, total=total, page_url=page_url
    )
    return graph, None


@require_safe
def catalog_jsonld(request):
    graph, error = _catalog(request)
    if error:
        return error
    return HttpResponse(dcat.dumps(graph), content_type="application/ld+json; charset=utf-8")


@require_safe
def catalog_ttl(request):
    graph, error = _catalog(request)
    if error:
        return error
    return HttpResponse(graph.turtle(), content_type="text/turtle; charset=utf-8")


@require_safe
def catalog_rdf(request):
    graph, error = _catalog(request)
    if error:
        return error
    return HttpResponse(dcat.rdfxml(graph), content_type="application/rdf+xml; charset=utf-8")


CATALOG_FORMATS = {
    "text/turtle": "opendata:catalog_ttl",
    "application/rdf+xml": "opendata:catalog_rdf",
    "application/ld+json": "opendata:catalog_jsonld",
    "application/json": "opendata:catalog_jsonld",
}


@require_safe
def catalog(request):
    """The catalog's IRI resolves: RDF clients get the catalog in the format they accept, browsers the
    register page (303, as for any IRI that names a thing rather than a document)."""
    preferred = request.get_preferred_type(["text/html", *CATALOG_FORMATS])
    target = reverse(CATALOG_FORMATS.get(preferred, "opendata:index"))
    query = request.META.get("QUERY_STRING")
    response = redirect(f"{target}?{query}" if query else target)
    response.status_code = 303
    response["Vary"] = "Accept"
    return response


def _dataset_graph(request, name):
    dataset = (
        selectors.datasets_with_versions(selectors.published_datasets())
        .filter(identifier__iexact=name)
        .first()
    )
    if dataset is None:
        raise Http404
    graph = dcat.Graph()
    dcat.add_dataset(graph, dataset, _absolute(request))
    return graph


@require_safe
def dataset_jsonld(request, name):
    return HttpResponse(
        dcat.dumps(_dataset_graph(request, name)), content_type="application/ld+json; charset=utf-8"
    )


@require_safe
def dataset_ttl(request, name):
    return HttpResponse(_dataset_graph(request, name).turtle(), content_type="text/turtle; charset=utf-8")


@require_safe
def dataset_rdf(request, name):
    return HttpResponse(
        dcat.rdfxml(_dataset_graph(request, name)), content_type="application/rdf+xml; charset=utf-8"
    )


# ---- CKAN Action API --------------------------------------------------------------------------------


def _mixed(query_dict) -> dict:
    """CKAN's reading of a form or query string: a key given once is a string, a repeated key a list."""
    return {key: values[0] if len(values) == 1 else values for key, values in query_dict.lists()}


def _action_data(request) -> dict:
    """The action's parameters the way CKAN reads them (ckan/views/api.py): query string for GET; for POST a
    form (a lone key holding JSON is a JSON body sent as a form, as `curl -d '{…}'` does) or a JSON body."""
    if request.method != "POST":
        return _mixed(request.GET)
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = request.POST
        values = [value for _key, value in form.items()]
        if len(form) == 1 and values[0] in ("", "1") and next(iter(form)).lstrip().startswith("{"):
            data = json.loads(next(iter(form)))
        else:
            return {**_mixed(request.GET), **_mixed(form)}
    elif request.body:
        data = json.loads(request.body.decode("utf-8"))
    else:
        return _mixed(request.GET)
    if not isinstance(data, dict):
        raise ValueError("Request data must be a dictionary")
    return data


@csrf_exempt  # read-only actions: a POST changes nothing, and harvesters post JSON without a CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def ckan_action(request, action):
    help_url = portal_url(reverse("opendata:ckan_action", args=["help_show"])) + f"?name={action}"

    def envelope(status, **body):
        return JsonResponse(
            {"help": help_url, **body}, status=status, json_dumps_params={"ensure_ascii": False}
        )

    function = ckan.ACTIONS.get(action)
    if function is None and ckan.is_write_action(action):
        return envelope(
            403,
            success=False,
            error={
                "__type": "Authorization Error",
                "message": _("Доступ запрещен: открытые данные портала только для чтения."),
            },
        )
    if function is None:
        return envelope(
            400,
            success=False,
            error={"__type": "Bad Request", "message": f"Bad request - Action name not known: {action}"},
        )
    try:
        data = _action_data(request)
    except (ValueError, UnicodeDecodeError) as exc:
        return envelope(
            400, success=False, error={"__type": "Bad Request", "message": f"Bad request - JSON Error: {exc}"}
        )
    try:
        result = function(data, ckan.Context(portal_url))
    except ckan.ActionError as exc:
        return envelope(exc.status, success=False, error=exc.body())
    return envelope(200, success=True, result=result)
