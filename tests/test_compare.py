"""`clonafacts compare`: medications side by side, every cell cited, in every format."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SHIPPED, write_variant
from jsonschema import Draft202012Validator
from markdown_it import MarkdownIt

ROWS = [
    "Class",
    "Schedule",
    "Labelled indications",
    "Half-life",
    "Time to peak",
    "Metabolism",
    "Active metabolites",
    "Boxed-warning topics",
    "Contraindications",
]


@pytest.fixture
def four(tmp_path: Path) -> Path:
    """Clonazepam's company: three fictional medications in a benzodiazepines-like class."""
    folder = tmp_path / "data"
    folder.mkdir()
    for number in (2, 3, 4):
        path = write_variant(folder, number)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("sources:\n", "classes: [testazepines]\nsources:\n", 1))
    return folder


def test_json_rows_cells_and_sources(cli: Any, four: Path) -> None:
    document = cli.json("compare", "clonazepam", "examplazole-2", "--data", str(four))
    assert document["kind"] == "comparison"
    assert [m["id"] for m in document["medications"]] == ["clonazepam", "examplazole-2"]
    assert [row["label"] for row in document["rows"]] == ROWS
    rows = {row["key"]: row["cells"] for row in document["rows"]}
    clonazepam, other = rows["time_to_peak"]
    assert clonazepam["values"] == ["within 1 to 4 hours"]
    assert clonazepam["sources"] == ["klonopin-label-rxpak-pharmacology"]
    assert other == {"medication": "examplazole-2", "values": [], "sources": []}
    assert rows["boxed_warning"][0]["values"] == ["opioids", "abuse", "dependence", "withdrawal"]
    cited = {(s["medication"], s["id"]) for s in document["sources"]}
    for cells in rows.values():
        for cell in cells:
            assert {(cell["medication"], s) for s in cell["sources"]} <= cited
    schema = json.loads(cli("schema", "output").stdout)
    assert list(Draft202012Validator(schema).iter_errors(document)) == []


def test_a_class_name_means_every_member(cli: Any, four: Path) -> None:
    by_class = cli.json("compare", "testazepines", "--data", str(four))
    assert [m["id"] for m in by_class["medications"]] == [
        "examplazole-2",
        "examplazole-3",
        "examplazole-4",
    ]
    shipped = cli.json("compare", "BENZODIAZEPINES")
    assert [m["id"] for m in shipped["medications"]] == list(SHIPPED)
    # A name given twice, or once and again through its class, is one column.
    again = cli.json("compare", "clonazepam", "Klonopin", "benzodiazepines")
    assert [m["id"] for m in again["medications"]] == [
        "clonazepam",
        *(med_id for med_id in SHIPPED if med_id != "clonazepam"),
    ]


@pytest.mark.parametrize("width", [100, 120])
def test_text_is_a_table_that_fits(cli: Any, four: Path, width: int) -> None:
    result = cli(
        "compare", "clonazepam", "testazepines", "--data", str(four), env={"COLUMNS": str(width)}
    )
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    header = lines[2].split()
    assert header == ["Clonazepam", "Examplazole", "2", "Examplazole", "3", "Examplazole", "4"]
    for label in ("Class", "Schedule", "Half-life", "Contraindications"):
        assert any(line.startswith(label) for line in lines), label
    assert "no data" in result.stdout


@pytest.mark.parametrize("width", [60, 80, 100, 120, 160])
def test_the_shipped_family_never_breaks_a_word(cli: Any, width: int) -> None:
    # Short words stay whole: where a column is too narrow for them the rows become blocks.
    document = cli.json("compare", "benzodiazepines")
    result = cli("compare", "benzodiazepines", env={"COLUMNS": str(width)})
    assert (result.exit_code, result.stderr) == (0, "")
    assert max(len(line) for line in result.stdout.splitlines()) <= width
    shown = result.stdout.split()
    words = {
        word
        for row in document["rows"]
        for cell in row["cells"]
        for value in cell["values"]
        for word in value.split()
        if len(word) <= 16
    }
    assert words
    assert [word for word in sorted(words) if not any(word in token for token in shown)] == []


def test_the_four_at_80_columns_are_a_table_with_labels_above_rows(cli: Any) -> None:
    """At 80 columns there is no room for a label column beside four medications: each row's
    label stands on the line above it, and the cells line up under the medications' names."""
    result = cli(
        "compare", "clonazepam", "lorazepam", "alprazolam", "diazepam", env={"COLUMNS": "80"}
    )
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = lines[2]
    assert header.split() == ["Clonazepam", "Lorazepam", "Alprazolam", "Diazepam"]
    starts = [header.index(name) for name in header.split()]
    at = lines.index("Schedule")
    row = lines[at + 1]
    assert [row[start:].split(":")[0] for start in starts] == ["United States"] * 4
    assert lines.index("Class") < at < lines.index("Contraindications")


def test_narrow_text_is_a_block_per_row(cli: Any, four: Path) -> None:
    result = cli(
        "compare", "clonazepam", "testazepines", "--data", str(four), env={"COLUMNS": "40"}
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 40
    at = lines.index("Time to peak")
    assert lines[at + 1] == "  Clonazepam: within 1 to 4 hours"
    assert lines[at + 2] == "  Examplazole 2: no data"


def test_sources_mark_the_cells_in_text(cli: Any) -> None:
    shown = cli("compare", "clonazepam", "--sources", env={"COLUMNS": "120"}).stdout
    assert re.search(r"within 1 to 4 hours\[\d+\]", shown)
    assert "\nSources\n" in shown


def test_markdown_is_a_table_that_cites(cli: Any, four: Path) -> None:
    notes = cli("compare", "clonazepam", "examplazole-3", "-f", "markdown", "--data", str(four))
    tokens = MarkdownIt("commonmark").enable("table").parse(notes.stdout)
    assert sum(t.type == "tr_open" for t in tokens) == len(ROWS) + 1
    assert "within 1 to 4 hours \\[" in notes.stdout
    assert "\n## Sources\n" in notes.stdout


def test_yaml_is_the_same_document(cli: Any) -> None:
    as_yaml = yaml.safe_load(cli("compare", "clonazepam", "--format", "yaml").stdout)
    assert as_yaml == cli.json("compare", "clonazepam")


def test_one_section_compared(cli: Any, four: Path) -> None:
    document = cli.json(
        "compare", "clonazepam", "examplazole-2", "--section", "withdrawal", "--data", str(four)
    )
    assert document["section"] == "withdrawal"
    keys = [row["key"] for row in document["rows"]]
    assert keys[0] == "key_facts"
    assert "symptoms" in keys
    assert "stop_warning" in keys
    symptoms = next(row for row in document["rows"] if row["key"] == "symptoms")
    assert "Seizures: most severe; can be life-threatening" in symptoms["cells"][0]["values"]


def test_unknown_name_gets_a_suggestion(cli: Any) -> None:
    result = cli("compare", "clonazepam", "klonopn")
    assert result.exit_code == 1
    assert result.stderr == "Error: no medication named 'klonopn'; did you mean 'Klonopin'?\n"


def test_unknown_section_is_a_usage_error(cli: Any) -> None:
    result = cli("compare", "clonazepam", "--section", "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Invalid value for '--section'")


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        pytest.param(
            ["Myasthenia gravis", "Sleep apnea"], "Myasthenia gravis; Sleep apnea", id="items"
        ),
        pytest.param(
            ["Supportive care is given.", "Flumazenil may be considered."],
            "Supportive care is given. Flumazenil may be considered.",
            id="sentences",
        ),
        pytest.param(
            ["A fact ends here.", "an item", "another item"],
            "A fact ends here. an item; another item",
            id="mixed",
        ),
        pytest.param([], "", id="empty"),
    ],
)
def test_a_cell_joins_sentences_with_a_space_and_names_with_a_semicolon(
    values: list[str], shown: str
) -> None:
    from clonafacts.render.layout import cell_text

    assert cell_text(values) == shown


def test_section_cells_of_facts_read_as_sentences_in_text_and_markdown(cli: Any) -> None:
    # Overdose management is a list of facts, each a sentence with its full stop.
    command = ("compare", "diazepam", "lorazepam", "--section", "overdose", "--color", "never")
    document = json.loads(cli(*command, "--json").stdout)
    (management,) = [row for row in document["rows"] if row["label"] == "Management"]
    facts = management["cells"][0]["values"]
    assert len(facts) > 1
    assert all(fact.endswith(".") for fact in facts)
    joined = f"{facts[0]} {facts[1]}"
    markdown = cli(*command, "--format", "markdown").stdout
    assert joined in markdown
    assert ".;" not in markdown
    text = cli(*command, env={"COLUMNS": "400"}).stdout
    assert joined in text
