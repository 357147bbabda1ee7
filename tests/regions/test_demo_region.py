"""The demo install shows its regions: every seed municipality on its region's page, the demo method in use."""

import re

import pytest

from municipalities.models import Municipality

pytestmark = pytest.mark.django_db


def test_demo_regions_list_every_seed_municipality(client, demo_data):
    regions = client.get("/region/").content.decode()
    slugs = re.findall(r'href="/region/([^/"]+)/"', regions)
    assert len(slugs) == Municipality.objects.values("region").distinct().count()
    listed = []
    for slug in slugs:
        html = client.get(f"/region/{slug}/").content.decode()
        listed += re.findall(r'<th scope="row"><a href="/m/([^/]+)/">', html)
    assert sorted(listed) == sorted(Municipality.objects.values_list("slug", flat=True))

    stavropol = client.get("/region/stavropolskii-krai/").content.decode()
    assert "Демонстрационная методика" in stavropol
    assert (
        'href="/m/krasnogvardeisky/appeals/'
        in client.get("/region/stavropolskii-krai/?year=2021").content.decode()
    )
