"""The appeals register as one of the portal's own sets: the seed counts, and no personal data."""

import csv
import io
from collections import Counter

import pytest

from appeals.demo.loader import load as load_appeals
from municipalities.models import Municipality
from opendata import portal_sets
from opendata.models import Dataset

pytestmark = pytest.mark.django_db

PERSONAL = ("name", "fio", "address", "phone", "email", "applicant", "фио", "адрес", "телефон", "заявител")


def published_csv(client, slug: str) -> list[dict]:
    municipality = Municipality.objects.get(slug=slug)
    dataset = next(
        d
        for d in portal_sets.ensure_portal_datasets(municipality, municipality.departments.first())
        if d.source == Dataset.Source.APPEALS
    )
    version = portal_sets.refresh_dataset(dataset)
    assert version is not None
    text = b"".join(client.get(version.get_absolute_url()).streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_krasnogvardeysky_set_has_129_appeals_10_to_the_trust_line_and_no_personal_column(demo_data, client):
    load_appeals()
    rows = published_csv(client, "krasnogvardeisky")
    assert len(rows) == 129
    assert Counter(r["channel"] for r in rows)["телефон доверия"] == 10
    columns = [c.lower() for c in rows[0]]
    assert columns == [f["name"] for f in portal_sets.APPEAL_FIELDS]
    assert not [c for c in columns if any(word in c for word in PERSONAL)]


def test_levokumsky_set_has_7_trust_line_calls_and_4_receptions(demo_data, client):
    load_appeals()
    channels = Counter(r["channel"] for r in published_csv(client, "levokumsky"))
    assert channels == {"телефон доверия": 7, "личный прием": 4}


def test_appeals_set_is_republished_only_when_the_register_changes(demo_data):
    load_appeals()
    municipality = Municipality.objects.get(slug="levokumsky")
    dataset = next(
        d
        for d in portal_sets.ensure_portal_datasets(municipality, municipality.departments.first())
        if d.source == Dataset.Source.APPEALS
    )
    assert portal_sets.refresh_dataset(dataset) is not None
    assert portal_sets.refresh_dataset(dataset) is None, "same register: no new version"
