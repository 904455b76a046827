"""How a section is laid out for people: which parts come first and how each is shown.

Shared by the text and Markdown renderers so both present the same blocks in the same order.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from clonafacts.documents import Plain

BlockKind = Literal[
    "alert", "boxed", "key", "bullets", "steps", "conditions", "parameters", "paragraphs"
]

# Structured fields of each section: (field, heading, how it is shown), in display order.
_FIELDS: dict[str, list[tuple[str, str, BlockKind]]] = {
    "indications": [("conditions", "Conditions", "conditions")],
    "mechanism": [("chain", "From target to effect", "steps")],
    "adjunctive": [
        ("rationale", "Why it is added", "bullets"),
        ("target_symptoms", "Target symptoms", "bullets"),
        ("intended_duration", "Intended duration", "bullets"),
        ("evidence", "Evidence", "bullets"),
    ],
    "withdrawal": [
        ("risks", "Risks", "bullets"),
        ("symptoms", "Withdrawal symptoms", "bullets"),
        ("safe_stopping", "Stopping safely", "bullets"),
    ],
    "warnings": [("major", "Other major warnings", "bullets")],
    "contraindications": [("conditions", "Contraindicated in", "bullets")],
    "interactions": [("agents", "Interacts with", "bullets")],
    "adverse-effects": [
        ("serious", "Serious adverse reactions", "bullets"),
        ("common", "Common adverse reactions", "bullets"),
    ],
    "overdose": [
        ("signs", "Signs of overdose", "bullets"),
        ("management", "Management", "bullets"),
    ],
    "pharmacokinetics": [("parameters", "Parameters", "parameters")],
}

# Shown above everything else in the section, impossible to miss.
_ALERTS: dict[str, list[tuple[str, str, BlockKind]]] = {
    "withdrawal": [("stop_warning", "Do not stop suddenly", "alert")],
    "warnings": [("boxed_warning", "Boxed warning", "boxed")],
}


class Block(NamedTuple):
    kind: BlockKind
    heading: str
    entries: list[Plain]


def _entries(value: Any) -> list[Plain]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def section_blocks(section: str, content: Plain, brief: bool = False) -> list[Block]:
    """The blocks of one section, most important first; empty blocks are left out. Brief: the
    warnings, the key facts, and the structured entries by name (key ones among facts)."""
    if "blocks" in content:  # an imported label: its own words, then what they are
        blocks = [
            Block("paragraphs", block["heading"] or "", [{"text": p, "sources": []} for p in ps])
            for block in content["blocks"]
            if (ps := block["paragraphs"][:1] if brief else block["paragraphs"]) or block["heading"]
        ]
        return [
            *blocks,
            Block("paragraphs", "Source", [{"text": content["source"], "sources": []}]),
        ]
    if brief:
        briefed = [_brief(block) for block in section_blocks(section, content)]
        return [block for block in briefed if block.entries]
    blocks = [
        Block(kind, heading, _entries(content.get(field)))
        for field, heading, kind in _ALERTS.get(section, [])
    ]
    facts = content.get("facts", [])
    blocks.append(Block("key", "Key facts", [fact for fact in facts if fact.get("key")]))
    blocks += [
        Block(kind, heading, _entries(content.get(field)))
        for field, heading, kind in _FIELDS.get(section, [])
    ]
    others = [fact for fact in facts if not fact.get("key")]
    blocks.append(Block("bullets", "More facts" if len(blocks) > 1 else "Facts", others))
    return [block for block in blocks if block.entries]


def _brief(block: Block) -> Block:
    if block.kind in ("alert", "boxed", "key", "parameters"):
        return block
    if block.kind == "bullets":  # a list of facts: its key ones; a list of items: their names
        entries = [
            {**entry, "detail": None} if "name" in entry else entry
            for entry in block.entries
            if "name" in entry or entry.get("key")
        ]
        return Block(block.kind, block.heading, entries)
    if block.kind == "conditions":
        return Block(
            block.kind,
            block.heading,
            [{**entry, "details": [], "population": None} for entry in block.entries],
        )
    # The mechanism's steps: their stages.
    return Block(block.kind, block.heading, [{**entry, "text": ""} for entry in block.entries])


class Citations:
    """Numbers sources in the order a reader meets them, for [n] markers and footnotes."""

    def __init__(self, sources: list[Plain]) -> None:
        self.sources = {source["id"]: source for source in sources}
        self.numbers: dict[str, int] = {}

    def markers(self, entry: Plain) -> list[int]:
        return [self.numbers.setdefault(sid, len(self.numbers) + 1) for sid in entry["sources"]]

    def used(self) -> list[tuple[int, Plain]]:
        return [(number, self.sources[sid]) for sid, number in self.numbers.items()]


def comparison_markers(document: Plain) -> dict[tuple[str, str], int]:
    """The citation numbers of a comparison: (medication id, source id) -> n, in the order the
    document lists its sources (the order its cells first cite them)."""
    return {
        (source["medication"], source["id"]): number
        for number, source in enumerate(document["sources"], 1)
    }


def cell_marks(markers: dict[tuple[str, str], int], cell: Plain) -> list[int]:
    return [markers[(cell["medication"], source)] for source in cell["sources"]]


NO_DATA = "no data"


def cell_text(values: list[str]) -> str:
    """A comparison cell's values on one line: a sentence (a fact) ends with its own full stop
    and is followed by a space; a name or phrase (an item, a parameter) by a semicolon."""
    parts: list[str] = []
    for value in values:
        if parts:
            parts.append(" " if parts[-1].endswith((".", "!", "?")) else "; ")
        parts.append(value)
    return "".join(parts)


def citation(source: Plain) -> str:
    """A full one-line citation: authors. Title. Publication. Year. Locator. URL"""
    parts = [source.get("authors"), source["title"], source.get("publication")]
    if source.get("year") and str(source["year"]) not in (source.get("publication") or ""):
        parts.append(str(source["year"]))
    parts.append(source.get("locator"))
    text = ". ".join(str(part).rstrip(".") for part in parts if part) + "."
    # No full stop after the address: terminals would take it as part of the link.
    return f"{text} {source['url']}" if source.get("url") else text


def medication_heading(medication: Plain) -> str:
    brands = ", ".join(medication["brands"])
    return f"{medication['name']} ({brands})" if brands else str(medication["name"])


def medication_subtitle(medication: Plain) -> str:
    parts = [medication["drug_class"]]
    parts += [f"{s['jurisdiction']}: {s['schedule']}" for s in medication["schedules"]]
    return " · ".join(parts)


DISCLAIMER = "For study and reference only; not medical advice."


# Search hits ------------------------------------------------------------------------------------

_PLACES = {
    "name": "name",
    "brands": "brand",
    "aliases": "alias",
    "drug_class": "class",
    "summary": "summary",
    "schedules": "schedule",
}
#: A hit longer than this (a long label paragraph, say) is shown as a window around its
#: first match; curated entries are shorter and are shown whole.
SNIPPET_CHARS = 400


def hit_place(hit: Plain) -> str:
    """Where a hit stands: its section, or what part of the medication's header it is."""
    if hit["section"] is not None:
        return str(hit["section"])
    path = str(hit["path"])
    return _PLACES.get(path.split("[")[0], path)


def snippet(hit: Plain, ellipsis: str) -> list[tuple[str, bool]]:
    """The hit's text as (part, matched) runs: whole when short, else a window of about
    SNIPPET_CHARS around the first match, cut at spaces and marked with `ellipsis`."""
    text: str = hit["text"]
    spans: list[list[int]] = hit["highlights"]
    start, end = 0, len(text)
    if len(text) > SNIPPET_CHARS:
        first = spans[0][0] if spans else 0
        start = max(0, first - SNIPPET_CHARS // 3)
        end = min(len(text), start + SNIPPET_CHARS)
        if start > 0:
            start = text.find(" ", start, first) + 1 if " " in text[start:first] else start
        if end < len(text) and " " in text[max(first, end - 40) : end]:
            end = text.rfind(" ", max(first, end - 40), end)
    runs: list[tuple[str, bool]] = [(ellipsis, False)] if start > 0 else []
    at = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        runs += [(text[at:span_start], False), (text[span_start:span_end], True)]
        at = span_end
    runs.append((text[at:end], False))
    if end < len(text):
        runs.append((ellipsis, False))
    return [(part, matched) for part, matched in runs if part]
