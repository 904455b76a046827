"""The output documents: what every format shows, built once from plain medication data.

The JSON output is exactly these documents; the other formats present the same content.
Their shape is versioned by SCHEMA_VERSION and described by `clonafacts schema output`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clonafacts.errors import MissingSectionError, NoMatchesError

#: JSON-ready data: a medication, a section body, an output document.
Plain = dict[str, Any]

SCHEMA_VERSION = 1
MEDICATION_REF_KEYS = ("id", "name", "brands", "aliases", "drug_class", "schedules", "summary")


def medication_ref(medication: Plain) -> Plain:
    return {key: medication[key] for key in MEDICATION_REF_KEYS}


def cited_ids(node: Any) -> list[str]:
    """Source ids cited anywhere in `node`, in order of first citation."""
    seen: dict[str, None] = {}
    for _, entry in citable_entries(node):
        for source_id in entry["sources"]:
            seen.setdefault(source_id, None)
    return list(seen)


def citable_entries(node: Any, path: str = "") -> Iterator[tuple[str, Plain]]:
    """Every entry that carries its own `sources` (facts, items, steps...), with its path."""
    if isinstance(node, dict):
        if isinstance(node.get("sources"), list) and all(
            isinstance(s, str) for s in node["sources"]
        ):
            yield path, node
        for key, value in node.items():
            if key != "sources":
                yield from citable_entries(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from citable_entries(value, f"{path}[{index}]")


def _resolve(medication: Plain, ids: list[str]) -> list[Plain]:
    by_id = {source["id"]: source for source in medication["sources"]}
    return [by_id[source_id] for source_id in ids]


def section_document(medication: Plain, section: str) -> Plain:
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


def medication_document(medication: Plain) -> Plain:
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


def search_hits(medications: Iterator[Plain], words: list[str]) -> list[Plain]:
    """Entries in which every word appears (case-insensitive), across the given medications."""
    folded = [word.casefold() for word in words]
    hits: list[Plain] = []
    for medication in medications:
        for section, content in medication["sections"].items():
            for path, entry in citable_entries(content):
                text = entry_text(entry)
                haystack = text.casefold()
                if all(word in haystack for word in folded):
                    hits.append(
                        {
                            "medication": {"id": medication["id"], "name": medication["name"]},
                            "section": section,
                            "path": path,
                            "text": text,
                            "sources": entry["sources"],
                        }
                    )
    return hits


def search_document(words: list[str], hits: list[Plain]) -> Plain:
    if not hits:
        raise NoMatchesError(words)
    return {"schema_version": SCHEMA_VERSION, "kind": "search", "query": words, "hits": hits}


def list_document(summaries: list[Plain]) -> Plain:
    return {"schema_version": SCHEMA_VERSION, "kind": "list", "medications": summaries}


def sources_document(medication: Plain) -> Plain:
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
