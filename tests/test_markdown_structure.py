"""Markdown stays Markdown: whatever a data file's text holds, the study notes keep their
structure, checked with a real CommonMark parser (markdown-it-py, with GitHub's tables and
strikethrough), and the text shows as written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Text that would be Markdown syntax if it reached the notes raw, by where it stands.
HOSTILE_INLINE = [
    "**bold** and _em_ and `code`",
    "[a link](https://example.org) and ![an image](x.png)",
    "<b>html</b> &amp; &lt;entity&gt; and a $maths$ span",
    "~~struck~~ and a | pipe | that would split a table row",
    "# not a heading",
    "1. not a list",
    "- not a bullet",
    "+ not a bullet",
    "> not a quote",
    "[^1] not a footnote",
]
HOSTILE_FACTS = [
    *HOSTILE_INLINE,
    "a line\n===\nthat would make the line above a heading",
    "a line\n---\nthat would make a rule or a heading",
    "a line\n\n    indented: a code block\n\n- and a list",
    "```\nfenced code\n```",
]


def _quoted(text: str) -> str:
    return json.dumps(text)  # a YAML double-quoted scalar (JSON is YAML)


def medication(texts: list[str], inline: list[str]) -> str:
    """A medication whose fact texts, names and one-line fields hold the given texts."""
    facts = "\n".join(
        f"      - text: {_quoted(text)}\n        sources: [handbook]" for text in texts
    )
    steps = "\n".join(
        f"      - stage: {_quoted(text)}\n        text: {_quoted(text)}\n"
        "        sources: [handbook]"
        for text in inline
    )
    conditions = "\n".join(
        f"      - name: {_quoted(text)}\n        status: labelled\n"
        f"        details: [{_quoted(text)}]\n        sources: [handbook]"
        for text in inline
    )
    parameters = "\n".join(
        f"      - name: {_quoted(text)}\n        value: {_quoted(text)}\n"
        "        sources: [handbook]"
        for text in inline
    )
    return f"""\
id: hostile
name: {_quoted("Hostile " + inline[0])}
drug_class: {_quoted(inline[1])}
summary: {_quoted(inline[2])}
sources:
  - id: handbook
    title: {_quoted(inline[3])}
    kind: textbook
sections:
  overview:
    title: {_quoted(inline[4])}
    summary: {_quoted(inline[5])}
    facts:
{facts}
  indications:
    title: Indications
    summary: {_quoted(inline[6])}
    conditions:
{conditions}
  mechanism:
    title: Mechanism
    summary: {_quoted(inline[7])}
    chain:
{steps}
  pharmacokinetics:
    title: Pharmacokinetics
    summary: {_quoted(inline[8])}
    parameters:
{parameters}
"""


def _benign(text: str) -> str:
    """Plain words of about the same shape: what the notes' structure should be."""
    return " ".join(f"word{index}" for index, _ in enumerate(text.split())) or "word"


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _structure(tokens: list[Token]) -> list[str]:
    """Block tokens and the kinds of inline token in each: everything but the words."""
    shape: list[str] = []
    for token in tokens:
        shape.append(token.type)
        for child in token.children or []:
            if child.type not in ("text", "softbreak"):
                shape.append("  " + child.type)
    return shape


def _notes(cli: Any, folder: Path, text: str) -> str:
    path = folder / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("all", "hostile", "--format", "markdown", "--data", str(path))
    assert (result.exit_code, result.stderr) == (0, "")
    notes: str = result.stdout
    return notes


def test_hostile_text_leaves_the_structure_of_the_notes_alone(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    inline = HOSTILE_INLINE
    hostile = _notes(cli, tmp_path / "a", medication(HOSTILE_FACTS, inline))
    benign = _notes(
        cli,
        tmp_path / "b",
        medication([_benign(t) for t in HOSTILE_FACTS], [_benign(t) for t in inline]),
    )
    parser = _parser()
    assert _structure(parser.parse(hostile)) == _structure(parser.parse(benign))


@pytest.mark.parametrize("text", [pytest.param(t, id=t[:24]) for t in HOSTILE_INLINE])
def test_hostile_text_shows_as_written(cli: Any, tmp_path: Path, text: str) -> None:
    notes = _notes(cli, tmp_path, medication([text], HOSTILE_INLINE))
    html = _parser().render(notes)
    shown = _parser().parse(notes)
    words = " ".join(
        child.content for token in shown for child in token.children or [] if child.type == "text"
    )
    assert text in words  # every character shows, none was read as syntax
    assert "<b>" not in html  # raw HTML never passes through


def test_one_line_fields_refuse_line_breaks(cli: Any, tmp_path: Path) -> None:
    text = medication(["fine"], HOSTILE_INLINE).replace(
        'summary: "<b>', 'summary: "two\\nlines <b>', 1
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:4:1: summary: a line break (at position 4) is not allowed here: one line only"
    )
