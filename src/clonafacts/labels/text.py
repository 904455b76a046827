"""Label text made readable, word for word: each openFDA section string starts with its own heading
("1 INDICATIONS AND USAGE"), holds its subsections ("1.1 Panic Disorder") and may have lost its
line breaks; tables come as raw HTML. Here the section's own heading is dropped, subsections
and paragraphs are split where the text allows, tables become rows of text (never HTML), and
control characters go. The words themselves are never changed.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from clonafacts.errors import UNSAFE_CHARACTERS

#: What our sections show of a label, in order: openFDA fields, first found first.
SECTION_SOURCES: dict[str, tuple[str, ...]] = {
    "overview": ("description",),
    "indications": ("indications_and_usage",),
    "mechanism": ("mechanism_of_action",),
    "warnings": ("boxed_warning", "warnings_and_cautions", "warnings", "precautions"),
    "withdrawal": ("drug_abuse_and_dependence", "controlled_substance", "abuse", "dependence"),
    "contraindications": ("contraindications",),
    "interactions": ("drug_interactions",),
    "adverse-effects": ("adverse_reactions",),
    "overdose": ("overdosage",),
    "pharmacokinetics": ("pharmacokinetics",),
}

# The project's unsafe characters, but the line break: it splits paragraphs here.
_CONTROL = re.compile("[" + UNSAFE_CHARACTERS.replace(r"\x00-\x1F", r"\x00-\x09\x0B-\x1F") + "]")
_SUBSECTION = re.compile(r"^(\d{1,2}\.\d{1,2})\s+(\S.*)$")
# A subsection number inside a run of text that lost its line breaks: "... effects. 5.2 Falls".
_RUN_IN = re.compile(r"(?<=[.:;)\]])\s+(?=\d{1,2}\.\d{1,2}\s+[A-Z])")
MAX_HEADING_CHARS = 120


#: A section's own heading, as labels write it at the start of its text ("1 INDICATIONS AND
#: USAGE", "12.1 Mechanism of Action", "WARNINGS:"), by openFDA field.
_HEADINGS = {
    "indications_and_usage": r"indications\s*(?:and|&)\s*usage",
    "mechanism_of_action": r"mechanism\s+of\s+action",
    "clinical_pharmacology": r"clinical\s+pharmacology",
    "pharmacokinetics": r"pharmacokinetics",
    "contraindications": r"contraindications",
    "warnings_and_cautions": r"warnings\s*(?:and|&)\s*precautions",
    "warnings": r"warnings",
    "precautions": r"precautions",
    "drug_abuse_and_dependence": r"drug\s+abuse\s*(?:and|&)\s*dependence",
    "abuse": r"abuse",
    "dependence": r"dependence",
    "controlled_substance": r"controlled\s+substance",
    "drug_interactions": r"drug\s+interactions",
    "adverse_reactions": r"adverse\s+reactions",
    "overdosage": r"overdosage",
    "description": r"description",
}


def strip_heading(text: str, field: str) -> str:
    """`text` without the section's own heading at its start, numbered or not, on a line of
    its own or run into the text."""
    pattern = _HEADINGS.get(field)
    if pattern is None:
        return text
    found = re.match(rf"\s*(?:\d{{1,2}}(?:\.\d{{1,2}})?\s+)?{pattern}\s*[:.]?\s*", text, re.I)
    return text[found.end() :] if found else text


class Block(NamedTuple):
    heading: str | None
    paragraphs: list[str]


def clean(text: str) -> str:
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def _is_heading(line: str) -> bool:
    """An all-capitals line, short, not a sentence: a section's own heading."""
    letters = [char for char in line if char.isalpha()]
    return (
        bool(letters)
        and len(line) <= MAX_HEADING_CHARS
        and sum(char.isupper() for char in letters) >= 0.8 * len(letters)
        and not line.rstrip().endswith(".")
    )


def blocks(texts: list[str], field: str = "", keep_heading: bool = False) -> list[Block]:
    """The blocks of one openFDA section (its strings in order): an untitled block, then one per
    numbered subsection. `keep_heading`: the section's own heading is content (a boxed
    warning's title says what it warns of)."""
    found: list[Block] = []
    current = Block(None, [])
    first = True
    for number, text in enumerate(texts):
        if number == 0 and not keep_heading:
            text = strip_heading(text, field)
        for line in _lines(clean(text)):
            if first:
                first = False
                if _is_heading(line):
                    if keep_heading:
                        current = Block(line, [])
                    continue
            subsection = _SUBSECTION.match(line)
            if subsection and len(line) <= MAX_HEADING_CHARS and not line.endswith("."):
                if current.heading or current.paragraphs:
                    found.append(current)
                current = Block(line, [])
                continue
            current.paragraphs.append(line)
    if current.heading or current.paragraphs:
        found.append(current)
    return found


def _lines(text: str) -> list[str]:
    lines = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if line:
            lines += [part for part in _RUN_IN.split(line) if part]
    return lines


def subsection(found: list[Block], word: str) -> list[Block]:
    """The blocks whose heading names `word` (a "12.1 Mechanism of Action" inside Clinical
    Pharmacology)."""
    return [block for block in found if block.heading and word.lower() in block.heading.lower()]


# Tables ---------------------------------------------------------------------------------------


def _table_parser() -> Any:
    """An HTML parser that collects a table's rows of cells; scripts, styles and every tag are
    dropped. (html.parser is imported here: only a label with tables needs it.)"""
    from html.parser import HTMLParser

    class Table(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None
            self.skipping = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style"):
                self.skipping += 1
            elif tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []
            elif tag == "br" and self.cell is not None:
                self.cell.append(" ")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style"):
                self.skipping = max(0, self.skipping - 1)
            elif tag in ("td", "th") and self.cell is not None:
                if not self.rows:
                    self.rows.append([])
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None and not self.skipping:
                self.cell.append(data)

    return Table()


def table_rows(html: str) -> list[str]:
    """A table as lines of text, its cells joined by ' | '; empty rows left out."""
    parser = _table_parser()
    try:
        parser.feed(clean(html))
        parser.close()
    except (AssertionError, ValueError):  # html.parser on badly broken markup
        return []
    return [" | ".join(cell for cell in row) for row in parser.rows if any(row)]
