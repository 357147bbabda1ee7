"""DCAT (and DCAT-AP style) descriptions of the register, serialised as JSON-LD, Turtle and RDF/XML from one
small graph model, with Hydra paging like ckanext-dcat's catalog endpoint. IRIs come from PORTAL_URL (the
`absolute` callables), so a set has one identity whatever host a client used. rdflib checks all three in
the tests; it is not used here, its RDF/XML serialiser takes over a second for a page of 100 sets."""

import json
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings

from . import formats
from .models import STANDARD_VERSION_URL, Dataset, Periodicity

PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
FILE_TYPE_CSV = "http://publications.europa.eu/resource/authority/file-type/CSV"
MEDIA_TYPE_CSV = "http://www.iana.org/assignments/media-types/text/csv"
LANGUAGE_RU = "http://publications.europa.eu/resource/authority/language/RUS"
STANDARD_TITLE = "Методические рекомендации по публикации открытых данных, версия 3.0"
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


def catalog_iri(absolute) -> str:
    return absolute("/catalog")


def add_agent(graph: Graph, subject: str, name: str) -> str:
    """DCAT-AP wants foaf:Agent; foaf:Organization says what kind (no reasoner infers one from the other)."""
    graph.add(subject, "a", IRI("foaf:Agent"))
    graph.add(subject, "a", IRI("foaf:Organization"))
    graph.add(subject, "foaf:name", ru(name))
    return subject


def add_standard(graph: Graph, iri: str, title: str) -> str:
    graph.add(iri, "a", IRI("dct:Standard"))
    graph.add(iri, "dct:title", ru(title))
    return iri


def add_license(graph: Graph, dataset: Dataset, subject: str, absolute) -> str:
    """The portal's terms of use are one document; a set with its own terms gets its own."""
    iri = f"{subject}#license" if dataset.terms_of_use else absolute("/opendata/") + "#terms"
    graph.add(iri, "a", IRI("dct:LicenseDocument"))
    if not graph.nodes[iri].get("rdfs:label"):
        graph.add(iri, "rdfs:label", ru(dataset.terms))
    return iri


def municipality_agent(graph: Graph, municipality, absolute) -> str:
    iri = absolute(f"/opendata/?municipality={municipality.slug}") + "#publisher"
    if iri not in graph.nodes:
        add_agent(graph, iri, municipality.full_name or municipality.name)
    return iri


def add_dataset(graph: Graph, dataset: Dataset, absolute) -> str:
    """Describe a set and its distributions; `dataset.versions.all()` should be prefetched."""
    subject = dataset_iri(dataset, absolute)
    publisher = municipality_agent(graph, dataset.municipality, absolute)
    creator = f"{subject}#creator"
    contact = f"{subject}#contact"
    graph.add(subject, "a", IRI("dcat:Dataset"))
    graph.add(subject, "dct:identifier", Literal(dataset.identifier))
    # Importers (ckanext-dcat) make a name from the title when none is given: a latin one keeps Cyrillic
    # titles from turning into "--".
    graph.add(subject, "dct:alternative", Literal(dataset.slug))
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
    if dataset.provenance:
        provenance = f"{subject}#provenance"
        graph.add(subject, "dct:provenance", IRI(provenance))
        graph.add(provenance, "a", IRI("dct:ProvenanceStatement"))
        graph.add(provenance, "rdfs:label", ru(dataset.provenance))
    graph.add(subject, "dct:accrualPeriodicity", IRI(FREQUENCY + FREQUENCIES[dataset.periodicity]))
    graph.add(subject, "dct:conformsTo", IRI(add_standard(graph, STANDARD_VERSION_URL, STANDARD_TITLE)))
    graph.add(subject, "dct:language", IRI(LANGUAGE_RU))
    license_iri = add_license(graph, dataset, subject, absolute)
    graph.add(subject, "dct:license", IRI(license_iri))
    graph.add(subject, "dcat:landingPage", IRI(subject))
    graph.add(subject, "dct:publisher", IRI(publisher))
    graph.add(subject, "dct:creator", IRI(add_agent(graph, creator, dataset.owner.name)))
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
        structure = absolute(formats.file_path(dataset, version.structure.filename))
        distribution = f"{subject}#{version.label}"
        graph.add(subject, "dcat:distribution", IRI(distribution))
        graph.add(distribution, "a", IRI("dcat:Distribution"))
        graph.add(distribution, "dct:identifier", Literal(str(version.uuid)))
        graph.add(distribution, "dct:title", Literal(version.filename))
        graph.add(distribution, "dct:description", ru(version.provenance))
        graph.add(distribution, "dcat:accessURL", IRI(url))
        graph.add(distribution, "dcat:downloadURL", IRI(url))
        graph.add(distribution, "dcat:mediaType", IRI(MEDIA_TYPE_CSV))
        graph.add(distribution, "dct:format", IRI(FILE_TYPE_CSV))
        graph.add(distribution, "dct:license", IRI(license_iri))
        graph.add(distribution, "dcat:byteSize", typed(version.size, "xsd:nonNegativeInteger"))
        graph.add(distribution, "dct:issued", typed(version.published_at.isoformat(), "xsd:dateTime"))
        graph.add(distribution, "dct:valid", typed(version.valid.isoformat(), "xsd:date"))
        graph.add(
            distribution, "dct:conformsTo", IRI(add_standard(graph, structure, version.structure.label))
        )
    if graph.nodes.get(MEDIA_TYPE_CSV) is None and dataset.versions.all():
        graph.add(MEDIA_TYPE_CSV, "a", IRI("dct:MediaType"))
        graph.add(FILE_TYPE_CSV, "a", IRI("dct:MediaTypeOrExtent"))
    return subject


def catalog_graph(datasets: list[Dataset], absolute, *, title: str, page: int, total: int, page_url) -> Graph:
    graph = Graph()
    catalog = catalog_iri(absolute)
    graph.add(catalog, "a", IRI("dcat:Catalog"))
    graph.add(catalog, "dct:title", ru(title))
    graph.add(catalog, "dct:description", ru("Реестр открытых данных органов местного самоуправления"))
    graph.add(catalog, "foaf:homepage", IRI(absolute("/opendata/")))
    graph.add(catalog, "dct:language", IRI(LANGUAGE_RU))
    graph.add(catalog, "dct:conformsTo", IRI(add_standard(graph, STANDARD_VERSION_URL, STANDARD_TITLE)))
    graph.add(
        catalog, "dct:publisher", IRI(add_agent(graph, absolute("/") + "#publisher", settings.PORTAL_NAME))
    )
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


RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0 even as references


def _expand(name: str) -> str:
    prefix, _sep, local = name.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and not local.startswith("//") else name


def rdfxml(graph: Graph) -> str:
    """RDF/XML, one flat rdf:Description per subject (rdflib's serialiser takes over a second a page)."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<rdf:RDF xmlns:rdf="{RDF_NS}"']
    lines += [f'    xmlns:{prefix}="{iri}"' for prefix, iri in PREFIXES.items()]
    lines[-1] += ">"
    for subject, predicates in graph.nodes.items():
        lines.append(f"  <rdf:Description rdf:about={quoteattr(subject)}>")
        for predicate, objects in predicates.items():
            element = "rdf:type" if predicate == "a" else predicate
            for obj in objects:
                if isinstance(obj, IRI):
                    lines.append(f"    <{element} rdf:resource={quoteattr(_expand(obj.value))}/>")
                    continue
                attributes = ""
                if obj.lang:
                    attributes = f" xml:lang={quoteattr(obj.lang)}"
                elif obj.datatype:
                    attributes = f" rdf:datatype={quoteattr(_expand(obj.datatype))}"
                text = escape(XML_INVALID.sub("", obj.value))
                lines.append(f"    <{element}{attributes}>{text}</{element}>")
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"
