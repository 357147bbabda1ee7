"""The files of the methodological recommendations v3.0, read back as a consumer would (csv module)."""

import csv
import io
import re

import pytest
from django.conf import settings

from opendata.models import STANDARD_VERSION_URL, Dataset

pytestmark = pytest.mark.django_db

META_PROPERTIES = [
    "standardversion",
    "identifier",
    "title",
    "description",
    "creator",
    "created",
    "modified",
    "subject",
    "format",
    "provenance",
    "valid",
    "publishername",
    "publisherphone",
    "publishermbox",
]


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    text = raw.decode("utf-8")
    assert "\r\n" in text and not re.search(r"[^\r]\n", text), "RFC 4180 line ends"
    return list(csv.reader(io.StringIO(text, newline="")))


def local(url):
    assert url.startswith(f"{settings.PORTAL_URL}/")
    return url.removeprefix(f"{settings.PORTAL_URL}")


def test_list_csv_header_first_row_and_one_row_per_set(client, opendata_demo):
    rows = parse(client.get("/opendata/list.csv"))
    assert rows[0] == ["property", "title", "value", "format"]
    assert rows[1][0] == "standardversion" and rows[1][2] == STANDARD_VERSION_URL
    sets = rows[2:]
    inn = Dataset.objects.first().municipality.inn
    assert len(sets) == Dataset.objects.filter(is_published=True, modified__isnull=False).count() >= 8
    for identifier, title, value, fmt in sets:
        assert re.fullmatch(rf"{inn}-[a-z0-9_]+", identifier)
        assert title and fmt == "csv"
        assert value == f"{settings.PORTAL_URL}/opendata/{identifier}/meta.csv"


PORTAL_SET_CODES = ("openness_roadmap", "survey_results", "citizen_appeals")


def test_every_demo_set_has_meta_structure_and_data_files_that_agree(client, opendata_demo):
    listing = parse(client.get("/opendata/list.csv"))[2:]
    hand_loaded = [r for r in listing if not r[0].endswith(PORTAL_SET_CODES)]
    assert len(hand_loaded) == 7
    for identifier, _title, meta_url, _fmt in listing:
        meta = parse(client.get(local(meta_url)))
        assert meta[0] == ["property", "value"]
        assert [r[0] for r in meta[1:15]] == META_PROPERTIES
        props = dict(meta[1:])
        assert props["identifier"] == identifier and props["standardversion"] == STANDARD_VERSION_URL
        assert re.fullmatch(r"\d{8}", props["created"]) and re.fullmatch(r"\d{8}", props["modified"])
        assert props["format"] == "csv" and props["publishername"] and props["creator"]
        data_rows = [r for r in meta[15:] if r[0].startswith("data-")]
        structure_rows = [r for r in meta[15:] if r[0].startswith("structure-")]
        assert data_rows and structure_rows and len(data_rows) + len(structure_rows) == len(meta) - 15
        assert data_rows[0][0] == f"data-{props['modified']}-structure-{data_rows[0][0][-8:]}"
        structures = {}
        for label, url in structure_rows:
            assert re.fullmatch(r"structure-\d{8}", label)
            assert url == f"{settings.PORTAL_URL}/opendata/{identifier}/{label}.csv"
            table = parse(client.get(local(url)))
            assert table[0] == ["field name", "english description", "russian description", "format"]
            assert all(len(r) == 4 and r[0] and r[2] for r in table[1:])
            structures[label[-8:]] = [r[0] for r in table[1:]]
        for label, url in data_rows:
            match = re.fullmatch(r"data-(\d{8})-structure-(\d{8})", label)
            assert match and url == f"{settings.PORTAL_URL}/opendata/{identifier}/{label}.csv"
            table = parse(client.get(local(url)))
            assert table[0] == structures[match.group(2)], "the data header is its structure's field list"
            assert len(table) > 1 and all(len(r) == len(table[0]) for r in table)


def test_one_demo_set_has_two_versions_the_second_fixing_a_report(client, opendata_demo):
    dataset = Dataset.objects.get(code="bathing_places")
    meta = dict(parse(client.get(f"/opendata/{dataset.identifier}/meta.csv"))[1:])
    versions = [k for k in meta if k.startswith("data-")]
    assert versions == ["data-20260520-structure-20260515", "data-20260515-structure-20260515"]
    assert meta["provenance"].startswith("исправление ошибки по обращению № ")
    old = parse(client.get(f"/opendata/{dataset.identifier}/data-20260515-structure-20260515.csv"))
    new = parse(client.get(f"/opendata/{dataset.identifier}/data-20260520-structure-20260515.csv"))
    assert old[2][3] == "44.9012" and new[2][3] == "44.9187", "old versions stay online, unchanged"


def test_demo_loader_is_idempotent(opendata_demo):
    from opendata.demo.loader import load
    from opendata.models import DatasetRequest, DatasetVersion, DownloadEvent

    before = (
        Dataset.objects.count(),
        DatasetVersion.objects.count(),
        DownloadEvent.objects.count(),
        DatasetRequest.objects.count(),
    )
    load()
    after = (
        Dataset.objects.count(),
        DatasetVersion.objects.count(),
        DownloadEvent.objects.count(),
        DatasetRequest.objects.count(),
    )
    assert before == after


def test_datapackage_is_a_table_schema_of_the_structure(client, opendata_demo):
    dataset = Dataset.objects.get(code="bathing_places")
    body = client.get(f"/opendata/{dataset.identifier}/datapackage.json").json()
    assert body["name"] == dataset.identifier and len(body["resources"]) == 2
    schema = body["resources"][0]["schema"]
    by_name = {f["name"]: f for f in schema["fields"]}
    assert by_name["id"]["type"] == "integer" and by_name["id"]["constraints"] == {
        "required": True,
        "unique": True,
    }
    assert by_name["latitude"]["type"] == "number"
    assert body["resources"][0]["path"].endswith("data-20260520-structure-20260515.csv")
