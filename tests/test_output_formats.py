"""Every output format of every command: golden files, the JSON contract and the Markdown notes.

Golden files live in tests/golden/; rewrite them with `pytest --update-goldens` and review the
diff. The JSON tests check the documented contract: `clonafacts schema output` describes every
document, `--json` is `--format json`, YAML is the same data, and the jq recipes of the README
work.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SECTIONS, SHIPPED, one_fact_medication
from jsonschema import Draft202012Validator

from clonafacts.facts.schemas import output_schema

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DATA = REPO / "data" / "clonazepam.yaml"

LOOKUPS = (*SECTIONS, "all")
EXTENSIONS = {"text": "txt", "json": "json", "yaml": "yaml", "markdown": "md"}

# The five withdrawal symptoms the primary source lists, and the seizures it warns of.
SEED_SYMPTOMS = (
    "Severe rebound anxiety",
    "Insomnia",
    "Tremor and sweating",
    "Muscle cramps",
    "Dangerous rises in heart rate and blood pressure",
)

# Citation markers (`\[1, 3\]`) and the numbered Sources list they refer to.
FOOTNOTE_MARK = re.compile(r"\\\[(\d+(?:, \d+)*)\\\]")
FOOTNOTE_DEF = re.compile(r"^(\d+)\. \S", re.MULTILINE)


def cited(node: Any) -> list[str]:
    """Every source id cited anywhere under `node` (a `sources` list of strings), in order."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if (
                key == "sources"
                and isinstance(value, list)
                and all(isinstance(v, str) for v in value)
            ):
                found += value
            else:
                found += cited(value)
    elif isinstance(node, list):
        for value in node:
            found += cited(value)
    return found


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = output_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def shipped() -> Any:
    return yaml.safe_load(SHIPPED_DATA.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Golden files.


@pytest.mark.parametrize("command", [pytest.param(c, id=c) for c in LOOKUPS])
@pytest.mark.parametrize("format_", [pytest.param(f, id=f) for f in EXTENSIONS])
def test_golden_lookup(cli: Any, golden: Any, command: str, format_: str) -> None:
    result = cli(command, "--format", format_)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    golden.check(f"{command}.{EXTENSIONS[format_]}", result.stdout)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        pytest.param(
            ("withdrawal", "--sources"), "withdrawal-sources.txt", id="withdrawal-sources-text"
        ),
        pytest.param(
            ("withdrawal", "--sources", "--format", "markdown"),
            "withdrawal-sources.md",
            id="withdrawal-sources-markdown",
        ),
        pytest.param(("list",), "list.txt", id="list-text"),
        pytest.param(("list", "--json"), "list.json", id="list-json"),
        pytest.param(("sources",), "sources.txt", id="sources-text"),
        pytest.param(("sources", "--json"), "sources.json", id="sources-json"),
        pytest.param(("search", "seizure"), "search-seizure.txt", id="search-text"),
        pytest.param(("search", "seizure", "--json"), "search-seizure.json", id="search-json"),
    ],
)
def test_golden_other(cli: Any, golden: Any, args: tuple[str, ...], name: str) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    golden.check(name, result.stdout)


def test_markdown_always_cites(cli: Any) -> None:
    """Markdown notes always cite: --sources changes nothing there."""
    plain = cli("withdrawal", "--format", "markdown")
    with_sources = cli("withdrawal", "--format", "markdown", "--sources")
    assert plain.stdout == with_sources.stdout
    assert "\n## Sources\n\n1. " in plain.stdout


# ---------------------------------------------------------------------------------------------
# The JSON output validates against `clonafacts schema output`.

SCHEMA_CASES = [
    *(pytest.param((s,), id=s) for s in SECTIONS),
    pytest.param(("all",), id="all"),
    pytest.param(("all", "Klonopin"), id="all-brand"),
    pytest.param(("search", "seizure"), id="search"),
    pytest.param(("search", "GABA", "receptor", "--drug", "klonopin"), id="search-drug"),
    pytest.param(("list",), id="list"),
    pytest.param(("sources",), id="sources"),
]


@pytest.mark.parametrize("args", SCHEMA_CASES)
def test_json_validates_against_output_schema(
    cli: Any, validator: Draft202012Validator, args: tuple[str, ...]
) -> None:
    document = cli.json(*args)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("overview", "examplazole"), id="overview"),
        pytest.param(("withdrawal", "Testorin"), id="withdrawal"),
        pytest.param(("all", "exz-1"), id="all"),
        pytest.param(("list",), id="list"),
        pytest.param(("sources", "examplazole"), id="sources"),
        pytest.param(("search", "fictional"), id="search"),
    ],
)
def test_json_of_user_data_validates(
    cli: Any, validator: Draft202012Validator, fixture_data: Path, args: tuple[str, ...]
) -> None:
    document = cli.json(*args, "--data", str(fixture_data))
    assert list(validator.iter_errors(document)) == []


@pytest.mark.parametrize(
    ("change", "why"),
    [
        pytest.param(lambda d: d.update(schema_version=1), "schema_version", id="version"),
        pytest.param(lambda d: d.update(extra=True), "extra key", id="extra-key"),
        pytest.param(lambda d: d.update(kind="nonsense"), "kind", id="kind"),
        pytest.param(lambda d: d["content"].pop("summary"), "summary", id="no-summary"),
        pytest.param(lambda d: d["sources"][0].update(kind="blog"), "source kind", id="source"),
    ],
)
def test_output_schema_rejects_a_broken_document(
    cli: Any, validator: Draft202012Validator, change: Any, why: str
) -> None:
    """The schema is strict enough to catch a change of shape (so the tests above can fail)."""
    document = cli.json("withdrawal")
    change(document)
    assert not validator.is_valid(document), why


def test_schema_output_command_prints_the_output_schema(cli: Any) -> None:
    result = cli("schema", "output")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("}\n")
    printed = json.loads(result.stdout)
    assert printed == output_schema()
    Draft202012Validator.check_schema(printed)


# ---------------------------------------------------------------------------------------------
# The formats agree with each other.

FORMAT_CASES = [
    *(pytest.param((c,), id=c) for c in LOOKUPS),
    pytest.param(("search", "seizure"), id="search"),
    pytest.param(("list",), id="list"),
    pytest.param(("sources",), id="sources"),
]


@pytest.mark.parametrize("args", FORMAT_CASES)
def test_json_flag_equals_format_json(cli: Any, args: tuple[str, ...]) -> None:
    flag = cli(*args, "--json")
    option = cli(*args, "--format", "json")
    short = cli(*args, "-f", "JSON")
    assert flag.exit_code == option.exit_code == short.exit_code == 0
    assert flag.stdout == option.stdout == short.stdout


@pytest.mark.parametrize("args", FORMAT_CASES)
def test_json_is_newline_terminated_and_versioned(cli: Any, args: tuple[str, ...]) -> None:
    result = cli(*args, "--json")
    assert result.stdout.endswith("}\n")
    assert not result.stdout.endswith("\n\n")
    assert json.loads(result.stdout)["schema_version"] == 2


@pytest.mark.parametrize("args", FORMAT_CASES)
def test_yaml_is_the_same_data_as_json(cli: Any, args: tuple[str, ...]) -> None:
    result = cli(*args, "--format", "yaml")
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout) == cli.json(*args)


@pytest.mark.parametrize(
    ("args", "keys"),
    [
        pytest.param(
            ("withdrawal",),
            ["schema_version", "kind", "origin", "medication", "section", "content", "sources"],
            id="section",
        ),
        pytest.param(
            ("all",),
            ["schema_version", "kind", "origin", "medication", "sections", "sources"],
            id="all",
        ),
        pytest.param(
            ("search", "seizure"), ["schema_version", "kind", "query", "total", "hits"], id="search"
        ),
        pytest.param(
            ("list",), ["schema_version", "kind", "medications", "labels_imported"], id="list"
        ),
        pytest.param(
            ("sources",), ["schema_version", "kind", "medication", "sources"], id="sources"
        ),
    ],
)
def test_top_level_key_order_is_stable(cli: Any, args: tuple[str, ...], keys: list[str]) -> None:
    assert list(cli.json(*args)) == keys


def test_medication_reference_key_order(cli: Any) -> None:
    document = cli.json("overview")
    assert list(document["medication"]) == [
        "id",
        "name",
        "brands",
        "aliases",
        "drug_class",
        "schedules",
        "summary",
    ]
    assert document["kind"] == "section"
    assert document["section"] == "overview"


def test_all_has_every_section_in_order(cli: Any) -> None:
    document = cli.json("all")
    assert document["kind"] == "medication"
    assert list(document["sections"]) == list(SECTIONS)
    for name in SECTIONS:
        assert document["sections"][name] == cli.json(name)["content"]


# ---------------------------------------------------------------------------------------------
# The jq recipes documented for users.


def test_recipe_withdrawal_symptom_names(cli: Any) -> None:
    """jq -r '.content.symptoms[].name'"""
    doc = cli.json("withdrawal")
    names = [s["name"] for s in doc["content"]["symptoms"]]
    for symptom in (*SEED_SYMPTOMS, "Seizures"):
        assert symptom in names
    assert len(names) == len(set(names))


def test_recipe_indication_conditions(cli: Any) -> None:
    """jq -r '.content.conditions[] | select(.status == "labelled") | .name'"""
    doc = cli.json("indications")
    conditions = {c["name"]: c["status"] for c in doc["content"]["conditions"]}
    assert conditions["Seizure disorders"] == "labelled"
    assert conditions["Panic disorder, with or without agoraphobia"] == "labelled"
    assert conditions["Major depressive disorder"] == "adjunctive"
    labelled = [c["name"] for c in doc["content"]["conditions"] if c["status"] == "labelled"]
    assert "Major depressive disorder" not in labelled


def test_recipe_list_ids(cli: Any, fixture_data: Path) -> None:
    """jq -r '.medications[].id'"""
    assert [m["id"] for m in cli.json("list")["medications"]] == list(SHIPPED)
    with_data = cli.json("list", "--data", str(fixture_data))
    assert [m["id"] for m in with_data["medications"]] == [*SHIPPED, "examplazole"]


def test_recipe_mechanism_chain_stages(cli: Any) -> None:
    """jq -r '.content.chain[].stage': from the receptor to the clinical effect, in order."""
    stages = [step["stage"] for step in cli.json("mechanism")["content"]["chain"]]
    assert stages[0].startswith("Binding to the GABA-A receptor")
    assert stages[-1] == "Clinical effects"


def test_recipe_key_facts_of_every_section(cli: Any) -> None:
    """jq -r '.sections[].facts[] | select(.key) | .text' needs `facts` in every section."""
    sections = cli.json("all")["sections"]
    for name, content in sections.items():
        assert isinstance(content.get("facts"), list), f"{name} has no facts list"
    key_facts = [f["text"] for s in sections.values() for f in s["facts"] if f.get("key")]
    assert any("not considered a primary antidepressant" in text for text in key_facts)


def test_recipe_withdrawal_citations(cli: Any) -> None:
    """jq -r '.sources[] | "\\(.id): \\(.title)"'"""
    sources = cli.json("withdrawal")["sources"]
    assert all(source["id"] and source["title"] for source in sources)
    assert "klonopin-label-boxed-warning" in [source["id"] for source in sources]


def test_recipe_search_sections(cli: Any) -> None:
    """jq -r '.hits[] | "\\(.section): \\(.text)"'"""
    hits = cli.json("search", "seizure")["hits"]
    assert {hit["section"] for hit in hits} >= {"indications", "withdrawal"}
    for hit in hits:
        assert "seizure" in hit["text"].casefold()
        assert hit["medication"]["id"] in SHIPPED


@pytest.mark.parametrize("section", [pytest.param(s, id=s) for s in SECTIONS])
def test_section_sources_are_exactly_the_cited_ones(cli: Any, shipped: Any, section: str) -> None:
    doc = cli.json(section)
    ids = [source["id"] for source in doc["sources"]]
    assert len(ids) == len(set(ids)), "a source is listed twice"
    used = set(cited(doc["content"])) | set(cited(doc["medication"]))
    assert set(ids) == used
    # Each listed source is the data file's entry in full.
    in_data = {source["id"]: source for source in shipped["sources"]}
    for source in doc["sources"]:
        given = {key: value for key, value in source.items() if value is not None}
        assert given == in_data[source["id"]]


def test_all_sources_are_exactly_the_cited_ones(cli: Any, shipped: Any) -> None:
    doc = cli.json("all")
    ids = [source["id"] for source in doc["sources"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(cited(doc["sections"])) | set(cited(doc["medication"]))
    assert set(ids) == {source["id"] for source in shipped["sources"]}


def test_sources_document_cited_by(cli: Any, shipped: Any) -> None:
    doc = cli.json("sources")
    assert [s["id"] for s in doc["sources"]] == [s["id"] for s in shipped["sources"]]
    for source in doc["sources"]:
        expected = ["schedules"] if source["id"] in cited(shipped["schedules"]) else []
        expected += [name for name in SECTIONS if source["id"] in cited(shipped["sections"][name])]
        assert source["cited_by"] == expected, source["id"]


# ---------------------------------------------------------------------------------------------
# Markdown.


def _headings(markdown: str, level: int) -> list[str]:
    prefix = "#" * level + " "
    return [line[len(prefix) :] for line in markdown.splitlines() if line.startswith(prefix)]


def _check_footnotes(markdown: str) -> list[int]:
    """Every marker has a source in the Sources list and every source a marker; numbered 1..n
    in reading order."""
    body, _, listed = markdown.partition("\n## Sources\n")
    marks = [int(n) for group in FOOTNOTE_MARK.findall(body) for n in group.split(", ")]
    definitions = [int(n) for n in FOOTNOTE_DEF.findall(listed)]
    assert definitions == list(range(1, len(definitions) + 1))
    assert set(marks) == set(definitions)
    first_use = list(dict.fromkeys(marks))
    assert first_use == sorted(first_use), "footnotes are numbered in reading order"
    return definitions


@pytest.mark.parametrize("section", [pytest.param(s, id=s) for s in SECTIONS])
def test_markdown_section(cli: Any, section: str) -> None:
    result = cli(section, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    markdown = result.stdout
    doc = cli.json(section)
    title = doc["content"]["title"]
    assert _headings(markdown, 1) == [f"Clonazepam (Klonopin): {title}"]
    blocks = _headings(markdown, 2)
    assert blocks, "blocks have ## headings"
    assert len(blocks) == len(set(blocks))
    assert _headings(markdown, 3) == []
    footnotes = _check_footnotes(markdown)
    # One footnote per source the content cites (the schedule's source is not cited in it).
    assert len(footnotes) == len(set(cited(doc["content"])))
    assert markdown.endswith("*For study and reference only; not medical advice.*\n")


def test_markdown_all_has_a_heading_per_section(cli: Any) -> None:
    result = cli("all", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    doc = cli.json("all")
    assert _headings(result.stdout, 1) == ["Clonazepam (Klonopin)"]
    assert _headings(result.stdout, 2) == [
        *(doc["sections"][s]["title"] for s in SECTIONS),
        "Sources",
    ]
    assert "Key facts" in _headings(result.stdout, 3)
    footnotes = _check_footnotes(result.stdout)
    assert len(footnotes) == len(set(cited(doc["sections"])))


def test_markdown_withdrawal_warning_comes_first(cli: Any) -> None:
    markdown = cli("withdrawal", "--format", "markdown").stdout
    warning = markdown.index("> **Warning: Do not stop suddenly**")
    assert warning < markdown.index("## ")
    doc = cli.json("withdrawal")
    for symptom in doc["content"]["symptoms"]:
        bold = "**" if symptom["key"] else ""
        assert f"- {bold}{symptom['name']}" in markdown


def test_markdown_conditions_table(cli: Any) -> None:
    markdown = cli("indications", "--format", "markdown").stdout
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert rows[0] == "| Condition | Status | Details |"
    assert rows[1] == "| --- | --- | --- |"
    conditions = cli.json("indications")["content"]["conditions"]
    assert len(rows) == 2 + len(conditions)
    for row, condition in zip(rows[2:], conditions, strict=True):
        assert row.startswith(f"| {condition['name']} | {condition['status']} | ")
        assert row.count(" | ") == 2, "a cell must not add a column"


# ---------------------------------------------------------------------------------------------
# Data text is shown as written in every format: no markup, no Markdown syntax, no injection.

TRICKY = "Literal [bold]markup[/bold], a | pipe, *stars*, _under_, `code` and <b>html</b> # hash"

TRICKY_MEDICATION = one_fact_medication(
    "trickazole", "Trickazole", "A made-up medication whose text looks like markup.", TRICKY
)


def test_tricky_text_in_each_format(cli: Any, write_data: Any) -> None:
    path = write_data(TRICKY_MEDICATION, "trickazole.yaml")
    base = ("overview", "trickazole", "--data", str(path))

    doc = cli.json(*base)
    assert doc["content"]["facts"][0]["text"] == TRICKY
    assert (
        yaml.safe_load(cli(*base, "--format", "yaml").stdout)["content"]["facts"][0]["text"]
        == TRICKY
    )

    text = cli(*base, "--color", "always").stdout
    assert "[bold]markup[/bold]" in text, "Rich markup in data must not be interpreted"

    markdown = cli(*base, "--format", "markdown").stdout
    line = next(line for line in markdown.splitlines() if line.startswith("- Literal"))
    assert line.startswith("- Literal \\[bold\\]markup\\[/bold\\], a \\| pipe, \\*stars\\*, ")
    assert "\\_under\\_" in line
    assert "\\`code\\`" in line
    assert "\\<b\\>html\\</b\\>" in line
    assert "\\# hash" in line


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, id=name)
        for name in (
            "MedicationRef",
            "SectionDocument",
            "MedicationDocument",
            "HitMedication",
            "SearchHit",
            "SearchDocument",
            "MedicationSummary",
            "ListDocument",
            "SourcesDocument",
            "ValidationProblem",
            "ValidationDocument",
            "ComparisonCell",
            "ComparisonRow",
            "ComparisonDocument",
        )
    ],
)
def test_typed_documents_and_the_output_schema_have_the_same_keys(name: str) -> None:
    """The API's TypedDicts (documents.py) and the output schema's models (schemas.py) describe
    one shape: the same keys in the same order."""
    from clonafacts import documents
    from clonafacts.facts import schemas

    typed = list(getattr(documents, name).__annotations__)
    modelled = list(getattr(schemas, name).model_fields)
    assert typed == modelled
