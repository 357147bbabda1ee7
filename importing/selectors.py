"""Reads for the import: an earlier import of the same file, and municipalities a file's header names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from municipalities.models import Municipality

from .models import ImportJob

# Words every municipality's name shares; the distinctive word («Левокумский») is what a header repeats.
GENERIC_WORDS = {
    "муниципальный",
    "муниципальное",
    "образование",
    "городской",
    "городское",
    "город",
    "сельское",
    "поселение",
    "округ",
    "район",
    "зато",
}
ADJECTIVE_ENDING = re.compile(r"(?:ий|ый|ой|ая|ое|ие|ые)$", re.I)


def earlier_import(municipality: Municipality, checksum: str, *, exclude_pk: int | None = None):
    """The latest finished import of the same file for the municipality whose roadmap still exists."""
    if not checksum:
        return None
    return (
        ImportJob.objects.filter(
            municipality=municipality,
            checksum=checksum,
            status=ImportJob.Status.DONE,
            roadmap__isnull=False,
        )
        .exclude(pk=exclude_pk)
        .select_related("roadmap")
        .order_by("-finished_at", "-pk")
        .first()
    )


def name_stem(name: str) -> str:
    """«Ханты-Мансийский район» → «Ханты-Мансийск»: matches «в Ханты-Мансийском районе» too."""
    for word in re.findall(r"[\w-]+", name or ""):
        if word.lower() not in GENERIC_WORDS and len(word) >= 5:
            return ADJECTIVE_ENDING.sub("", word)
    return ""


def _names(stem: str, text: str) -> bool:
    return bool(stem) and re.search(rf"(?<![\w-]){re.escape(stem)}", text, re.I) is not None


def _has_code(code: str, text: str) -> bool:
    return bool(code) and re.search(rf"(?<!\d){re.escape(code)}(?!\d)", text) is not None


@dataclass(frozen=True)
class NamedMunicipality:
    municipality: Municipality
    code: str  # «ИНН 2613010019» or «ОКТМО 07538000»; empty when found by name


def other_municipalities_named(lines: list[str], municipality: Municipality) -> list[NamedMunicipality]:
    """Other municipalities the header names by INN or OKTMO, or by name when it does not name this one."""
    text = "\n".join(lines)
    own_stem = name_stem(municipality.name)
    names_own = _names(own_stem, text) or _has_code(municipality.inn, text)
    found = []
    for other in Municipality.objects.exclude(pk=municipality.pk).only("name", "inn", "oktmo").order_by("pk"):
        if other.inn and other.inn != municipality.inn and _has_code(other.inn, text):
            found.append(NamedMunicipality(other, f"ИНН {other.inn}"))
        elif other.oktmo and other.oktmo != municipality.oktmo and _has_code(other.oktmo, text):
            found.append(NamedMunicipality(other, f"ОКТМО {other.oktmo}"))
        elif not names_own and (stem := name_stem(other.name)) != own_stem and _names(stem, text):
            found.append(NamedMunicipality(other, ""))
    return found


__all__ = ["NamedMunicipality", "earlier_import", "name_stem", "other_municipalities_named"]
