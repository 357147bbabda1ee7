"""The files of the methodological recommendations v3.0: list.csv, meta.csv, structure and data files.

All are UTF-8 without BOM, RFC 4180 (comma, double quotes, CRLF line ends); dates in file names and in
meta.csv are YYYYMMDD.
"""

import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from datetime import UTC

from django.utils.translation import gettext as _

from .models import STANDARD_VERSION_URL, Dataset, DatasetStructure, DatasetVersion


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=",", quotechar='"', lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )
    for row in rows:
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def ymd(value) -> str:
    return value.strftime("%Y%m%d") if value else ""


def list_rows(datasets: Iterable[Dataset], absolute: Callable[[str], str]) -> list[list[str]]:
    rows = [
        ["property", "title", "value", "format"],
        ["standardversion", _("Версия методических рекомендаций"), STANDARD_VERSION_URL, ""],
    ]
    for dataset in datasets:
        rows.append([dataset.identifier, dataset.title, absolute(meta_path(dataset)), dataset.format])
    return rows


def meta_path(dataset: Dataset) -> str:
    return f"/opendata/{dataset.identifier}/meta.csv"


def file_path(dataset: Dataset, filename: str) -> str:
    return f"/opendata/{dataset.identifier}/{filename}"


def meta_rows(
    dataset: Dataset,
    versions: list[DatasetVersion],
    structures: list[DatasetStructure],
    absolute: Callable[[str], str],
) -> list[list[str]]:
    """`versions` and `structures` newest first: the first data row is the current version."""
    rows = [
        ["property", "value"],
        ["standardversion", STANDARD_VERSION_URL],
        ["identifier", dataset.identifier],
        ["title", dataset.title],
        ["description", dataset.description],
        ["creator", dataset.owner.name],
        ["created", ymd(dataset.created)],
        ["modified", ymd(dataset.modified)],
        ["subject", ",".join(dataset.keyword_list)],
        ["format", dataset.format],
        ["provenance", dataset.provenance],
        ["valid", ymd(dataset.valid)],
        ["publishername", dataset.publisher_name],
        ["publisherphone", dataset.publisher_phone],
        ["publishermbox", dataset.publisher_mbox],
    ]
    for version in versions:
        rows.append([version.label, absolute(file_path(dataset, version.filename))])
    for structure in structures:
        rows.append([structure.label, absolute(file_path(dataset, structure.filename))])
    return rows


def structure_rows(structure: DatasetStructure) -> list[list[str]]:
    rows = [["field name", "english description", "russian description", "format"]]
    for spec in structure.fields:
        rows.append([spec["name"], spec.get("english", ""), spec.get("russian", ""), spec["type"]])
    return rows


def datapackage(
    dataset: Dataset,
    versions: list[DatasetVersion],
    absolute: Callable[[str], str],
) -> dict:
    """Frictionless Data Package: one resource per data version, each with its structure's Table Schema."""
    resources = []
    for version in versions:
        resources.append(
            {
                "name": version.label,
                "path": absolute(file_path(dataset, version.filename)),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": version.size,
                "hash": f"sha256:{version.checksum}",
                "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
                "schema": table_schema(version.structure),
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": dataset.name,
        "id": str(dataset.uuid),
        "title": dataset.title,
        "description": dataset.description,
        "keywords": dataset.keyword_list,
        "homepage": absolute(dataset.get_absolute_url()),
        "created": rfc3339(min((v.published_at for v in versions), default=dataset.created_at)),
        "version": ymd(dataset.modified),
        "licenses": [{"name": "other-open", "title": dataset.terms}],
        "contributors": [
            {"title": dataset.owner.name, "role": "publisher"},
            *([_maintainer(dataset)] if dataset.publisher_name else []),
        ],
        "resources": resources,
    }


def rfc3339(moment) -> str:
    """The Data Package spec's `created`: an RFC 3339 date-time in UTC (a bare date fails validation)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _maintainer(dataset: Dataset) -> dict:
    contributor = {"title": dataset.publisher_name, "role": "maintainer"}
    if dataset.publisher_mbox:  # an empty e-mail fails the spec's email format
        contributor["email"] = dataset.publisher_mbox
    return contributor


def table_schema(structure: DatasetStructure) -> dict:
    fields = []
    for spec in structure.fields:
        item = {
            "name": spec["name"],
            "title": spec.get("russian", ""),
            "description": spec.get("english", ""),
            "type": spec["type"],
        }
        if spec["type"] == "date":
            item["format"] = "any"  # ISO or DD.MM.YYYY are both accepted by the portal
        constraints = {}
        if spec.get("required"):
            constraints["required"] = True
        if spec.get("unique"):
            constraints["unique"] = True
        if spec["type"] == "boolean":
            item["trueValues"] = ["true", "1", "да", "yes"]
            item["falseValues"] = ["false", "0", "нет", "no"]
        if constraints:
            item["constraints"] = constraints
        fields.append(item)
    return {"fields": fields, "missingValues": [""]}
