"""The output documents: what every format shows, built once from plain medication data.

The JSON output is exactly these documents; the other formats present the same content.
Their shape is versioned by SCHEMA_VERSION and described by `clonafacts schema output`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, TypedDict

from clonafacts.errors import MissingSectionError

#: JSON-ready data: a medication, a section body, an output document.
Plain = dict[str, Any]

SCHEMA_VERSION = 2


# The documents, as types for the Python API (clonafacts.api). `clonafacts schema output`
# describes the same shapes in full (facts/schemas.py; a test checks the keys agree).


class MedicationRef(TypedDict):
    id: str
    name: str
    brands: list[str]
    aliases: list[str]
    drug_class: str
    schedules: list[Plain]
    summary: str


class SectionDocument(TypedDict):
    schema_version: int
    kind: Literal["section"]
    medication: MedicationRef
    section: str
    content: Plain
    sources: list[Plain]


class MedicationDocument(TypedDict):
    schema_version: int
    kind: Literal["medication"]
    medication: MedicationRef
    sections: dict[str, Plain]
    sources: list[Plain]


class HitMedication(TypedDict):
    id: str
    name: str


class SearchHit(TypedDict):
    medication: HitMedication
    section: str | None
    path: str
    text: str
    highlights: list[list[int]]
    score: float
    sources: list[str]


class SearchDocument(TypedDict):
    schema_version: int
    kind: Literal["search"]
    query: list[str]
    total: int
    hits: list[SearchHit]


class MedicationSummary(TypedDict):
    id: str
    name: str
    brands: list[str]
    aliases: list[str]
    drug_class: str
    summary: str
    sections: list[str]
    origin: str


class ListDocument(TypedDict):
    schema_version: int
    kind: Literal["list"]
    medications: list[MedicationSummary]


class SourcesDocument(TypedDict):
    schema_version: int
    kind: Literal["sources"]
    medication: MedicationRef
    sources: list[Plain]


class ValidationProblem(TypedDict):
    path: str
    line: int | None
    column: int | None
    message: str


class ValidationDocument(TypedDict):
    schema_version: int
    kind: Literal["validation"]
    ok: bool
    files: list[str]
    problems: list[ValidationProblem]


Document = SectionDocument | MedicationDocument | SearchDocument | ListDocument | SourcesDocument

MEDICATION_REF_KEYS = tuple(MedicationRef.__annotations__)
#: What `list` shows of each medication, from its data (then its sections and origin).
SUMMARY_KEYS = tuple(
    key for key in MedicationSummary.__annotations__ if key in MedicationRef.__annotations__
)


def medication_ref(medication: Plain) -> MedicationRef:
    ref: Any = {key: medication[key] for key in MEDICATION_REF_KEYS}
    return ref  # type: ignore[no-any-return]


def cited_ids(node: Any) -> list[str]:
    """Source ids cited anywhere in `node`, in order of first citation."""
    seen: dict[str, None] = {}
    for _, entry in citable_entries(node):
        for source_id in entry["sources"]:
            seen.setdefault(source_id, None)
    return list(seen)


def citable_entries(node: Any, path: str = "") -> Iterator[tuple[str, Plain]]:
    """Every entry that carries its own `sources` (facts, items, steps...), with its path, in
    document order. (A loop, not recursion: building a store walks every entry of every file.)"""
    stack: list[tuple[str, Any]] = [(path, node)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            sources = node.get("sources")
            if isinstance(sources, list) and all(isinstance(s, str) for s in sources):
                yield path, node
            stack.extend(
                (f"{path}.{key}" if path else key, value)
                for key, value in reversed(node.items())
                if key != "sources" and isinstance(value, dict | list)
            )
        elif isinstance(node, list):
            stack.extend(
                (f"{path}[{index}]", value)
                for index, value in reversed(list(enumerate(node)))
                if isinstance(value, dict | list)
            )


def _resolve(medication: Plain, ids: list[str]) -> list[Plain]:
    by_id = {source["id"]: source for source in medication["sources"]}
    return [by_id[source_id] for source_id in ids]


def section_document(medication: Plain, section: str) -> SectionDocument:
    content = medication["sections"].get(section)
    if content is None:
        raise MissingSectionError(medication["name"], section)
    ref = medication_ref(medication)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "section",
        "medication": ref,
        "section": section,
        "content": content,
        "sources": _resolve(medication, cited_ids([ref, content])),
    }


def medication_document(medication: Plain) -> MedicationDocument:
    """Every section of one medication, in order (`clonafacts all`)."""
    ref = medication_ref(medication)
    sections = medication["sections"]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "medication",
        "medication": ref,
        "sections": sections,
        "sources": _resolve(medication, cited_ids([ref, sections])),
    }


def entry_text(entry: Plain) -> str:
    """The readable text of a citable entry, whatever its kind."""
    if "text" in entry and "stage" in entry:
        return f"{entry['stage']}: {entry['text']}"
    if "text" in entry:
        return str(entry["text"])
    if "status" in entry:  # a condition
        parts = ["; ".join(entry["details"]), entry.get("population") or ""]
        extra = "; ".join(part for part in parts if part)
        return f"{entry['name']} ({entry['status']})" + (f": {extra}" if extra else "")
    if "value" in entry:
        return f"{entry['name']}: {entry['value']}"
    if "jurisdiction" in entry:
        return f"{entry['jurisdiction']}: {entry['schedule']}"
    detail = entry.get("detail")
    return f"{entry['name']}: {detail}" if detail else str(entry["name"])


def search_document(query: list[str], hits: list[SearchHit], total: int) -> SearchDocument:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "search",
        "query": query,
        "total": total,
        "hits": hits,
    }


def validation_document(files: list[str], problems: list[ValidationProblem]) -> ValidationDocument:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "validation",
        "ok": not problems,
        "files": files,
        "problems": problems,
    }


def list_document(summaries: list[MedicationSummary]) -> ListDocument:
    return {"schema_version": SCHEMA_VERSION, "kind": "list", "medications": summaries}


def sources_document(medication: Plain) -> SourcesDocument:
    """The medication's references, each with the sections that cite it."""
    cited_by: dict[str, list[str]] = {source["id"]: [] for source in medication["sources"]}
    if cited_ids(medication["schedules"]):
        for source_id in cited_ids(medication["schedules"]):
            cited_by[source_id].append("schedules")
    for section, content in medication["sections"].items():
        for source_id in cited_ids(content):
            cited_by[source_id].append(section)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "sources",
        "medication": medication_ref(medication),
        "sources": [
            {**source, "cited_by": cited_by[source["id"]]} for source in medication["sources"]
        ],
    }
