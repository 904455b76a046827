"""Output documents of an imported label: the same kinds as the curated ones (`section`,
`medication`), with `origin: "label"` and the label's own words as blocks of paragraphs."""

from __future__ import annotations

from typing import Any

from clonafacts.documents import SCHEMA_VERSION, Plain
from clonafacts.errors import MissingSectionError
from clonafacts.labels import text
from clonafacts.labels.store import Label
from clonafacts.sections import SECTION_ORDER

DAILYMED = "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={}"

_TITLES = {
    "overview": "Description",
    "indications": "Indications and usage",
    "mechanism": "Mechanism of action",
    "warnings": "Warnings",
    "withdrawal": "Drug abuse and dependence",
    "contraindications": "Contraindications",
    "interactions": "Drug interactions",
    "adverse-effects": "Adverse reactions",
    "overdose": "Overdosage",
    "pharmacokinetics": "Pharmacokinetics",
}
_FIELD_HEADINGS = {
    "boxed_warning": "Boxed warning",
    "warnings_and_cautions": "Warnings and precautions",
    "warnings": "Warnings",
    "precautions": "Precautions",
    "controlled_substance": "Controlled substance",
    "abuse": "Abuse",
    "dependence": "Dependence",
}
SUMMARY = "The label's own words, as of its effective date: not curated, not medical advice."


def field_section(field: str) -> str:
    """Our section for an openFDA field (a search hit's place)."""
    for section, fields in text.SECTION_SOURCES.items():
        if field in fields:
            return section
    return "pharmacokinetics" if field == "clinical_pharmacology" else "overview"


def source(label: Label) -> Plain:
    """The label as a source: exactly what it is."""
    # One line that says exactly what the text is: "US prescribing information, BRAND
    # (labeller), effective DATE, DailyMed set id ID, label text verbatim" (the generic name
    # where the label names no brand).
    what = ((label.names.get("brand_name") or [""])[0] or label.name)[:80]
    maker = f" ({label.manufacturer[:60]})" if label.manufacturer else ""
    return {
        "id": "label",
        "title": f"US prescribing information, {what}{maker}, effective {label.effective},"
        f" DailyMed set id {label.set_id}, label text verbatim",
        "authors": label.manufacturer[:200] or None,
        "year": int(label.effective[:4]),
        "kind": "label",
        "publication": None,
        "url": DAILYMED.format(label.set_id),
        "locator": None,
    }


def medication_ref(label: Label) -> Plain:
    names = label.names
    aliases = [
        value
        for key in ("generic_name", "substance_name")
        for value in names.get(key, [])
        if value != label.name
    ]
    classes = names.get("pharm_class_epc") or []
    return {
        "id": label.set_id,
        "name": label.name[:100],
        "brands": [b for b in dict.fromkeys(names.get("brand_name", [])) if b != label.name],
        "aliases": list(dict.fromkeys(aliases)),
        "drug_class": "; ".join(classes) or "not stated in the label's data",
        "schedules": [],
        "summary": f"Label of {label.manufacturer or 'an unnamed labeller'},"
        f" effective {label.effective}",
    }


def _blocks(label: Label, section: str) -> list[text.Block]:
    sections = label.sections
    found: list[text.Block] = []
    fields = text.SECTION_SOURCES[section]
    for name in fields:
        if name not in sections:
            continue
        blocks = text.blocks(sections[name], name, keep_heading=name == "boxed_warning")
        if len(fields) > 1 and blocks and blocks[0].heading is None and name in _FIELD_HEADINGS:
            blocks[0] = text.Block(_FIELD_HEADINGS[name], blocks[0].paragraphs)
        found += blocks
        for table in sections.get(f"{name}_table", []):
            rows = text.table_rows(table)
            if rows:
                found.append(text.Block("Table", rows))
    if not found and section in ("mechanism", "pharmacokinetics"):
        # Older labels keep both inside Clinical Pharmacology.
        clinical = text.blocks(sections.get("clinical_pharmacology", []), "clinical_pharmacology")
        word = "mechanism" if section == "mechanism" else "pharmacokinetic"
        found = text.subsection(clinical, word)
        if not found and section == "pharmacokinetics":
            found = [b for b in clinical if not (b.heading and "mechanism" in b.heading.lower())]
    return found


def content(label: Label, section: str, seen: set[str] | None = None) -> Plain | None:
    """One section's content, or None when the label has nothing for it. `seen`: paragraphs
    shown already (in `all`), not shown twice."""
    if section not in _TITLES:
        return None
    blocks = []
    for block in _blocks(label, section):
        paragraphs = block.paragraphs
        if seen is not None:
            paragraphs = [p for p in paragraphs if p not in seen]
            seen.update(paragraphs)
        if paragraphs or block.heading:
            blocks.append({"heading": block.heading, "paragraphs": paragraphs})
    if not any(block["paragraphs"] for block in blocks):
        return None
    cited = source(label)
    return {
        "title": _TITLES[section],
        "summary": SUMMARY,
        "source": f"{cited['title']}. {cited['url']}",  # the source line, with where to read it
        "blocks": blocks,
    }


def section_document(label: Label, section: str) -> dict[str, Any]:
    found = content(label, section)
    if found is None:
        raise MissingSectionError(label.name, section)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "section",
        "origin": "label",
        "medication": medication_ref(label),
        "section": section,
        "content": found,
        "sources": [source(label)],
    }


def medication_document(label: Label) -> dict[str, Any]:
    seen: set[str] = set()
    sections = {}
    for name in SECTION_ORDER:
        found = content(label, name, seen)
        if found is not None:
            sections[name] = found
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "medication",
        "origin": "label",
        "medication": medication_ref(label),
        "sections": sections,
        "sources": [source(label)],
    }


def sources_document(label: Label) -> dict[str, Any]:
    """The label as the one source of every section it has (`clonafacts sources NAME`)."""
    cited_by = [name for name in SECTION_ORDER if content(label, name) is not None]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "sources",
        "medication": medication_ref(label),
        "sources": [{**source(label), "cited_by": cited_by}],
    }
