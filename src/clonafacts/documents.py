"""The output documents: what every format shows, built once from plain medication data.

The JSON output is exactly these documents; the other formats present the same content.
Their shape is versioned by SCHEMA_VERSION and described by `clonafacts schema output`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, TypedDict, cast

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
    origin: Literal["curated", "label"]
    medication: MedicationRef
    section: str
    content: Plain
    sources: list[Plain]


class MedicationDocument(TypedDict):
    schema_version: int
    kind: Literal["medication"]
    origin: Literal["curated", "label"]
    medication: MedicationRef
    sections: dict[str, Plain]
    sources: list[Plain]


class HitMedication(TypedDict):
    id: str
    name: str


class SearchHit(TypedDict):
    medication: HitMedication
    origin: str
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
    labels_imported: int


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
    return cast(MedicationRef, {key: medication[key] for key in MEDICATION_REF_KEYS})


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
        "origin": "curated",
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
        "origin": "curated",
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


def list_document(summaries: list[Plain], labels_imported: int = 0) -> ListDocument:
    # The store keeps each summary as written from a MedicationSummary.
    medications = cast(list[MedicationSummary], summaries)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "list",
        "medications": medications,
        "labels_imported": labels_imported,
    }


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


# Comparison ---------------------------------------------------------------------------------


class ComparisonCell(TypedDict):
    medication: str  # its id
    values: list[str]  # empty: no data
    sources: list[str]  # ids of that medication's sources


class ComparisonRow(TypedDict):
    key: str
    label: str
    cells: list[ComparisonCell]


class ComparisonDocument(TypedDict):
    schema_version: int
    kind: Literal["comparison"]
    medications: list[MedicationRef]
    section: str | None
    rows: list[ComparisonRow]
    sources: list[Plain]  # every cited source, each with the id of its medication


#: The default rows of `compare`: (key, label). Pharmacokinetic rows take the parameter with
#: that stable key (`property`).
COMPARISON_ROWS = (
    ("drug_class", "Class"),
    ("schedule", "Schedule"),
    ("labelled_indications", "Labelled indications"),
    ("half_life", "Half-life"),
    ("time_to_peak", "Time to peak"),
    ("metabolism", "Metabolism"),
    ("active_metabolites", "Active metabolites"),
    ("boxed_warning", "Boxed-warning topics"),
    ("contraindications", "Contraindications"),
)


def _cell(medication: Plain, entries: list[Plain], value: Any = None) -> ComparisonCell:
    """A cell of the entries' values (their own words: `value(entry)` or their text)."""
    shown = value or entry_text
    sources = list(dict.fromkeys(s for entry in entries for s in entry["sources"]))
    return {
        "medication": medication["id"],
        "values": [shown(entry) for entry in entries],
        "sources": sources,
    }


def _default_cell(medication: Plain, key: str) -> ComparisonCell:
    sections = medication["sections"]
    if key == "drug_class":
        return {"medication": medication["id"], "values": [medication["drug_class"]], "sources": []}
    if key == "schedule":
        return _cell(medication, medication["schedules"])
    if key == "labelled_indications":
        conditions = sections.get("indications", {}).get("conditions", [])
        labelled = [c for c in conditions if c["status"] == "labelled"]
        return _cell(medication, labelled, lambda entry: entry["name"])
    if key == "boxed_warning":  # its topics: the parts' tags, or a part's text where it has none
        parts = sections.get("warnings", {}).get("boxed_warning", [])
        cell = _cell(medication, parts)
        topics = [tag for part in parts for tag in part.get("tags", [])]
        if parts and all(part.get("tags") for part in parts):
            cell["values"] = list(dict.fromkeys(topics))
        return cell
    if key == "contraindications":
        conditions = sections.get("contraindications", {}).get("conditions", [])
        return _cell(medication, conditions, lambda entry: entry["name"])
    parameters = sections.get("pharmacokinetics", {}).get("parameters", [])
    chosen = [p for p in parameters if p.get("property") == key]
    return _cell(medication, chosen, lambda entry: entry["value"])


def _section_rows(medications: list[Plain], section: str) -> list[ComparisonRow]:
    """One row per structured field of the section (and its key facts), in the data's order."""
    keys: dict[str, None] = {"key_facts": None}
    for medication in medications:
        for key in medication["sections"].get(section, {}):
            if key not in ("title", "summary", "facts"):
                keys.setdefault(key, None)
    rows: list[ComparisonRow] = []
    for key in keys:
        cells = []
        for medication in medications:
            content = medication["sections"].get(section, {})
            if key == "key_facts":
                entries = [fact for fact in content.get("facts", []) if fact.get("key")]
            else:
                value = content.get(key)
                entries = value if isinstance(value, list) else [value] if value else []
            cells.append(_cell(medication, entries))
        label = "Key facts" if key == "key_facts" else key.replace("_", " ").capitalize()
        rows.append({"key": key, "label": label, "cells": cells})
    return rows


def comparison_document(medications: list[Plain], section: str | None) -> ComparisonDocument:
    """The medications side by side: the default rows, or one section's structured fields."""
    if section is None:
        rows: list[ComparisonRow] = [
            {
                "key": key,
                "label": label,
                "cells": [_default_cell(medication, key) for medication in medications],
            }
            for key, label in COMPARISON_ROWS
        ]
    else:
        rows = _section_rows(medications, section)
    by_medication = {m["id"]: {s["id"]: s for s in m["sources"]} for m in medications}
    cited = dict.fromkeys(
        (cell["medication"], source)
        for row in rows
        for cell in row["cells"]
        for source in cell["sources"]
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "comparison",
        "medications": [medication_ref(medication) for medication in medications],
        "section": section,
        "rows": rows,
        "sources": [
            {"medication": med_id, **by_medication[med_id][source]} for med_id, source in cited
        ],
    }
