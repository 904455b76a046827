"""Markdown output: study notes with a heading per section, bullet facts and footnote citations.

Footnotes are always included: they are what makes the notes citable.
"""

from __future__ import annotations

import re

from clonafacts.documents import Plain, entry_text
from clonafacts.errors import printable
from clonafacts.render.layout import (
    DISCLAIMER,
    NO_DATA,
    Block,
    Citations,
    cell_marks,
    cell_text,
    citation,
    comparison_markers,
    hit_place,
    medication_heading,
    medication_subtitle,
    section_blocks,
    snippet,
)
from clonafacts.render.options import RenderOptions

# Everything that means something inline: emphasis, code, links, HTML, entities, tables,
# strikethrough, maths.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&$])")
# What would start a block of its own at the start of a list item or table cell: a bullet, an
# ordered-list number, a setext underline.
_BLOCK_START = re.compile(r"^([-+=]|\d+[.)])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def escape(text: str) -> str:
    """Text from the data, as Markdown that shows it as written and cannot change the
    document's structure: line breaks become spaces, and syntax is escaped."""
    text = _SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))
    # The backslash goes before the punctuation: "1\\." and "\\-" read as text.
    return _BLOCK_START.sub(lambda match: match.group()[:-1] + "\\" + match.group()[-1], text)


def _cited(source: Plain) -> str:
    """A full citation with its address as an autolink (`<https://...>`): escapes do not work
    inside an address, and a bare one would be cut at the first escaped character."""
    url = source.get("url")
    if not url or "<" in url or ">" in url:
        return escape(citation(source))
    return f"{escape(citation({**source, 'url': None}))} <{url}>"


def _comparison(document: Plain) -> list[str]:
    """A table, a column per medication, every cell citing the numbered Sources list."""
    medications = document["medications"]
    names = [escape(medication["name"]) for medication in medications]
    heading = "Compared: " + ", ".join(names)
    if document["section"]:
        heading += f" · {escape(document['section'])}"
    markers = comparison_markers(document)
    lines = [f"# {heading}", "", "| | " + " | ".join(names) + " |"]
    lines.append("| --- " * (len(names) + 1) + "|")
    for row in document["rows"]:
        cells = []
        for cell in row["cells"]:
            text = cell_text([escape(value) for value in cell["values"]]) or f"*{NO_DATA}*"
            numbers = cell_marks(markers, cell)
            if numbers:
                text += " \\[" + ", ".join(map(str, numbers)) + "\\]"
            cells.append(text)
        lines.append(f"| **{escape(row['label'])}** | " + " | ".join(cells) + " |")
    lines.append("")
    if document["sources"]:
        ids = [medication["id"] for medication in medications]
        lines += ["## Sources", ""]
        for number, source in enumerate(document["sources"], 1):
            owner = names[ids.index(source["medication"])]
            lines.append(f"{number}. {owner}: {_cited(source)}")
        lines.append("")
    return lines


def _card_sheet(document: Plain) -> list[str]:
    """A printable card sheet: a heading per deck, each card's question, answer and sources."""
    lines = ["# Study cards", ""]
    deck = None
    for number, card in enumerate(document["cards"], 1):
        if card["deck"] != deck:
            deck = card["deck"]
            lines += [f"## {escape(deck)}", ""]
        lines += [f"**{number}.** {escape(card['front'])}", "", f"> {escape(card['back'])}", ""]
        for source in card["sources"]:
            quote = f" — “{escape(source['quote'])}”" if source["quote"] else ""
            lines.append(f"- {_cited({'title': source['citation'], 'url': source['url']})}{quote}")
        if card["sources"]:
            lines.append("")
    return lines


def render(document: Plain, options: RenderOptions) -> str:
    notes = _Notes(document, options.brief)
    kind = document["kind"]
    if kind == "section":
        lines = notes.header(document["medication"], document["content"]["title"], level=1)
        lines += notes.section(document["section"], document["content"], level=2)
    elif kind == "medication":
        lines = notes.header(document["medication"], "", level=1)
        for name, content in document["sections"].items():
            lines += [f"## {escape(content['title'])}", ""]
            lines += notes.section(name, content, level=3)
    elif kind == "search":
        lines = notes.search(document)
    elif kind == "list":
        lines = notes.listing(document)
    elif kind == "comparison":
        lines = _comparison(document)
    elif kind == "cards":
        lines = _card_sheet(document)
    else:
        lines = notes.sources(document)
    lines += notes.footnotes()
    lines += ["---", "", f"*{DISCLAIMER}*", ""]
    return "\n".join(lines)


class _Notes:
    def __init__(self, document: Plain, brief: bool = False) -> None:
        self.citations = Citations(document.get("sources", []))
        self.brief = brief

    def header(self, medication: Plain, title: str, level: int) -> list[str]:
        heading = medication_heading(medication) + (f": {title}" if title else "")
        return [
            f"{'#' * level} {escape(heading)}",
            "",
            f"*{escape(medication_subtitle(medication))}*",
            "",
            escape(medication["summary"]),
            "",
        ]

    def marks(self, entry: Plain) -> str:
        """Numbered references to the one Sources list: `\\[1, 3\\]` shows as [1, 3] in every
        renderer (GitHub, pandoc...), where footnotes would make one note per marker."""
        numbers = self.citations.markers(entry)
        return "\\[" + ", ".join(map(str, numbers)) + "\\]" if numbers else ""

    def section(self, name: str, content: Plain, level: int) -> list[str]:
        lines = [f"*{escape(content['summary'])}*", ""]
        for block in section_blocks(name, content, self.brief):
            lines += self.block(block, level)
        return lines

    def block(self, block: Block, level: int) -> list[str]:
        if block.kind in ("alert", "boxed"):
            lines = [f"> **Warning: {escape(block.heading)}**", ">"]
            lines += [f"> - {escape(entry_text(e))} {self.marks(e)}" for e in block.entries]
            return [*lines, ""]
        if block.kind == "paragraphs":  # a label's own words
            lines = [f"{'#' * level} {escape(block.heading)}", ""] if block.heading else []
            for entry in block.entries:
                lines += [escape(entry["text"]), ""]
            return lines
        lines = [f"{'#' * level} {escape(block.heading)}", ""]
        if block.kind == "conditions":
            lines += ["| Condition | Status | Details |", "| --- | --- | --- |"]
            for e in block.entries:
                details = "; ".join(
                    [*e["details"], *([e["population"]] if e["population"] else [])]
                )
                lines.append(
                    f"| {escape(e['name'])} | {e['status']} | {escape(details)} {self.marks(e)} |"
                )
        elif block.kind == "parameters":
            lines += ["| Parameter | Value |", "| --- | --- |"]
            lines += [
                f"| {escape(e['name'])} | {escape(e['value'])} {self.marks(e)} |"
                for e in block.entries
            ]
        elif block.kind == "steps":
            lines += [
                f"{n}. **{escape(e['stage'])}**"
                + (f": {escape(e['text'])}" if e["text"] else "")
                + f" {self.marks(e)}"
                for n, e in enumerate(block.entries, 1)
            ]
        else:
            # Key entries stand out wherever they are.
            lines += [
                f"- **{escape(entry_text(e))}** {self.marks(e)}"
                if block.kind == "key" or e.get("key")
                else f"- {escape(entry_text(e))} {self.marks(e)}"
                for e in block.entries
            ]
        return [*lines, ""]

    def footnotes(self) -> list[str]:
        """The Sources list the markers refer to, numbered as they are."""
        used = self.citations.used()
        if not used:
            return []
        return ["## Sources", "", *(f"{n}. {_cited(source)}" for n, source in used), ""]

    def search(self, document: Plain) -> list[str]:
        query = " ".join(document["query"])
        hits, total = document["hits"], document["total"]
        shown = "" if len(hits) == total else f", best {len(hits)} shown"
        lines = [
            f"# Search: {escape(query)}",
            "",
            f"{total} match{'' if total == 1 else 'es'}{shown}.",
            "",
        ]
        for hit in hits:
            text = "".join(
                f"**{escape(part)}**" if matched else escape(part)
                for part, matched in snippet(hit, "…")
            )
            lines.append(f"- **{escape(hit['medication']['name'])}, {hit_place(hit)}**: {text}")
        return [*lines, ""]

    def listing(self, document: Plain) -> list[str]:
        lines = [
            "# Medications",
            "",
            "| Medication | Brands | Class | Sections | From |",
            "| --- | --- | --- | --- | --- |",
        ]
        for med in document["medications"]:
            lines.append(
                f"| {escape(med['name'])} ({med['id']}) | {escape(', '.join(med['brands']))}"
                f" | {escape(med['drug_class'])} | {', '.join(med['sections'])} |"
                f" {escape(printable(med['origin']))} |"
            )
        count = document.get("labels_imported", 0)
        if count:
            lines += ["", f"And {count:,} imported FDA labels (`clonafacts list --labels`)."]
        return [*lines, ""]

    def sources(self, document: Plain) -> list[str]:
        lines = self.header(document["medication"], "Sources", level=1)
        for source in document["sources"]:
            cited = ", ".join(source["cited_by"]) or "not cited"
            lines += [
                f"- **{source['id']}** ({source['kind']}): {_cited(source)} Cited by: {cited}."
            ]
        return [*lines, ""]
