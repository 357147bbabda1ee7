"""Factories for the open data tests: a set with a structure and a published first version."""

import factory

from opendata import formats, services
from opendata.models import Dataset
from tests.factories import DepartmentFactory, MunicipalityFactory

FIELDS = [
    {
        "name": "id",
        "english": "Number",
        "russian": "Номер",
        "type": "integer",
        "required": True,
        "unique": True,
    },
    {
        "name": "name",
        "english": "Name",
        "russian": "Наименование",
        "type": "string",
        "required": True,
        "unique": False,
    },
    {
        "name": "count",
        "english": "Count",
        "russian": "Количество",
        "type": "integer",
        "required": False,
        "unique": False,
    },
    {
        "name": "opened",
        "english": "Opened",
        "russian": "Дата открытия",
        "type": "date",
        "required": False,
        "unique": False,
    },
]


def rows_csv(n: int, *, bad_row: int | None = None, fields=FIELDS) -> bytes:
    """A data file of n rows; `bad_row` (spreadsheet numbering, header = 1) gets a non-integer count."""
    rows = [[f["name"] for f in fields]]
    for i in range(1, n + 1):
        count = "много" if bad_row == i + 1 else str(i * 10)
        rows.append([str(i), f"Учреждение {i}", count, "2024-03-01"][: len(fields)])
    return formats.csv_bytes(rows)


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    municipality = factory.SubFactory(MunicipalityFactory)
    owner = factory.SubFactory(DepartmentFactory, municipality=factory.SelfAttribute("..municipality"))
    code = factory.Sequence(lambda n: f"set_{n}")
    title = factory.Sequence(lambda n: f"Набор данных {n}")
    description = "Описание набора"
    keywords = "учреждения,адреса"
    responsible_name = "Петров П.П."
    responsible_phone = "+7 (86543) 1-23-45"
    responsible_email = "petrov@example.ru"


def published_dataset(version_date=None, rows: int = 3, **kwargs) -> Dataset:
    from datetime import date

    dataset = DatasetFactory(**kwargs)
    services.publish_version(
        dataset,
        rows_csv(rows),
        provenance="первая публикация",
        structure_fields=FIELDS,
        version_date=version_date or date(2024, 3, 1),
    )
    dataset.refresh_from_db()
    return dataset
