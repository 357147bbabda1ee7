"""The CKAN Action API subset, checked with plain HTTP and with the real `ckanapi` client."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from opendata.models import Dataset
from tests.factories import MunicipalityFactory
from tests.opendata.factories import published_dataset

pytestmark = pytest.mark.django_db


def make_sets(n, municipality=None):
    municipality = municipality or MunicipalityFactory()
    return [published_dataset(municipality=municipality, code=f"set_{i:02d}") for i in range(n)]


def test_envelope_and_package_show_by_name_and_id(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example"]
    dataset = make_sets(1)[0]
    body = client.get("/api/3/action/package_show", {"id": dataset.name}, HTTP_HOST="mirror.example").json()
    # The help link names the portal, like every other URL in the answer, whatever Host the client sent.
    assert body["success"] is True
    assert body["help"] == f"{settings.PORTAL_URL}/api/3/action/help_show?name=package_show"
    result = body["result"]
    assert result["name"] == dataset.identifier.lower() and result["id"] == str(dataset.uuid)
    assert result["organization"]["name"] == dataset.municipality.slug
    resource = result["resources"][0]
    assert (
        resource["url"]
        == f"{settings.PORTAL_URL}/opendata/{dataset.identifier}/data-20240301-structure-20240301.csv"
    )
    assert resource["format"] == "CSV"
    assert (
        client.get("/api/action/package_show", {"id": result["id"]}).json()["result"]["name"]
        == result["name"]
    )
    # metadata_modified is ISO 8601 (CKAN style: UTC, no offset)
    assert timezone.datetime.fromisoformat(result["metadata_modified"])


def test_errors_use_ckan_types_and_codes(client):
    missing = client.get("/api/3/action/package_show", {"id": "nope"})
    assert missing.status_code == 404
    assert missing.json()["success"] is False
    assert missing.json()["error"]["__type"] == "Not Found Error" and missing.json()["error"]["message"]
    no_id = client.get("/api/3/action/package_show")
    assert no_id.status_code == 409 and no_id.json()["error"] == {
        "__type": "Validation Error",
        "id": ["Missing value"],
    }
    bad_rows = client.get("/api/3/action/package_search", {"rows": "x"})
    assert bad_rows.status_code == 409 and bad_rows.json()["error"]["rows"] == ["Invalid integer"]
    unknown = client.get("/api/3/action/no_such_action")
    assert unknown.status_code == 400 and "Action name not known" in unknown.json()["error"]["message"]
    write = client.post("/api/3/action/package_create", {"name": "x"})
    assert write.status_code == 403 and write.json()["error"]["__type"] == "Authorization Error"
    bad_fq = client.get("/api/3/action/package_search", {"fq": "secret_field:1"})
    assert bad_fq.status_code == 400 and bad_fq.json()["error"]["__type"] == "Search Query Error"
    assert "undefined field secret_field" in bad_fq.json()["error"]["message"]


def test_json_post_without_csrf_token(client):
    from django.test import Client

    make_sets(3)
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        "/api/3/action/package_search",
        data=json.dumps({"rows": 2, "start": 1}),
        content_type="application/json",
    )
    body = response.json()
    assert (
        response.status_code == 200 and body["result"]["count"] == 3 and len(body["result"]["results"]) == 2
    )


def test_package_search_fq_by_organization_and_metadata_modified(client):
    ours = make_sets(2)
    other = make_sets(1)
    result = client.get(
        "/api/3/action/package_search", {"fq": f"organization:{ours[0].municipality.slug}"}
    ).json()
    assert {r["name"] for r in result["result"]["results"]} == {d.name for d in ours}
    old = timezone.now() - timedelta(days=30)
    Dataset.objects.filter(pk=other[0].pk).update(updated_at=old)
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    fq = f"metadata_modified:[{since} TO *]"
    result = client.get("/api/3/action/package_search", {"fq": fq, "rows": 100}).json()["result"]
    assert result["count"] == 2 and other[0].name not in {r["name"] for r in result["results"]}
    both = f"+organization:{ours[0].municipality.slug} +metadata_modified:[{since} TO NOW]"
    assert client.get("/api/3/action/package_search", {"fq": both}).json()["result"]["count"] == 2


def test_package_search_q_sort_and_facets(client):
    sets = make_sets(3)
    sets[1].title = "Места для купания"
    sets[1].save()
    body = client.get("/api/3/action/package_search", {"q": "купания"}).json()["result"]
    assert [r["name"] for r in body["results"]] == [sets[1].name]
    body = client.get(
        "/api/3/action/package_search", {"sort": "name desc", "facet.field": '["organization","tags"]'}
    ).json()["result"]
    assert [r["name"] for r in body["results"]] == sorted((d.name for d in sets), reverse=True)
    assert body["facets"]["organization"] == {sets[0].municipality.slug: 3}
    assert body["facets"]["tags"] == {"учреждения": 3, "адреса": 3}


def test_organizations_resources_and_status(client):
    dataset = make_sets(1)[0]
    orgs = client.get("/api/3/action/organization_list", {"all_fields": "true"}).json()["result"]
    org = next(o for o in orgs if o["name"] == dataset.municipality.slug)
    assert org["package_count"] == 1
    shown = client.get(
        "/api/3/action/organization_show", {"id": org["id"], "include_datasets": "true"}
    ).json()
    assert shown["result"]["packages"][0]["name"] == dataset.name
    resource_id = client.get("/api/3/action/package_show", {"id": dataset.name}).json()["result"][
        "resources"
    ][0]["id"]
    resource = client.get("/api/3/action/resource_show", {"id": resource_id}).json()["result"]
    assert resource["package_id"] == str(dataset.uuid) and resource["name"].startswith("data-20240301")
    status = client.get("/api/3/action/status_show").json()["result"]
    assert status["ckan_version"] and status["locale_default"] == "ru"
    listed = client.get("/api/3/action/current_package_list_with_resources", {"limit": 5}).json()["result"]
    assert listed[0]["resources"]


def test_unpublished_sets_are_not_harvested(client):
    dataset = make_sets(2)[0]
    Dataset.objects.filter(pk=dataset.pk).update(is_published=False)
    names = client.get("/api/3/action/package_list").json()["result"]
    assert dataset.name not in names and len(names) == 1
    assert client.get("/api/3/action/package_show", {"id": dataset.name}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_ckanapi_client_lists_shows_and_pages_through_every_set(live_server):
    import ckanapi

    sets = make_sets(7)
    with ckanapi.RemoteCKAN(live_server.url, user_agent="portal-tests") as ckan:
        names = ckan.action.package_list()
        assert sorted(names) == sorted(d.name for d in sets)
        for name in names:
            package = ckan.action.package_show(id=name)
            assert package["name"] == name and package["resources"]
        seen, pages, start = [], 0, 0
        while True:
            page = ckan.action.package_search(q="*:*", rows=3, start=start, sort="metadata_modified desc")
            results = [p["name"] for p in page["results"]]
            if not results:
                break
            assert not set(results) & set(seen), "a page repeats an earlier one"
            seen += results
            pages += 1
            start += 3
        assert page["count"] == 7 and pages == 3 and sorted(seen) == sorted(names)
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="no-such-set")
        assert ckan.action.organization_list() == [sets[0].municipality.slug]
    with ckanapi.RemoteCKAN(live_server.url, get_only=True) as ckan:
        assert ckan.action.package_search(rows=2, start=6)["results"][0]["name"] in names


def test_query_count_of_package_search_does_not_grow(client, django_assert_max_num_queries):
    municipality = MunicipalityFactory()
    make_sets(2, municipality)
    with django_assert_max_num_queries(6):
        client.get("/api/3/action/package_search", {"rows": 100, "facet.field": '["tags"]'})
    for i in range(10):
        published_dataset(municipality=municipality, code=f"more_{i}", version_date=date(2024, 3, 2))
    with django_assert_max_num_queries(6):
        assert client.get("/api/3/action/package_search", {"rows": 100}).json()["result"]["count"] == 12
    with django_assert_max_num_queries(4):
        client.get("/api/3/action/current_package_list_with_resources")
