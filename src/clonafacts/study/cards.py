"""Study cards, built from the data and never invented: one fact per card, each answer with its
sources in full (and the quote where the data has one).

Which cards:
- every key fact, and every part of a boxed warning, of the other major warnings, of a stop
  warning and of an overdose's management: a cloze where the fact names its gap (`cloze:`),
  else a card that shows the fact's place and asks for it;
- every entry of a structured list: an item with a detail asks for the detail; an item
  without one is hidden among its list (an overlapping cloze); a condition asks for its
  standing; a mechanism step for what happens at it; a parameter for its value;
- class and schedule;
- with two or more medications, cards that contrast them: which one has this half-life, this
  metabolism... (the comparable fields of `compare`).

Every card has a stable key (medication id, section, field, entry) that Anki GUIDs and the
quiz's review state are keyed by, so that a changed card keeps its history. An entry is known
by its name (items, conditions, parameters, steps); a fact by its words, so a reworded fact is
a new card.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from typing import Literal, TypedDict

from clonafacts.documents import COMPARISON_ROWS, SCHEMA_VERSION, Plain, comparison_document
from clonafacts.render.layout import citation

CardType = Literal["basic", "cloze"]

#: Where the hidden words of a cloze card stand on its front.
GAP = "[…]"
#: The section of the contrast cards (they belong to no one medication).
COMPARE = "compare"
#: The tag prefix: Anki shows `clonafacts::diazepam` as a tree.
TAG_ROOT = "clonafacts"


class CardSource(TypedDict):
    id: str
    citation: str  # the reference in full, but its address
    url: str | None
    quote: str | None  # the source's exact words the entry rests on, when the data has them


class Card(TypedDict):
    key: str  # stable: "clonazepam/withdrawal/symptoms/rebound-anxiety"
    type: CardType
    medications: list[str]  # ids: one, or the ones a contrast card compares
    section: str  # a section name, or "compare"
    deck: str  # the medication's name, or "Comparisons"
    front: str
    back: str
    cloze: str | None  # cloze cards: the text with its gap as {{c1::words}}
    tags: list[str]
    sources: list[CardSource]
    updated: str | None  # the newest `updated` date of the medications it is built from


class CardsDocument(TypedDict):
    schema_version: int
    kind: Literal["cards"]
    medications: list[str]
    sections: list[str] | None  # None: every section
    cards: list[Card]


# Facts asked for wherever they are: each is a part of something a student is examined on.
_ALL_FACTS = {"boxed_warning", "major", "stop_warning", "management"}

# A list's heading on a card, by (section, field).
_HEADINGS = {
    ("overview", "facts"): "Overview",
    ("adjunctive", "target_symptoms"): "target symptoms of its add-on use in depression",
    ("adjunctive", "rationale"): "why it is added in depression",
    ("adjunctive", "intended_duration"): "intended duration of its add-on use",
    ("adjunctive", "evidence"): "evidence for its add-on use",
    ("withdrawal", "stop_warning"): "stopping it",
    ("withdrawal", "risks"): "dependence and withdrawal risks",
    ("withdrawal", "symptoms"): "withdrawal symptoms",
    ("withdrawal", "safe_stopping"): "stopping safely",
    ("warnings", "boxed_warning"): "boxed warning",
    ("warnings", "major"): "other major warnings",
    ("contraindications", "conditions"): "contraindications",
    ("interactions", "agents"): "interactions",
    ("adverse-effects", "serious"): "serious adverse reactions",
    ("adverse-effects", "common"): "common adverse reactions",
    ("overdose", "signs"): "signs of overdose",
    ("overdose", "management"): "management of overdose",
}

# The rows of `compare` that tell medications apart (class and schedule are mostly shared).
_CONTRAST_ROWS = ("half_life", "time_to_peak", "metabolism", "active_metabolites")


def cards_document(
    medications: Sequence[Plain], sections: Sequence[str] | None = None
) -> CardsDocument:
    """The cards of `medications` (plain data, in order), of every section or of `sections`."""
    cards: list[Card] = []
    for medication in medications:
        cards += medication_cards(medication, sections)
    if len(medications) > 1 and (sections is None or COMPARE in sections):
        cards += contrast_cards(medications)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "cards",
        "medications": [medication["id"] for medication in medications],
        "sections": None if sections is None else list(sections),
        "cards": cards,
    }


def medication_cards(medication: Plain, sections: Sequence[str] | None = None) -> list[Card]:
    builder = _Builder(medication)
    if sections is None or "overview" in sections:
        builder.identity()
    for name, content in medication["sections"].items():
        if sections is None or name in sections:
            builder.section(name, content)
    return builder.cards


class _Builder:
    def __init__(self, medication: Plain) -> None:
        self.medication = medication
        self.name: str = medication["name"]
        self.sources = {source["id"]: source for source in medication["sources"]}
        self.cards: list[Card] = []
        self.keys: set[str] = set()

    # Identity ------------------------------------------------------------------------------

    def identity(self) -> None:
        medication = self.medication
        self.add(
            "overview/class",
            "overview",
            f"{self.name}: its drug class?",
            medication["drug_class"],
            {"sources": []},
        )
        for schedule in medication["schedules"]:
            self.add(
                f"overview/schedule/{slug(schedule['jurisdiction'])}",
                "overview",
                f"{self.name}: its controlled-substance schedule ({schedule['jurisdiction']})?",
                schedule["schedule"],
                schedule,
            )

    # Sections ------------------------------------------------------------------------------

    def section(self, name: str, content: Plain) -> None:
        title = content["title"]
        for field, value in content.items():
            if field in ("title", "summary"):
                continue
            entries = value if isinstance(value, list) else [value]
            heading = _HEADINGS.get((name, field), title.lower())
            place = f"{name}/{field.replace('_', '-')}"
            if field == "chain":
                for number, step in enumerate(entries, 1):
                    self.add(
                        f"{place}/{slug(step['stage'])}",
                        name,
                        f"{self.name}, mechanism step {number} of {len(entries)}"
                        f" ({step['stage']}): what happens?",
                        step["text"],
                        step,
                    )
            elif field == "parameters":
                for parameter in entries:
                    self.add(
                        f"{place}/{parameter.get('property') or slug(parameter['name'])}",
                        name,
                        f"{self.name}: {lower_first(parameter['name'])}?",
                        parameter["value"],
                        parameter,
                    )
            elif field == "conditions" and name == "indications":
                for condition in entries:
                    self.condition(place, condition)
            elif entries and "text" in entries[0]:  # facts
                for fact in entries:
                    if fact.get("key") or field in _ALL_FACTS:
                        self.fact(place, name, heading, fact)
            else:  # items
                for index in range(len(entries)):
                    self.item(place, name, heading, entries, index)

    def condition(self, place: str, condition: Plain) -> None:
        answer = condition["status"]
        extra = [*condition["details"], condition.get("population") or ""]
        if any(extra):
            answer += ": " + "; ".join(part for part in extra if part)
        self.add(
            f"{place}/{slug(condition['name'])}",
            "indications",
            f"{self.name} in {lower_first(condition['name'])}: labelled, adjunctive or off-label?",
            answer,
            condition,
        )

    def fact(self, place: str, section: str, heading: str, fact: Plain) -> None:
        key = f"{place}/{fingerprint(fact['text'])}"
        context = f"{self.name} · {heading}"
        if fact.get("cloze"):
            words = fact["cloze"]
            text = fact["text"]
            self.add(
                key,
                section,
                f"{context}: {text.replace(words, GAP, 1)}",
                text,
                fact,
                cloze=f"{context}: {text.replace(words, '{{c1::' + cloze_safe(words) + '}}', 1)}",
            )
            return
        about = f" ({', '.join(fact['tags'])})" if fact.get("tags") else ""
        self.add(key, section, f"{context}{about}: recall the fact.", fact["text"], fact)

    def item(self, place: str, section: str, heading: str, items: list[Plain], index: int) -> None:
        item = items[index]
        key = f"{place}/{slug(item['name'])}"
        if item.get("detail"):
            self.add(
                key,
                section,
                f"{self.name} · {heading}: {item['name']}?",
                item["detail"],
                item,
            )
            return
        # An overlapping cloze: the list with this one entry hidden.
        names = [entry["name"] for entry in items]
        shown = "; ".join(GAP if i == index else name for i, name in enumerate(names))
        hidden = "; ".join(
            "{{c1::" + cloze_safe(name) + "}}" if i == index else name
            for i, name in enumerate(names)
        )
        context = f"{self.name} · {heading}"
        self.add(
            key,
            section,
            f"{context}: {shown}",
            item["name"],
            item,
            cloze=f"{context}: {hidden}",
        )

    # Cards ---------------------------------------------------------------------------------

    def add(
        self,
        place: str,
        section: str,
        front: str,
        back: str,
        entry: Plain,
        cloze: str | None = None,
    ) -> None:
        key = unique(f"{self.medication['id']}/{place}", self.keys)
        self.cards.append(
            {
                "key": key,
                "type": "basic" if cloze is None else "cloze",
                "medications": [self.medication["id"]],
                "section": section,
                "deck": self.name,
                "front": front,
                "back": back,
                "cloze": cloze,
                "tags": tags([self.medication], section),
                "sources": card_sources(self.sources, entry),
                "updated": self.medication.get("updated"),
            }
        )


def contrast_cards(medications: Sequence[Plain]) -> list[Card]:
    """Which medication is it? One card per medication and comparable row where they differ."""
    comparison = comparison_document(list(medications), None)
    by_id = {medication["id"]: medication for medication in medications}
    names = ", ".join(medication["name"] for medication in medications)
    labels = dict(COMPARISON_ROWS)
    ids = [medication["id"] for medication in medications]
    updated = max((m["updated"] for m in medications if m.get("updated")), default=None)
    cards: list[Card] = []
    keys: set[str] = set()
    for row in comparison["rows"]:
        if row["key"] not in _CONTRAST_ROWS:
            continue
        cells = [cell for cell in row["cells"] if cell["values"]]
        answers = {"; ".join(cell["values"]) for cell in cells}
        if len(cells) < 2 or len(answers) < len(cells):  # shared values tell nothing apart
            continue
        for cell in cells:
            medication = by_id[cell["medication"]]
            sources = {source["id"]: source for source in medication["sources"]}
            quotes = _row_quotes(medication, row["key"])
            cards.append(
                {
                    "key": unique(f"{COMPARE}/{row['key']}/{medication['id']}", keys),
                    "type": "basic",
                    "medications": ids,
                    "section": COMPARE,
                    "deck": "Comparisons",
                    "front": f"Which of {names}: {lower_first(labels[row['key']])}"
                    f" {'; '.join(cell['values'])}?",
                    "back": medication["name"],
                    "cloze": None,
                    "tags": tags(medications, COMPARE),
                    "sources": card_sources(
                        sources, {"sources": cell["sources"], "quotes": quotes}
                    ),
                    "updated": updated,
                }
            )
    return cards


def _row_quotes(medication: Plain, key: str) -> list[Plain]:
    parameters = medication["sections"].get("pharmacokinetics", {}).get("parameters", [])
    return [q for p in parameters if p.get("property") == key for q in p.get("quotes", [])]


# Helpers ---------------------------------------------------------------------------------------


def card_sources(sources: dict[str, Plain], entry: Plain) -> list[CardSource]:
    quotes = {quote["source"]: quote["text"] for quote in entry.get("quotes", [])}
    return [
        {
            "id": source_id,
            "citation": citation({**sources[source_id], "url": None}),
            "url": sources[source_id].get("url"),
            "quote": quotes.get(source_id),
        }
        for source_id in entry["sources"]
    ]


def tags(medications: Sequence[Plain], section: str) -> list[str]:
    found = [f"{TAG_ROOT}::{medication['id']}" for medication in medications]
    found.append(f"{TAG_ROOT}::{section}")
    found += [f"{TAG_ROOT}::{cls}" for medication in medications for cls in medication["classes"]]
    return list(dict.fromkeys(found))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "entry"


def fingerprint(text: str) -> str:
    """A fact's key: its words, however they are spaced or cased."""
    words = " ".join(text.casefold().split())
    return f"{zlib.crc32(words.encode('utf-8')):08x}"


def unique(key: str, seen: set[str]) -> str:
    """Two entries of one list with the same name get -2, -3... in their order."""
    chosen, number = key, 1
    while chosen in seen:
        number += 1
        chosen = f"{key}-{number}"
    seen.add(chosen)
    return chosen


def lower_first(text: str) -> str:
    """'Half-life' -> 'half-life', but acronyms stay ('CYP enzymes')."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def cloze_safe(words: str) -> str:
    """Words inside {{c1::...}}: a `}}` or `::` of their own would end the gap early."""
    return words.replace("}}", "} }").replace("::", ": :")
