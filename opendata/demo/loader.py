"""Demo open data for Levokumsky: seven sets (two versions of one, the second fixing a citizen's report), the
portal's own sets, a request and some downloads. Idempotent: a second run adds nothing."""

from datetime import date

from django.db import transaction

from municipalities.models import Department, Municipality, Official
from roadmaps.models import LegalAct

from .. import formats, portal_sets, services
from ..models import DataIssueReport, Dataset, DatasetRequest
from . import data

MUNICIPALITY_SLUG = "levokumsky"


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text)


def _csv(fields, rows) -> bytes:
    return formats.csv_bytes([[f["name"] for f in fields], *rows])


@transaction.atomic
def load(stdout=None) -> dict:
    municipality = Municipality.objects.filter(slug=MUNICIPALITY_SLUG).first()
    if municipality is None or not municipality.inn:
        _say(stdout, "  нет Левокумского МО с ИНН: сначала загрузите демо-данные roadmaps")
        return {}
    act, _created = LegalAct.objects.get_or_create(
        municipality=municipality,
        number=data.REGISTER_ACT["number"],
        date=date.fromisoformat(data.REGISTER_ACT["date"]),
        defaults={"kind": data.REGISTER_ACT["kind"], "title": data.REGISTER_ACT["title"]},
    )
    departments = {d.name: d for d in Department.objects.filter(municipality=municipality)}
    officials = {o.name: o for o in Official.objects.filter(municipality=municipality)}
    datasets = []
    published_by = date.fromisoformat(data.PUBLISHED_BY)
    for spec in data.DATASETS:
        owner = departments.get(spec["owner"]) or next(iter(departments.values()))
        responsible = spec.get("responsible", ("", "", ""))
        dataset, _created = Dataset.objects.get_or_create(
            municipality=municipality,
            code=spec["code"],
            defaults={
                "title": spec["title"],
                "description": spec["description"],
                "keywords": spec["keywords"],
                "periodicity": spec["periodicity"],
                "owner": owner,
                "responsible_official": officials.get(spec["official"]) if spec["official"] else None,
                "responsible_name": responsible[0],
                "responsible_phone": responsible[1],
                "responsible_email": responsible[2],
                "legal_act": act,
                "created": published_by,
            },
        )
        if dataset.created is None or dataset.created > published_by:
            # A set loaded by an older demo took its first version's date (2026).
            Dataset.objects.filter(pk=dataset.pk).update(created=published_by)
            dataset.created = published_by
        existing = set(dataset.versions.values_list("date", flat=True))
        for day, provenance, rows in spec["versions"]:
            version_date = date.fromisoformat(day)
            if version_date not in existing:
                services.publish_version(
                    dataset,
                    _csv(spec["fields"], rows),
                    provenance=provenance,
                    version_date=version_date,
                    structure_fields=spec["fields"],
                )
        if "fix" in spec:
            _fix(dataset, spec)
        datasets.append(dataset)

    org = departments.get(data.ORG) or next(iter(departments.values()))
    own = portal_sets.ensure_portal_datasets(municipality, org, official=officials.get("Сусоев Ф.В."))
    for dataset in own:
        portal_sets.refresh_dataset(dataset)

    DatasetRequest.objects.get_or_create(
        municipality=municipality,
        title="Расписание движения пригородных автобусов",
        defaults={
            "description": "Нужны маршруты, остановки и время отправления в формате CSV для мобильного приложения.",
            "author_name": "Иван",
            "author_email": "ivan@example.ru",
        },
    )
    _downloads(datasets)
    _say(stdout, f"  наборов открытых данных: {Dataset.objects.filter(municipality=municipality).count()}")
    return {"datasets": [d.identifier for d in [*datasets, *own]]}


def _fix(dataset, spec):
    fix = spec["fix"]
    report, created = DataIssueReport.objects.get_or_create(
        dataset=dataset,
        description=fix["report"],
        defaults={
            "location": fix["location"],
            "author_name": "Анна",
            "author_email": "anna@example.ru",
            "version": dataset.versions.order_by("date").first(),
        },
    )
    if report.fixed_version_id is None:
        services.answer_issue_report(
            report,
            status=DataIssueReport.Status.FIXED,
            answer=fix["answer"],
            corrected_content=_csv(spec["fields"], fix["rows"]),
            version_date=date.fromisoformat(fix["date"]),
        )


def _downloads(datasets):
    """A few visitors on fixed days, so the «most requested» list has something to show (counted once)."""
    pattern = {"bathing_places": 9, "npa_register": 6, "municipal_institutions": 4, "tko_sites": 2}
    for dataset in datasets:
        version = services.latest_version(dataset)
        for n in range(pattern.get(dataset.code, 0)):
            services.record_download(
                version, ip=f"192.0.2.{n + 1}", user_agent="demo", day=date(2026, 6, 1 + n)
            )
