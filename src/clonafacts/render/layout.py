"""How a section is laid out for people: which parts come first and how each is shown.

Shared by the text and Markdown renderers so both present the same blocks in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from clonafacts.documents import Plain

BlockKind = Literal["alert", "boxed", "key", "bullets", "steps", "conditions", "parameters"]

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
    "pharmacokinetics": [("parameters", "Parameters", "parameters")],
}

# Shown above everything else in the section, impossible to miss.
_ALERTS: dict[str, list[tuple[str, str, BlockKind]]] = {
    "withdrawal": [("stop_warning", "Do not stop suddenly", "alert")],
    "warnings": [("boxed_warning", "Boxed warning", "boxed")],
}


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    heading: str
    entries: list[Plain]


def _entries(value: Any) -> list[Plain]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def section_blocks(section: str, content: Plain) -> list[Block]:
    """The blocks of one section, most important first; empty blocks are left out."""
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


class Citations:
    """Numbers sources in the order a reader meets them, for [n] markers and footnotes."""

    def __init__(self, sources: list[Plain]) -> None:
        self.sources = {source["id"]: source for source in sources}
        self.numbers: dict[str, int] = {}

    def markers(self, entry: Plain) -> list[int]:
        return [self.numbers.setdefault(sid, len(self.numbers) + 1) for sid in entry["sources"]]

    def used(self) -> list[tuple[int, Plain]]:
        return [(number, self.sources[sid]) for sid, number in self.numbers.items()]


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
