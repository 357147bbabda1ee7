"""What a harvester costs the portal: a ckanext-harvest style full gather (package_search, rows=100, sort
id asc) and a page of the DCAT catalogue in each serialisation, in one process through Django's test client.

    .venv/bin/python bench/opendata_harvest.py [--sets 500] [--municipalities 5] [--versions 3]

Uses a throwaway database (BENCH_DATABASE_URL, or a temporary SQLite file) and prints the time and the
number of SQL queries per request; the query count must not grow with the number of sets.

Measured on the shared 2-core development machine, SQLite, 500 sets x 3 versions in 5 municipalities
(median of 3, ms / queries / KiB):
    package_search rows=100 sort=id asc, page 1          103 / 5 / 412
    package_search rows=100, last page                   101 / 5 / 412
    package_search fq=organization:a OR organization:b   110 / 7 / 412  (one lookup of organisations per fq)
    package_search q=РЕЕСТР (Cyrillic, any case)         102 / 5 / 412
    catalog.jsonld, 100 sets a page                      197 / 5 / 800
    catalog.ttl                                          165 / 5 / 525
    catalog.rdf                                          162 / 5 / 784  (rdflib's serialiser: 1.6-2.9 s)
    full gather, 6 requests of 100                       0.84 s
"""

import argparse
import statistics
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import Timer, setup_django  # noqa: E402


def build(sets: int, municipalities: int, versions: int):
    from municipalities.models import Department, Municipality
    from opendata import formats, services
    from opendata.models import Dataset

    fields = [
        {"name": "id", "english": "Id", "russian": "Номер", "type": "integer", "required": True},
        {"name": "name", "english": "Name", "russian": "Наименование", "type": "string"},
    ]
    towns = [
        Municipality.objects.create(
            name=f"Округ {n}", region="Ставропольский край", slug=f"town-{n}", inn=f"26000000{n:02d}"
        )
        for n in range(municipalities)
    ]
    owners = {t.pk: Department.objects.create(municipality=t, name=f"Отдел {t.slug}") for t in towns}
    for n in range(sets):
        town = towns[n % municipalities]
        dataset = Dataset.objects.create(
            municipality=town,
            owner=owners[town.pk],
            code=f"set_{n:04d}",
            title=f"Реестр учреждений № {n}",
            description="Описание",
            keywords="учреждения,адреса",
            responsible_name="Петров П.П.",
            responsible_email="petrov@example.ru",
        )
        for v in range(versions):
            rows = [["id", "name"], *[[str(i), f"Учреждение {i}"] for i in range(1, 6 + v)]]
            services.publish_version(
                dataset,
                formats.csv_bytes(rows),
                provenance="",
                structure_fields=fields,
                version_date=date(2024, 1, 1) + timedelta(days=30 * v),
            )


def measure(client, url, repeat=3):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries, Timer() as timer:
            response = client.get(url)
            body = response.content
        assert response.status_code == 200, (url, response.status_code)
        times.append(timer.seconds)
    return statistics.median(times), len(queries.captured_queries), len(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", type=int, default=500)
    parser.add_argument("--municipalities", type=int, default=5)
    parser.add_argument("--versions", type=int, default=3)
    args = parser.parse_args()
    setup_django("opendata")
    from django.test import Client, override_settings

    with override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-opendata-media-"), ALLOWED_HOSTS=["*"]):
        with Timer() as built:
            build(args.sets, args.municipalities, args.versions)
        print(
            f"{args.sets} sets x {args.versions} versions in {args.municipalities} municipalities: "
            f"built in {built.seconds:.1f} s"
        )
        client = Client()
        print(f"{'request':58} {'median ms':>9} {'queries':>7} {'KiB':>7}")
        rows = [
            (
                "package_search rows=100 sort=id asc, page 1",
                "/api/3/action/package_search?rows=100&sort=id+asc",
            ),
            (
                "package_search rows=100, last page",
                f"/api/3/action/package_search?rows=100&sort=id+asc&start={(args.sets - 1) // 100 * 100}",
            ),
            (
                "package_search fq=organization:a OR organization:b",
                "/api/3/action/package_search?rows=100&fq=organization:town-0+OR+organization:town-1",
            ),
            (
                "package_search q=реестр (Cyrillic, any case)",
                "/api/3/action/package_search?rows=100&q=РЕЕСТР",
            ),
            ("catalog.jsonld (100 sets a page)", "/catalog.jsonld"),
            ("catalog.ttl (100 sets a page)", "/catalog.ttl"),
            ("catalog.rdf (100 sets a page)", "/catalog.rdf"),
        ]
        for label, url in rows:
            seconds, queries, size = measure(client, url)
            print(f"{label:58} {seconds * 1000:9.0f} {queries:7d} {size / 1024:7.0f}")
        pages = -(-args.sets // 100) + 1  # the harvester stops at the first empty page
        with Timer() as gather:
            for page in range(pages):
                client.get(f"/api/3/action/package_search?rows=100&sort=id+asc&start={page * 100}")
        print(f"full gather ({pages} requests of 100): {gather.seconds:.2f} s")


if __name__ == "__main__":
    main()
