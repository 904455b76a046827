"""The shipped facts carry their evidence: every entry that cites a label, a communication, a
trial or a review quotes it, and every quote of the overview is the overview's exact words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from clonafacts.documents import citable_entries
from clonafacts.store.discovery import shipped_data_dir

SEED = Path(__file__).parent / "seed" / "overview.txt"
#: Sources that are read and quoted; the overview is quoted where a sentence carries the fact.
QUOTED_KINDS = {"label", "safety-communication", "trial", "review", "article", "guideline"}
FILES = sorted(shipped_data_dir().glob("*.yaml"))


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _entries(path: Path) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """(where, entry, kind of each source) for every citing entry of a data file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = {source["id"]: source["kind"] for source in data["sources"]}
    found = [(f"schedules[{i}]", s, kinds) for i, s in enumerate(data.get("schedules", []))]
    for name, section in data["sections"].items():
        found += [(f"{name}.{where}", entry, kinds) for where, entry in citable_entries(section)]
    return found


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in FILES])
def test_every_entry_citing_a_read_source_quotes_it(path: Path) -> None:
    missing = []
    for where, entry, kinds in _entries(path):
        quoted = {quote["source"] for quote in entry.get("quotes", [])}
        for source in entry["sources"]:
            if kinds[source] in QUOTED_KINDS and source not in quoted:
                missing.append(f"{where}: no quote from {source}")
    assert missing == []


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in FILES])
def test_overview_quotes_are_the_overviews_words(path: Path) -> None:
    seed = _normalised(SEED.read_text(encoding="utf-8"))
    wrong = [
        f"{where}: {quote['text']!r}"
        for where, entry, kinds in _entries(path)
        for quote in entry.get("quotes", [])
        if kinds[quote["source"]] == "overview" and _normalised(quote["text"]) not in seed
    ]
    assert wrong == []


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """A quote that is not in the seed, and a label citation without a quote, are caught."""
    seed = _normalised(SEED.read_text(encoding="utf-8"))
    assert _normalised("Clonazepam is a benzodiazepine that cures depression.") not in seed
    path = tmp_path / "made-up.yaml"
    path.write_text(
        "sources:\n  - {id: lab, kind: label}\n"
        "sections:\n  overview:\n    facts:\n      - {text: x, sources: [lab]}\n",
        encoding="utf-8",
    )
    (where, entry, kinds) = _entries(path)[0]
    assert (where, entry["sources"], kinds) == ("overview.facts[0]", ["lab"], {"lab": "label"})
    assert not entry.get("quotes")
