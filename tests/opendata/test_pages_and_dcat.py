"""The section page, the passport with RDFa, DCAT catalogue files; constant queries."""

import json
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from opendata.models import Dataset, Periodicity
from tests.factories import MunicipalityFactory
from tests.opendata.factories import published_dataset

pytestmark = pytest.mark.django_db


def test_passport_shows_18_fields_with_rdfa_and_advertises_dcat(client):
    dataset = published_dataset()
    html = client.get(dataset.get_absolute_url()).content.decode()
    assert html.count('<th scope="row">') >= 18
    assert 'prefix="dc: http://purl.org/dc/terms/"' in html
    assert 'property="dc:conformsTo" href="http://opendata.gosmonitor.ru/standard/3.0"' in html
    assert f'<td property="dc:identifier">{dataset.identifier}</td>' in html
    assert f'<td property="dc:title">{dataset.title}</td>' in html
    assert 'property="dc:modified" content="20240301"' in html
    assert f'rel="alternate" type="application/ld+json" href="/dataset/{dataset.name}.jsonld"' in html
    assert "petrov@example.ru" in html, "the responsible person's e-mail is a public passport field"


def test_register_flags_stale_sets_and_always_offers_search(client):
    municipality = MunicipalityFactory()
    fresh = published_dataset(municipality=municipality, version_date=timezone.localdate())
    stale = published_dataset(municipality=municipality, code="old", version_date=date(2020, 1, 10))
    Dataset.objects.filter(pk=stale.pk).update(periodicity=Periodicity.MONTHLY, title="Места для купания")
    stale.refresh_from_db()
    stale.save()  # recompute the next update date
    html = client.get("/opendata/").content.decode()
    assert "требует актуализации" in html and fresh.title in html
    assert 'type="search"' in html  # a citizen can search two sets as well as two hundred
    for i in range(20):
        published_dataset(municipality=municipality, code=f"s{i}")
    html = client.get("/opendata/").content.decode()
    assert 'type="search"' in html
    found = client.get("/opendata/", {"q": stale.title}).content.decode()
    assert stale.title in found and fresh.title not in found


PUBLIC_URLS = [
    "/opendata/",
    "/opendata/list.csv",
    "/catalog.jsonld",
    "/catalog.ttl",
    "/api/3/action/package_list",
    "/api/3/action/organization_list?all_fields=true",
]


def _counts(client, urls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        result[url] = len(ctx.captured_queries)
    return result


def test_register_files_and_passport_make_constant_queries(client):
    municipality = MunicipalityFactory()
    first = published_dataset(municipality=municipality)
    per_set = [
        first.get_absolute_url(),
        f"/opendata/{first.identifier}/meta.csv",
        f"/opendata/{first.identifier}/datapackage.json",
        f"/dataset/{first.name}.jsonld",
    ]
    small = _counts(client, PUBLIC_URLS + per_set)
    for i in range(15):
        published_dataset(municipality=municipality, code=f"x{i}", version_date=date(2024, 3, 2))
    from opendata import services
    from tests.opendata.factories import rows_csv

    for day in range(2, 12):  # many versions of the one set
        services.publish_version(first, rows_csv(2), provenance="", version_date=date(2024, 4, day))
    large = _counts(client, PUBLIC_URLS + per_set)
    assert large == small
    assert max(small.values()) <= 8


def test_catalog_jsonld_is_paged_and_filters_by_modified_since(client):
    from opendata import dcat

    sets = [published_dataset(code=f"c{i}") for i in range(3)]
    Dataset.objects.filter(pk=sets[0].pk).update(updated_at=timezone.now() - timedelta(days=10))
    body = json.loads(client.get("/catalog.jsonld").content)
    nodes = {n["@id"]: n for n in body["@graph"]}
    catalog = nodes[f"{settings.PORTAL_URL}/catalog"]
    assert catalog["@type"] == "dcat:Catalog" and len(catalog["dcat:dataset"]) == 3
    dataset_node = nodes[f"{settings.PORTAL_URL}{sets[1].get_absolute_url()}"]
    assert dataset_node["dct:identifier"] == sets[1].identifier
    assert dataset_node["dct:title"] == {"@value": sets[1].title, "@language": "ru"}
    paging = next(n for n in body["@graph"] if n.get("@type") == "hydra:PagedCollection")
    assert paging["hydra:totalItems"]["@value"] == "3"
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    recent = json.loads(client.get("/catalog.jsonld", {"modified_since": since}).content)
    catalog = next(n for n in recent["@graph"] if n["@id"] == f"{settings.PORTAL_URL}/catalog")
    assert len(catalog["dcat:dataset"]) == 2
    assert client.get("/catalog.jsonld", {"modified_since": "вчера"}).status_code == 400
    assert dcat.PAGE_SIZE >= 1


def test_catalog_turtle_and_dataset_jsonld(client):
    dataset = published_dataset()
    Dataset.objects.filter(pk=dataset.pk).update(description='Строка с "кавычками"\nи переводом')
    ttl = client.get("/catalog.ttl")
    assert ttl["Content-Type"].startswith("text/turtle")
    text = ttl.content.decode()
    assert "@prefix dcat: <http://www.w3.org/ns/dcat#> ." in text
    assert '"Строка с \\"кавычками\\"\\nи переводом"@ru' in text
    assert f"<{settings.PORTAL_URL}{dataset.get_absolute_url()}>\n    a dcat:Dataset" in text
    one = json.loads(client.get(f"/dataset/{dataset.name}.jsonld").content)
    distributions = [n for n in one["@graph"] if n.get("@type") == "dcat:Distribution"]
    assert distributions[0]["dcat:downloadURL"]["@id"].endswith("data-20240301-structure-20240301.csv")
    assert client.get("/dataset/nope.jsonld").status_code == 404


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("text/turtle", "/catalog.ttl"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "/catalog.rdf"),
        ("application/ld+json", "/catalog.jsonld"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "/opendata/"),
    ],
)
def test_catalog_iri_sends_rdf_clients_to_their_format_and_browsers_to_the_register(client, accept, target):
    response = client.get("/catalog", {"modified_since": "2024-01-01"}, HTTP_ACCEPT=accept)
    assert response.status_code == 303
    assert response["Location"] == f"{target}?modified_since=2024-01-01"
    assert "Accept" in [h.strip() for h in response["Vary"].split(",")]  # caches keep one answer per format
