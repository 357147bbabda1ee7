"""DCAT (and DCAT-AP style) descriptions of the register, serialised as JSON-LD and Turtle from one small graph
model, with Hydra paging like ckanext-dcat's catalog endpoint."""

import json
from dataclasses import dataclass

from . import formats
from .models import STANDARD_VERSION_URL, Dataset, Periodicity

PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
}
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = {
    Periodicity.DAILY: "DAILY",
    Periodicity.WEEKLY: "WEEKLY",
    Periodicity.MONTHLY: "MONTHLY",
    Periodicity.QUARTERLY: "QUARTERLY",
    Periodicity.HALF_YEARLY: "ANNUAL_2",
    Periodicity.YEARLY: "ANNUAL",
    Periodicity.AS_NEEDED: "IRREG",
}
PAGE_SIZE = 100


@dataclass(frozen=True)
class IRI:
    value: str


@dataclass(frozen=True)
class Literal:
    value: str
    datatype: str | None = None  # a prefixed name such as "xsd:date"
    lang: str | None = None


def ru(text: str) -> Literal:
    return Literal(text, lang="ru")


def typed(value, datatype: str) -> Literal:
    return Literal(str(value), datatype=datatype)


class Graph:
    def __init__(self):
        self.nodes: dict[str, dict[str, list]] = {}

    def add(self, subject: str, predicate: str, obj) -> None:
        if obj is None or (isinstance(obj, Literal) and obj.value in ("", "None")):
            return
        self.nodes.setdefault(subject, {}).setdefault(predicate, []).append(obj)

    # -- serialisers ---------------------------------------------------------------------------------

    def jsonld(self) -> dict:
        graph = []
        for subject, predicates in self.nodes.items():
            node = {"@id": subject}
            for predicate, objects in predicates.items():
                if predicate == "a":
                    node["@type"] = [o.value for o in objects] if len(objects) > 1 else objects[0].value
                    continue
                values = [self._json_value(o) for o in objects]
                node[predicate] = values if len(values) > 1 else values[0]
            graph.append(node)
        return {"@context": PREFIXES, "@graph": graph}

    @staticmethod
    def _json_value(obj):
        if isinstance(obj, IRI):
            return {"@id": obj.value}
        if obj.lang:
            return {"@value": obj.value, "@language": obj.lang}
        if obj.datatype:
            return {"@value": obj.value, "@type": obj.datatype}
        return obj.value

    def turtle(self) -> str:
        lines = [f"@prefix {prefix}: <{iri}> ." for prefix, iri in PREFIXES.items()]
        for subject, predicates in self.nodes.items():
            lines.append("")
            parts = []
            for predicate, objects in predicates.items():
                rendered = ", ".join(self._turtle_value(o) for o in objects)
                parts.append(f"    {predicate} {rendered}")
            lines.append(f"{_iri(subject)}\n" + " ;\n".join(parts) + " .")
        return "\n".join(lines) + "\n"

    @staticmethod
    def _turtle_value(obj) -> str:
        if isinstance(obj, IRI):
            prefix = obj.value.split(":", 1)[0]
            return obj.value if prefix in PREFIXES else _iri(obj.value)
        text = _escape(obj.value)
        if obj.lang:
            return f'"{text}"@{obj.lang}'
        if obj.datatype:
            return f'"{text}"^^{obj.datatype}'
        return f'"{text}"'


def _iri(value: str) -> str:
    for char in '<>"{}|^`\\ ':
        value = value.replace(char, f"%{ord(char):02X}")
    return f"<{value}>"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def dataset_iri(dataset: Dataset, absolute) -> str:
    return absolute(dataset.get_absolute_url())


def add_dataset(graph: Graph, dataset: Dataset, absolute) -> str:
    """Describe a set and its distributions; `dataset.versions.all()` should be prefetched."""
    subject = dataset_iri(dataset, absolute)
    municipality = dataset.municipality
    publisher = absolute(f"/opendata/?municipality={municipality.slug}") + "#publisher"
    creator = f"{subject}#creator"
    contact = f"{subject}#contact"
    graph.add(subject, "a", IRI("dcat:Dataset"))
    graph.add(subject, "dct:identifier", Literal(dataset.identifier))
    graph.add(subject, "dct:title", ru(dataset.title))
    graph.add(subject, "dct:description", ru(dataset.description))
    for keyword in dataset.keyword_list:
        graph.add(subject, "dcat:keyword", ru(keyword))
    if dataset.created:
        graph.add(subject, "dct:issued", typed(dataset.created.isoformat(), "xsd:date"))
    if dataset.modified:
        graph.add(subject, "dct:modified", typed(dataset.modified.isoformat(), "xsd:date"))
    if dataset.valid:
        graph.add(subject, "dct:valid", typed(dataset.valid.isoformat(), "xsd:date"))
    graph.add(subject, "dct:provenance", ru(dataset.provenance))
    graph.add(subject, "dct:accrualPeriodicity", IRI(FREQUENCY + FREQUENCIES[dataset.periodicity]))
    graph.add(subject, "dct:conformsTo", IRI(STANDARD_VERSION_URL))
    graph.add(subject, "dct:language", IRI("http://publications.europa.eu/resource/authority/language/RUS"))
    graph.add(subject, "dct:rights", ru(dataset.terms))
    graph.add(subject, "dcat:landingPage", IRI(subject))
    graph.add(subject, "dct:publisher", IRI(publisher))
    graph.add(subject, "dct:creator", IRI(creator))
    graph.add(publisher, "a", IRI("foaf:Organization"))
    graph.add(publisher, "foaf:name", ru(municipality.full_name or municipality.name))
    graph.add(creator, "a", IRI("foaf:Organization"))
    graph.add(creator, "foaf:name", ru(dataset.owner.name))
    if dataset.publisher_name:
        graph.add(subject, "dcat:contactPoint", IRI(contact))
        graph.add(contact, "a", IRI("vcard:Individual"))
        graph.add(contact, "vcard:fn", Literal(dataset.publisher_name))
        if dataset.publisher_mbox:
            graph.add(contact, "vcard:hasEmail", IRI(f"mailto:{dataset.publisher_mbox}"))
        if dataset.publisher_phone:
            phone = "".join(ch for ch in dataset.publisher_phone if ch.isdigit() or ch == "+")
            graph.add(contact, "vcard:hasTelephone", IRI(f"tel:{phone}"))
    for version in sorted(dataset.versions.all(), key=lambda v: v.date, reverse=True):
        url = absolute(formats.file_path(dataset, version.filename))
        distribution = f"{subject}#{version.label}"
        graph.add(subject, "dcat:distribution", IRI(distribution))
        graph.add(distribution, "a", IRI("dcat:Distribution"))
        graph.add(distribution, "dct:identifier", Literal(str(version.uuid)))
        graph.add(distribution, "dct:title", Literal(version.filename))
        graph.add(distribution, "dct:description", ru(version.provenance))
        graph.add(distribution, "dcat:accessURL", IRI(url))
        graph.add(distribution, "dcat:downloadURL", IRI(url))
        graph.add(distribution, "dcat:mediaType", IRI("http://www.iana.org/assignments/media-types/text/csv"))
        graph.add(distribution, "dct:format", Literal("CSV"))
        graph.add(distribution, "dcat:byteSize", typed(version.size, "xsd:nonNegativeInteger"))
        graph.add(distribution, "dct:issued", typed(version.published_at.isoformat(), "xsd:dateTime"))
        graph.add(distribution, "dct:valid", typed(version.valid.isoformat(), "xsd:date"))
        graph.add(
            distribution,
            "dct:conformsTo",
            IRI(absolute(formats.file_path(dataset, version.structure.filename))),
        )
    return subject


def catalog_graph(datasets: list[Dataset], absolute, *, title: str, page: int, total: int, page_url) -> Graph:
    graph = Graph()
    catalog = absolute("/catalog")
    graph.add(catalog, "a", IRI("dcat:Catalog"))
    graph.add(catalog, "dct:title", ru(title))
    graph.add(catalog, "dct:description", ru("Реестр открытых данных органов местного самоуправления"))
    graph.add(catalog, "foaf:homepage", IRI(absolute("/opendata/")))
    graph.add(catalog, "dct:language", IRI("http://publications.europa.eu/resource/authority/language/RUS"))
    graph.add(catalog, "dct:conformsTo", IRI(STANDARD_VERSION_URL))
    last_page = max(1, -(-total // PAGE_SIZE))
    collection = page_url(page)
    graph.add(collection, "a", IRI("hydra:PagedCollection"))
    graph.add(collection, "hydra:totalItems", typed(total, "xsd:integer"))
    graph.add(collection, "hydra:itemsPerPage", typed(PAGE_SIZE, "xsd:integer"))
    graph.add(collection, "hydra:firstPage", Literal(page_url(1)))
    graph.add(collection, "hydra:lastPage", Literal(page_url(last_page)))
    if page < last_page:
        graph.add(collection, "hydra:nextPage", Literal(page_url(page + 1)))
    if page > 1:
        graph.add(collection, "hydra:previousPage", Literal(page_url(page - 1)))
    for dataset in datasets:
        graph.add(catalog, "dcat:dataset", IRI(dataset_iri(dataset, absolute)))
    for dataset in datasets:
        add_dataset(graph, dataset, absolute)
    return graph


def dumps(graph: Graph) -> str:
    return json.dumps(graph.jsonld(), ensure_ascii=False, indent=2)
