"""The portal under a live server, driven by the clients that found the issues: ckanapi (CLI and RemoteCKAN,
GET-only too), frictionless, rdflib, a link checker's HEAD and a replay of ckanext-harvest's CKAN harvester."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from opendata.models import Dataset
from tests.factories import MunicipalityFactory
from tests.opendata.factories import published_dataset

pytestmark = pytest.mark.django_db(transaction=True)

CKANAPI = shutil.which("ckanapi") or str(Path(sys.executable).with_name("ckanapi"))


@pytest.fixture
def portal(live_server, settings):
    """The live server is the portal: absolute URLs and IRIs come from PORTAL_URL."""
    settings.PORTAL_URL = live_server.url
    return live_server.url


def ckanapi_cli(portal, action, *params):
    result = subprocess.run(
        [CKANAPI, "action", action, "-r", portal, *params],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout, result.stderr


def test_ckanapi_cli_and_remoteckan_over_every_action(portal):
    import ckanapi

    towns = [MunicipalityFactory(slug=slug) for slug in ("north", "south")]
    sets = [published_dataset(municipality=town, code=f"set_{i}") for town in towns for i in range(2)]
    a_set = sets[0]

    code, out, err = ckanapi_cli(
        portal, "package_search", "fq=organization:north OR organization:south", "rows=10"
    )
    assert code == 0, err
    assert json.loads(out)["count"] == 4
    code, out, err = ckanapi_cli(portal, "package_search", "q=*:*", 'facet.field=["organization"]', "rows=0")
    assert code == 0, err
    assert json.loads(out)["facets"]["organization"] == {"north": 2, "south": 2}
    code, out, err = ckanapi_cli(portal, "package_search", "fq=groups:x")
    assert code == 0 and json.loads(out)["count"] == 0, err
    code, out, err = ckanapi_cli(portal, "package_show", f"id={a_set.name}")
    assert code == 0 and json.loads(out)["name"] == a_set.name, err
    code, _out, err = ckanapi_cli(portal, "package_search", "fq=organization:(north")
    assert code != 0 and "SearchQueryError" in err

    for get_only in (False, True):
        with ckanapi.RemoteCKAN(portal, user_agent="portal-tests", get_only=get_only) as ckan:
            action = ckan.action
            assert action.site_read() is True
            assert sorted(action.package_list()) == sorted(d.name for d in sets)
            package = action.package_show(id=a_set.name)
            assert package["resources"] and package["license_id"] == "other-open"
            resource = action.resource_show(id=package["resources"][0]["id"])
            assert resource["url"].startswith(portal)
            found = action.package_search(
                fq="organization:north OR organization:south", facet_field=["organization", "tags"], rows=10
            )
            assert found["count"] == 4
            listed = action.package_search(**{"facet.field": ["organization", "tags"], "rows": 0})
            assert set(listed["facets"]) == {"organization", "tags"}
            filtered = action.package_search(fq_list=["organization:north", "capacity:public"], rows=10)
            assert filtered["count"] == 2
            assert len(action.current_package_list_with_resources(limit=3)) == 3
            assert action.organization_list() == ["north", "south"]
            assert action.organization_list(all_fields=True)[0]["package_count"] == 2
            assert action.organization_show(id="north", include_datasets=True)["package_count"] == 2
            assert action.group_list() == []
            with pytest.raises(ckanapi.NotFound):
                action.group_show(id="transport")
            assert action.tag_list() == ["адреса", "учреждения"]
            assert action.license_list()[0]["id"] == "other-open"
            assert action.status_show()["ckan_version"]
            assert "Search datasets" in action.help_show(name="package_search")
            with pytest.raises(ckanapi.SearchQueryError):
                action.package_search(fq="metadata_modified:[yesterday TO *]")
            with pytest.raises(ckanapi.NotAuthorized):
                action.package_create(name="new-set", owner_org="north")
            with pytest.raises(ckanapi.NotFound):
                action.package_show(id="no-such-set")


def test_frictionless_validates_every_data_package(portal, opendata_demo):
    from frictionless import validate

    identifiers = list(
        Dataset.objects.filter(is_published=True, modified__isnull=False).values_list("identifier", flat=True)
    )
    assert len(identifiers) >= 8
    for identifier in identifiers:
        report = validate(f"{portal}/opendata/{identifier}/datapackage.json")
        errors = [error.message for task in report.tasks for error in task.errors] + [
            error.message for error in report.errors
        ]
        assert report.valid, (identifier, errors[:5])
    # and the CLI a publisher would run
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("frictionless")),
            "validate",
            "--json",
            f"{portal}/opendata/{identifiers[0]}/datapackage.json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert json.loads(result.stdout)["valid"] is True


def test_rdflib_reads_the_dcat_ap_properties_importers_need(portal, settings):
    import rdflib
    from rdflib.compare import isomorphic
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other-domain.example"]  # a second domain or a proxy
    town = MunicipalityFactory(name="Левокумский", full_name="Левокумский муниципальный округ")
    dataset = published_dataset(municipality=town, title="Реестр муниципальных учреждений культуры")
    dataset_iri = rdflib.URIRef(f"{portal}{dataset.get_absolute_url()}")
    catalog_iri = rdflib.URIRef(f"{portal}/catalog")
    graphs = {}
    for path, fmt in (("/catalog.ttl", "turtle"), ("/catalog.rdf", "xml"), ("/catalog.jsonld", "json-ld")):
        response = requests.get(portal + path, timeout=30, headers={"Host": "other-domain.example"})
        assert response.status_code == 200, path
        graphs[fmt] = rdflib.Graph().parse(data=response.text, format=fmt, publicID=portal)
    for graph in graphs.values():  # the paging node is named by its own URL, the rest must be the same
        for page in {s for s in graph.subjects() if "?page=" in str(s)}:
            graph.remove((page, None, None))
    assert isomorphic(graphs["turtle"], graphs["xml"]) and isomorphic(graphs["turtle"], graphs["json-ld"])
    assert len(graphs["xml"]) > 40
    graph = graphs["xml"]

    assert (catalog_iri, RDF.type, DCAT.Catalog) in graph, "IRIs come from PORTAL_URL, not the Host header"
    assert not any("other-domain" in str(term) for triple in graph for term in triple)
    catalog_publisher = graph.value(catalog_iri, DCTERMS.publisher)
    assert (catalog_publisher, RDF.type, FOAF.Agent) in graph and graph.value(catalog_publisher, FOAF.name)
    assert (catalog_iri, DCAT.dataset, dataset_iri) in graph

    publisher = graph.value(dataset_iri, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(graph.value(publisher, FOAF.name)) == "Левокумский муниципальный округ"
    license_iri = graph.value(dataset_iri, DCTERMS.license)
    assert (license_iri, RDF.type, DCTERMS.LicenseDocument) in graph and graph.value(license_iri, RDFS.label)
    provenance = graph.value(dataset_iri, DCTERMS.provenance)
    assert isinstance(provenance, rdflib.URIRef)
    assert (provenance, RDF.type, DCTERMS.ProvenanceStatement) in graph
    standard = graph.value(dataset_iri, DCTERMS.conformsTo)
    assert (standard, RDF.type, DCTERMS.Standard) in graph
    assert str(graph.value(dataset_iri, DCTERMS.identifier)) == dataset.identifier
    name = str(graph.value(dataset_iri, DCTERMS.alternative))
    assert name == "reestr-munitsipalnykh-uchrezhdenii-kultury" and name.isascii()

    distribution = graph.value(dataset_iri, DCAT.distribution)
    file_format = graph.value(distribution, DCTERMS["format"])
    assert isinstance(file_format, rdflib.URIRef) and str(file_format).endswith("/file-type/CSV")
    assert (file_format, RDF.type, DCTERMS.MediaTypeOrExtent) in graph
    assert graph.value(distribution, DCTERMS.license) == license_iri
    structure = graph.value(distribution, DCTERMS.conformsTo)
    assert (structure, RDF.type, DCTERMS.Standard) in graph
    assert str(graph.value(distribution, DCAT.downloadURL)).startswith(portal)

    one = requests.get(f"{portal}/dataset/{dataset.name}.rdf", timeout=30)
    single = rdflib.Graph().parse(data=one.text, format="xml")
    assert (dataset_iri, RDF.type, DCAT.Dataset) in single

    # the catalog IRI resolves: to the catalog for an RDF client, to the register for a browser
    rdf = requests.get(str(catalog_iri), headers={"Accept": "text/turtle"}, timeout=30)
    assert rdf.status_code == 200 and rdf.url.endswith("/catalog.ttl")
    assert (catalog_iri, RDF.type, DCAT.Catalog) in rdflib.Graph().parse(data=rdf.text, format="turtle")
    page = requests.get(str(catalog_iri), headers={"Accept": "text/html,*/*;q=0.8"}, timeout=30)
    assert page.status_code == 200 and page.url.endswith("/opendata/")


def open_data_urls(portal) -> list[str]:
    """Every open-data URL a link checker finds: register, lists, passports and all their files."""
    urls = [
        f"{portal}/opendata/",
        f"{portal}/opendata/list.csv",
        f"{portal}/catalog.jsonld",
        f"{portal}/catalog.ttl",
        f"{portal}/catalog.rdf",
    ]
    for dataset in Dataset.objects.filter(is_published=True, modified__isnull=False).prefetch_related(
        "versions__structure", "structures"
    ):
        base = f"{portal}/opendata/{dataset.identifier}/"
        urls += [base, f"{base}meta.csv", f"{base}datapackage.json"]
        urls += [f"{base}{structure.filename}" for structure in dataset.structures.all()]
        urls += [f"{base}{version.filename}" for version in dataset.versions.all()]
        urls += [f"{portal}/dataset/{dataset.name}.{ext}" for ext in ("jsonld", "ttl", "rdf")]
    return urls


def test_head_answers_every_open_data_url_like_get_without_a_body(portal, opendata_demo):
    from opendata.models import DownloadEvent

    urls = open_data_urls(portal)
    assert len(urls) > 60
    downloads = DownloadEvent.objects.count()
    for url in urls:
        head = requests.head(url, timeout=30)
        get = requests.get(url, timeout=30)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b"", url
        assert head.headers["Content-Type"] == get.headers["Content-Type"], url
        if "Content-Length" in head.headers:
            assert int(head.headers["Content-Length"]) == len(get.content), url
    files = sum(1 for url in urls if "/data-" in url)
    assert DownloadEvent.objects.count() - downloads <= files, "a HEAD is not counted as a download"


def harvest(portal, config: dict) -> list[dict]:
    """ckanext-harvest's CKANHarvester gather stage: its fq terms and its paging (`_search_for_datasets`)."""
    fq_terms = []
    include = config.get("organizations_filter_include", [])
    exclude = config.get("organizations_filter_exclude", [])
    if include:
        fq_terms.append(" OR ".join(f"organization:{name}" for name in include))
    elif exclude:
        fq_terms.extend(f"-organization:{name}" for name in exclude)
    if config.get("since"):
        fq_terms.append(f"metadata_modified:[{config['since']}Z TO *]")
    params = {"rows": "100", "start": "0", "sort": "id asc"}
    if fq_terms:
        params["fq"] = " ".join(fq_terms)
    packages, ids = [], set()
    while True:
        url = f"{portal}/api/3/action/package_search?{urlencode(params)}"
        response = requests.get(url, timeout=60)
        assert response.status_code == 200, response.text[:500]
        page = response.json()["result"]["results"]
        duplicates = {p["id"] for p in page} & ids
        assert not duplicates, "a page repeats a set of an earlier page"
        ids |= {p["id"] for p in page}
        packages.extend(page)
        if not page:
            break
        params["start"] = str(int(params["start"]) + int(params["rows"]))
    return packages


def test_harvest_replay_pages_over_120_sets_with_organisation_filters(portal):
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    towns = [MunicipalityFactory(slug=f"town-{n}") for n in range(4)]
    by_town = {town.slug: [] for town in towns}
    for n in range(124):
        town = towns[n % 4]
        by_town[town.slug].append(published_dataset(municipality=town, code=f"set_{n:03d}").name)
    everything = harvest(portal, {})
    assert len(everything) == 124
    assert sorted(p["name"] for p in everything) == sorted(n for names in by_town.values() for n in names)

    included = harvest(portal, {"organizations_filter_include": ["town-0", "town-2"]})
    assert sorted(p["name"] for p in included) == sorted(by_town["town-0"] + by_town["town-2"])
    excluded = harvest(portal, {"organizations_filter_exclude": ["town-0", "town-2"]})
    assert sorted(p["name"] for p in excluded) == sorted(by_town["town-1"] + by_town["town-3"])

    # the next run asks only for what changed since the last one (an hour back, as the harvester does)
    Dataset.objects.update(updated_at=timezone.now() - timedelta(days=2))
    official_change = Dataset.objects.get(identifier__iexact=by_town["town-1"][0])
    official_change.responsible_email = "new@example.ru"
    official_change.save()
    since = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    changed = harvest(portal, {"organizations_filter_include": ["town-1", "town-3"], "since": since})
    assert [p["name"] for p in changed] == [official_change.name]
    assert changed[0]["maintainer_email"] == "new@example.ru"
