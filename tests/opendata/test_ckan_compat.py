"""What independent CKAN clients found broken: fq as harvesters build it, the actions they call, CKAN's
request parsing and status codes, incremental harvests seeing every visible change, Cyrillic search."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from opendata import solr_query
from opendata.models import Dataset
from tests.factories import DepartmentFactory, MunicipalityFactory, OfficialFactory
from tests.opendata.factories import DatasetFactory, published_dataset

pytestmark = pytest.mark.django_db

API = "/api/3/action/"


def search(client, **params):
    response = client.get(API + "package_search", {"rows": 1000, **params})
    return response.status_code, response.json()


def names(client, **params):
    status, body = search(client, **params)
    assert status == 200, body
    return sorted(r["name"] for r in body["result"]["results"])


@pytest.fixture
def three_towns():
    towns = [MunicipalityFactory(slug=slug) for slug in ("alpha", "beta", "gamma")]
    sets = {town.slug: published_dataset(municipality=town, code=f"set_{town.slug}") for town in towns}
    return sets


def test_harvester_organisation_filters_and_modified_since(client, three_towns):
    a, b, c = (three_towns[s].name for s in ("alpha", "beta", "gamma"))
    assert names(client, fq="organization:alpha OR organization:beta") == sorted([a, b])
    assert names(client, fq="-organization:alpha -organization:beta") == [c]
    old = timezone.now() - timedelta(days=3)
    Dataset.objects.filter(pk=three_towns["alpha"].pk).update(updated_at=old)
    since = (timezone.now() - timedelta(days=1)).astimezone(UTC).replace(tzinfo=None).isoformat()
    # ckanext-harvest joins its terms with a space: (a OR b) AND modified since
    fq = f"organization:alpha OR organization:beta metadata_modified:[{since}Z TO *]"
    assert names(client, fq=fq) == [b]
    assert names(client, fq="metadata_modified:[NOW-1DAY TO NOW]") == sorted([b, c])
    assert names(client, fq="metadata_modified:{* TO NOW-1DAY}") == [a]
    assert names(client, fq="metadata_modified:[NOW/DAY-7DAYS TO NOW/DAY+1DAY]") == sorted([a, b, c])
    assert names(client, fq="(organization:alpha OR organization:gamma) AND NOT organization:gamma") == [a]
    assert names(client, fq='organization:("alpha" OR beta) +capacity:public') == sorted([a, b])
    assert names(client, fq="groups:x") == [], "CKAN knows the field: 0 results, not an error"
    assert names(client, fq="extras_harvest_source_id:x") == []
    assert names(client, fq="-groups:x") == sorted([a, b, c])


def test_query_errors_answer_400_in_ckans_error_shape(client, three_towns):
    bad = [
        "organization:(alpha",
        "metadata_modified:[yesterday TO *]",
        "secret:1",
        "AND",
        "name:[a TO b]",
        "tags:[1 TO",
    ]
    for fq in bad:
        status, body = search(client, fq=fq)
        assert status == 400, fq
        assert body["success"] is False and body["error"]["__type"] == "Search Query Error"
        assert body["error"]["message"].startswith("Search Query is invalid: ")


def test_date_maths_follows_solr():
    now = datetime(2024, 3, 15, 13, 45, 10, tzinfo=UTC)
    assert solr_query.parse_date("NOW", now=now) == now
    assert solr_query.parse_date("NOW-1DAY", now=now) == datetime(2024, 3, 14, 13, 45, 10, tzinfo=UTC)
    assert solr_query.parse_date("NOW/DAY", now=now) == datetime(2024, 3, 15, tzinfo=UTC)
    assert solr_query.parse_date("NOW/MONTH-1MONTH", now=now) == datetime(2024, 2, 1, tzinfo=UTC)
    assert solr_query.parse_date("2024-01-31T00:00:00.000Z+1MONTH") == datetime(2024, 2, 29, tzinfo=UTC)
    with pytest.raises(solr_query.QuerySyntaxError):
        solr_query.parse_date("NOW-1FORTNIGHT")


def test_actions_real_clients_call(client, three_towns):
    def result(action, status=200, **params):
        response = client.get(API + action, params)
        assert response.status_code == status, response.content
        return response.json()["result"] if status == 200 else response.json()["error"]

    assert result("site_read") is True
    assert result("group_list") == [] and result("group_list", all_fields="true") == []
    assert result("group_show", status=404, id="x")["__type"] == "Not Found Error"
    assert result("tag_list") == ["адреса", "учреждения"]
    assert result("tag_list", query="АДР") == ["адреса"]
    assert result("tag_list", all_fields="true")[0]["name"] == "адреса"
    licenses = result("license_list")
    assert [lic["id"] for lic in licenses] == ["other-open"]
    package = result("package_show", id=three_towns["alpha"].name)
    assert package["license_id"] in {lic["id"] for lic in licenses}


def test_anonymous_writes_are_forbidden_like_ckan(client):
    for action in ("package_create", "resource_update", "organization_member_create", "package_delete"):
        response = client.post(API + action, json.dumps({"name": "x"}), content_type="application/json")
        assert response.status_code == 403 and response.json()["error"]["__type"] == "Authorization Error"


def test_repeated_keys_become_lists_and_json_form_bodies_are_read(client, three_towns):
    response = client.get(API + "package_search?facet.field=organization&facet.field=tags&rows=0")
    facets = response.json()["result"]["facets"]
    assert set(facets) == {"organization", "tags"} and facets["organization"] == {
        "alpha": 1,
        "beta": 1,
        "gamma": 1,
    }
    both = client.get(API + "package_search?fq_list=organization:alpha&fq_list=capacity:public&rows=10")
    assert [r["name"] for r in both.json()["result"]["results"]] == [three_towns["alpha"].name]
    # `curl -d '{"id": …}'` posts JSON as a form with the JSON as its only key
    body = json.dumps({"id": three_towns["beta"].name})
    form = client.post(API + "package_show", body, content_type="application/x-www-form-urlencoded")
    assert form.status_code == 200 and form.json()["result"]["name"] == three_towns["beta"].name
    posted = client.post(API + "package_search", {"fq": "organization:gamma"})
    assert posted.json()["result"]["count"] == 1


def test_organization_list_counts_only_sets_with_data(client):
    dataset = published_dataset()
    DatasetFactory(municipality=dataset.municipality)  # a passport without any data version
    orgs = client.get(API + "organization_list", {"all_fields": "true"}).json()["result"]
    assert orgs[0]["package_count"] == 1
    shown = client.get(API + "organization_show", {"id": dataset.municipality.slug}).json()["result"]
    assert shown["package_count"] == 1
    assert client.get(API + "package_search").json()["result"]["count"] == 1


def test_metadata_modified_moves_when_what_a_client_sees_changes(client):
    official = OfficialFactory(email="old@example.ru")
    dataset = published_dataset(municipality=official.municipality, responsible_official=official)

    def modified():
        return client.get(API + "package_show", {"id": dataset.name}).json()["result"]["metadata_modified"]

    def backdate():
        Dataset.objects.filter(pk=dataset.pk).update(updated_at=timezone.now() - timedelta(days=30))
        return modified()

    before = backdate()
    official.email = "new@example.ru"
    official.save()
    after = modified()
    assert after > before
    shown = client.get(API + "package_show", {"id": dataset.name}).json()["result"]
    assert shown["maintainer_email"] == "new@example.ru"
    since = (timezone.now() - timedelta(days=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert names(client, fq=f"metadata_modified:[{since} TO *]") == [dataset.name]
    dcat = json.loads(client.get("/catalog.jsonld", {"modified_since": since}).content)
    assert any(node.get("dct:identifier") == dataset.identifier for node in dcat["@graph"])

    before = backdate()
    municipality = dataset.municipality
    municipality.name = "Новое название округа"
    municipality.save()
    assert modified() > before

    before = backdate()
    owner = dataset.owner
    owner.name = "Управление культуры"
    owner.save()
    assert modified() > before
    assert names(client, q="культуры") == [dataset.name], "the owner's new name is searchable"

    before = backdate()
    official.aliases = ["Другое написание"]  # not shown to clients: no re-harvest
    official.save()
    assert modified() == before
    DepartmentFactory(municipality=municipality)  # a new department changes no set
    assert modified() == before


def test_search_ignores_case_in_cyrillic(client):
    town = MunicipalityFactory()
    for code, title in (("a", "Реестр учреждений"), ("b", "РЕЕСТР объектов"), ("c", "Перечень ёлок")):
        published_dataset(municipality=town, code=code, title=title)
    assert len(names(client, q="реестр")) == len(names(client, q="Реестр")) == 2
    assert len(names(client, q="ЕЛОК")) == 1, "ё is found as е"
    assert len(names(client, fq="title:реестр")) == 2
    page = client.get("/opendata/", {"municipality": town.slug, "q": "реестр"}).content.decode()
    assert "Реестр учреждений" in page and "РЕЕСТР объектов" in page and "Перечень ёлок" not in page
