"""`clonafacts cards`: study cards from the data, as an Anki package (checked by importing it into
Anki's own collection library), an Anki text file, a Markdown card sheet and JSON."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
from conftest import FIXTURES, SHIPPED
from jsonschema import Draft202012Validator

STUDY = FIXTURES / "study"
CLONAFACTS = str(Path(sys.executable).parent / "clonafacts")  # the installed console script
STUDYZOLE_CARDS = 9  # its own cards (tests/fixtures/study/studyzole.yaml)
PAIR_CARDS = 2 + STUDYZOLE_CARDS + 2  # contrastine's, studyzole's, and two contrast cards


def _cards(cli: Any, *args: str) -> dict[str, Any]:
    result = cli("cards", *args, "--data", str(STUDY), "--format", "json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _by_key(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {card["key"]: card for card in document["cards"]}


# ---------------------------------------------------------------------------------------------
# Which cards, and what they say.


def test_one_card_per_fact_with_stable_keys(cli: Any) -> None:
    cards = _by_key(_cards(cli, "studyzole"))
    assert sorted(cards) == [
        "studyzole/contraindications/conditions/fictional-liver-disease",
        "studyzole/contraindications/conditions/made-up-glaucoma",
        "studyzole/interactions/agents/opioids-fictional",
        "studyzole/mechanism/chain/binding",
        "studyzole/mechanism/chain/effect",
        "studyzole/overview/class",
        "studyzole/overview/facts/2f2fbb87",  # a fact is known by its words
        "studyzole/overview/schedule/testland",
        "studyzole/pharmacokinetics/parameters/half_life",
    ]
    # A fact that is not key makes no card.
    assert not any("not a key fact" in card["back"] for card in cards.values())


def test_a_fact_with_a_cloze_is_a_cloze_card(cli: Any) -> None:
    card = _by_key(_cards(cli, "studyzole"))["studyzole/overview/facts/2f2fbb87"]
    assert card["type"] == "cloze"
    assert card["front"] == "Studyzole · Overview: Studyzole acts on the […] of the test suite."
    assert card["cloze"] == (
        "Studyzole · Overview: Studyzole acts on the {{c1::imaginary receptor}} of the test suite."
    )
    assert card["back"] == "Studyzole acts on the imaginary receptor of the test suite."


def test_a_list_item_without_detail_is_hidden_among_its_list(cli: Any) -> None:
    cards = _by_key(_cards(cli, "studyzole", "--section", "contraindications"))
    card = cards["studyzole/contraindications/conditions/made-up-glaucoma"]
    assert card["front"] == "Studyzole · contraindications: Fictional liver disease; […]"
    assert card["cloze"] == (
        "Studyzole · contraindications: Fictional liver disease; {{c1::Made-up glaucoma}}"
    )
    assert card["back"] == "Made-up glaucoma"


def test_the_answer_cites_its_sources_with_the_quote(cli: Any) -> None:
    card = _by_key(_cards(cli, "studyzole"))["studyzole/pharmacokinetics/parameters/half_life"]
    assert (card["front"], card["back"]) == ("Studyzole: elimination half-life?", "10 to 20 hours")
    assert card["sources"] == [
        {
            "id": "test-label",
            "citation": "Fixture Pharma. Studyzole tablets, Testland prescribing information. "
            "2025. Clinical Pharmacology.",
            "url": "https://example.org/studyzole-label",
            "quote": "The half-life of studyzole is 10 to 20 hours.",
        }
    ]
    assert card["tags"] == [
        "clonafacts::studyzole",
        "clonafacts::pharmacokinetics",
        "clonafacts::fictional-compounds",
    ]
    assert card["updated"] == "2026-01-15"


def test_two_medications_get_contrast_cards(cli: Any) -> None:
    document = _cards(cli, "fictional-compounds")  # a class names both
    assert document["medications"] == ["contrastine", "studyzole"]
    assert len(document["cards"]) == PAIR_CARDS
    contrast = _by_key(document)["compare/half_life/contrastine"]
    assert contrast["front"] == "Which of Contrastine, Studyzole: half-life 2 to 4 hours?"
    assert contrast["back"] == "Contrastine"
    assert contrast["medications"] == ["contrastine", "studyzole"]
    assert contrast["deck"] == "Comparisons"
    assert contrast["sources"][0]["quote"] == "The half-life of contrastine is 2 to 4 hours."
    assert contrast["updated"] == "2026-02-01"  # the newer of the two


def test_section_filter_and_compare_section(cli: Any) -> None:
    document = _cards(cli, "studyzole", "contrastine", "--section", "compare")
    assert {card["section"] for card in document["cards"]} == {"compare"}
    assert document["sections"] == ["compare"]


def test_every_shipped_card_has_a_unique_key_and_cites(cli: Any) -> None:
    result = cli("cards", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    keys = [card["key"] for card in document["cards"]]
    assert len(keys) == len(set(keys))
    assert document["medications"] == list(SHIPPED)
    assert {card["deck"] for card in document["cards"]} == {
        "Alprazolam",
        "Clonazepam",
        "Diazepam",
        "Lorazepam",
        "Comparisons",
    }
    # Every card but a class card names a source.
    for card in document["cards"]:
        assert card["front"]
        assert card["back"]
        if not card["key"].endswith("/overview/class"):
            assert card["sources"], card["key"]


def test_cards_json_validates_against_the_output_schema(cli: Any) -> None:
    schema = json.loads(cli("schema", "output").stdout)
    validator = Draft202012Validator(schema)
    for args in (("studyzole",), ("fictional-compounds",)):
        document = _cards(cli, *args)
        assert list(validator.iter_errors(document)) == []
    document["cards"][0]["type"] = "essay"
    assert not validator.is_valid(document)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("CardSource", id="card-source"),
        pytest.param("Card", id="card"),
        pytest.param("CardsDocument", id="document"),
    ],
)
def test_card_types_and_the_output_schema_have_the_same_keys(name: str) -> None:
    from clonafacts.facts import schemas
    from clonafacts.study import cards

    assert list(getattr(cards, name).__annotations__) == list(getattr(schemas, name).model_fields)


# ---------------------------------------------------------------------------------------------
# Formats: golden files for the text formats; the Anki package is checked by Anki itself.


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        pytest.param("markdown", "cards-pair.md", id="markdown"),
        pytest.param("tsv", "cards-pair.tsv", id="tsv"),
        pytest.param("json", "cards-pair.json", id="json"),
    ],
)
def test_golden_card_formats(cli: Any, golden: Any, fmt: str, name: str) -> None:
    result = cli("cards", "fictional-compounds", "--data", str(STUDY), "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    golden.check(name, result.stdout)


def test_tsv_has_the_headers_anki_reads(cli: Any) -> None:
    result = cli("cards", "studyzole", "--data", str(STUDY), "--format", "tsv")
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "#separator:tab",
        "#html:true",
        "#guid column:1",
        "#notetype column:2",
        "#deck column:3",
        "#tags column:6",
    ]
    rows = [line.split("\t") for line in lines[6:]]
    assert len(rows) == STUDYZOLE_CARDS
    assert all(len(row) == 6 for row in rows)
    assert {row[1] for row in rows} == {"Basic", "Cloze"}


def test_markdown_card_sheet_parses(cli: Any) -> None:
    from markdown_it import MarkdownIt

    result = cli("cards", "studyzole", "--data", str(STUDY), "--format", "markdown")
    tokens = MarkdownIt("commonmark").parse(result.stdout)
    headings = [t.content for i, t in enumerate(tokens) if tokens[i - 1].type == "heading_open"]
    assert headings == ["Study cards", "Studyzole"]
    links = [t for t in tokens if t.type == "inline" and "example.org" in t.content]
    assert links
    assert result.stdout.rstrip().endswith("*For study and reference only; not medical advice.*")


def test_the_same_data_gives_the_same_package_bytes(cli: Any, tmp_path: Path) -> None:
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    for path in (first, second):
        result = cli("cards", "--data", str(STUDY), "fictional-compounds", "-o", str(path))
        assert result.exit_code == 0, result.stderr
        assert result.stderr == f"Wrote {PAIR_CARDS} cards to {path}\n"
        assert result.stdout == ""
    assert first.read_bytes() == second.read_bytes()


# ---------------------------------------------------------------------------------------------
# Anki's own collection library.


def _collection(tmp_path: Path) -> Any:
    from anki.collection import Collection

    return Collection(str(tmp_path / "collection" / "collection.anki2"))


def _import_apkg(collection: Any, path: Path) -> Any:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(
        package_path=str(path), options=ImportAnkiPackageOptions(with_scheduling=False)
    )
    return collection.import_anki_package(request).log


def _notes(collection: Any) -> dict[str, Any]:
    notes = (collection.get_note(nid) for nid in collection.find_notes(""))
    return {note["Key"]: note for note in notes}


@pytest.fixture
def user_study(tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    shutil.copytree(STUDY, folder)
    return folder


def test_anki_imports_the_package(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "collection").mkdir()
    package = tmp_path / "deck.apkg"
    assert (
        cli("cards", "--data", str(STUDY), "fictional-compounds", "-o", str(package)).exit_code == 0
    )
    collection = _collection(tmp_path)
    try:
        log = _import_apkg(collection, package)
        assert len(log.new) == PAIR_CARDS
        assert collection.note_count() == PAIR_CARDS
        assert collection.card_count() == PAIR_CARDS  # one card per note: one gap per cloze
        decks = {deck.name for deck in collection.decks.all_names_and_ids()}
        assert {
            "clonafacts",
            "clonafacts::Studyzole",
            "clonafacts::Contrastine",
            "clonafacts::Comparisons",
        } <= decks
        notes = _notes(collection)
        half_life = notes["studyzole/pharmacokinetics/parameters/half_life"]
        assert half_life["Front"] == "Studyzole: elimination half-life?"
        assert half_life["Back"] == "10 to 20 hours"
        assert "The half-life of studyzole is 10 to 20 hours." in half_life["Sources"]
        assert sorted(half_life.tags) == sorted(
            [
                "clonafacts::studyzole",
                "clonafacts::pharmacokinetics",
                "clonafacts::fictional-compounds",
            ]
        )
        cloze = notes["studyzole/overview/facts/2f2fbb87"]
        assert "{{c1::imaginary receptor}}" in cloze["Text"]
        card = collection.get_card(cloze.card_ids()[0])
        assert "[...]" in card.question()
        assert collection.decks.name(card.did) == "clonafacts::Studyzole"
    finally:
        collection.close()


def test_a_newer_export_updates_notes_in_place_and_keeps_history(
    cli: Any, tmp_path: Path, user_study: Path
) -> None:
    (tmp_path / "collection").mkdir()
    package = tmp_path / "deck.apkg"
    assert cli("cards", "--data", str(user_study), "studyzole", "-o", str(package)).exit_code == 0
    collection = _collection(tmp_path)
    try:
        _import_apkg(collection, package)
        key = "studyzole/interactions/agents/opioids-fictional"
        note = _notes(collection)[key]
        card = collection.get_card(note.card_ids()[0])
        card.start_timer()
        collection.sched.answerCard(card, 3)  # the student reviews it: history to keep
        reps = collection.get_card(card.id).reps
        assert reps == 1

        # A fact changes, with a newer `updated`: the export's notes are newer.
        path = user_study / "studyzole.yaml"
        text = path.read_text(encoding="utf-8")
        text = text.replace("profound imaginary sedation", "deep imaginary sedation")
        path.write_text(text.replace('updated: "2026-01-15"', 'updated: "2026-03-01"'), "utf-8")
        assert (
            cli("cards", "--data", str(user_study), "studyzole", "-o", str(package)).exit_code == 0
        )
        log = _import_apkg(collection, package)

        assert len(log.new) == 0
        assert collection.note_count() == STUDYZOLE_CARDS  # no duplicates
        updated = _notes(collection)[key]
        assert updated.id == note.id
        assert updated["Back"] == "deep imaginary sedation"
        assert collection.get_card(card.id).reps == reps  # the review history is kept
    finally:
        collection.close()


def test_anki_imports_the_text_file_and_updates_by_guid(
    cli: Any, tmp_path: Path, user_study: Path
) -> None:
    from anki.collection import ImportCsvRequest

    (tmp_path / "collection").mkdir()
    text_file = tmp_path / "cards.tsv"
    assert cli("cards", "--data", str(user_study), "studyzole", "-o", str(text_file)).exit_code == 0
    collection = _collection(tmp_path)
    try:
        for _ in range(2):  # importing twice adds nothing the second time
            metadata = collection.get_csv_metadata(path=str(text_file), delimiter=None)
            collection.import_csv(ImportCsvRequest(path=str(text_file), metadata=metadata))
        assert collection.note_count() == STUDYZOLE_CARDS
        decks = {deck.name for deck in collection.decks.all_names_and_ids()}
        assert "clonafacts::Studyzole" in decks
        nid = collection.find_notes('"deck:clonafacts::Studyzole" "Front:Studyzole: elimination*"')
        note = collection.get_note(nid[0])
        assert note["Back"].startswith("10 to 20 hours<br>")
        assert "clonafacts::pharmacokinetics" in note.tags
    finally:
        collection.close()


# ---------------------------------------------------------------------------------------------
# Errors: one line, a documented exit code, nothing half-written.


ANKI_NEEDS_A_FILE = (
    "Error: Invalid value for '--format': an Anki package is a file: give -o FILE.apkg (or -o -"
    " with standard output redirected)\n"
)


def test_anki_needs_an_output_file(cli: Any) -> None:
    result = cli("cards", "--format", "anki")
    assert result.exit_code == 2
    assert result.stderr.startswith(ANKI_NEEDS_A_FILE)


@pytest.mark.parametrize(
    ("arguments", "starts"),
    [
        pytest.param(["--format", "json"], b'{\n  "schema_version"', id="json"),
        pytest.param(["--format", "tsv"], b"#separator:tab\n", id="tsv"),
        pytest.param(["--format", "anki"], b"PK\x03\x04", id="anki-redirected"),
    ],
)
def test_dash_output_is_standard_output(
    arguments: list[str], starts: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o -` writes to stdout, as most tools read it, and never a file called "-"."""
    monkeypatch.chdir(tmp_path)
    done = subprocess.run(
        [CLONAFACTS, "cards", "studyzole", *arguments, "-o", "-", "--data", str(STUDY)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(starts)
    assert done.stderr == b""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("card_format", ["anki", "json"])
def test_dash_output_with_stdout_closed_exits_5(card_format: str) -> None:
    done = subprocess.run(
        ["bash", "-c", f'"$0" cards -f {card_format} -o - >&-', CLONAFACTS],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 5
    assert done.stderr == "Error: cannot write the output: standard output is closed\n"


def test_dash_output_refuses_a_package_on_a_terminal(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    child = pexpect.spawn(
        CLONAFACTS, ["cards", "--format", "anki", "-o", "-"], cwd=str(tmp_path), env=env, timeout=30
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    shown = re.sub(r"\x1b\[[0-9;]*m", "", child.before.decode())  # styles stay on a terminal
    assert shown.replace("\r\n", "\n").startswith(ANKI_NEEDS_A_FILE)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_device_is_written_to_not_replaced(cli: Any) -> None:
    """-o /dev/null or /dev/full writes to the device: a rename into place would put a file
    where the device was (and as root, it did)."""
    result = cli("cards", "--format", "json", "-o", "/dev/full")
    assert result.exit_code == 5
    assert result.stderr == "Error: cannot write the output: /dev/full: No space left on device\n"
    result = cli("cards", "--format", "json", "-o", "/dev/null")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Wrote ")
    for device in ("/dev/full", "/dev/null"):
        assert stat.S_ISCHR(Path(device).stat().st_mode)


def test_a_symbolic_link_stays_a_link(cli: Any, tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    result = cli("cards", "studyzole", "--data", str(STUDY), "-o", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert len(json.loads(real.read_text())["cards"]) == STUDYZOLE_CARDS
    assert sorted(path.name for path in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_an_unwritable_output_exits_5_and_leaves_nothing(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "deck.apkg"
    result = cli("cards", "-o", str(target))
    assert result.exit_code == 5
    assert result.stderr == (
        f"Error: cannot write the output: {target}: No such file or directory\n"
    )
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = cli("cards", "-o", str(locked / "deck.apkg"))
        assert result.exit_code == 5
        assert "Permission denied" in result.stderr
        assert list(locked.iterdir()) == []


def test_an_existing_file_is_replaced_whole(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "cards.json"
    target.write_text("old", encoding="utf-8")
    assert cli("cards", "--data", str(STUDY), "studyzole", "-o", str(target)).exit_code == 0
    assert len(json.loads(target.read_text(encoding="utf-8"))["cards"]) == STUDYZOLE_CARDS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cards.json"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        pytest.param(
            ("nosuchdrug",),
            1,
            "Error: no medication named 'nosuchdrug'",
            id="unknown-drug",
        ),
        pytest.param(
            ("diazepam", "--section", "adjunctive"),
            1,
            "Error: no study cards: the data has nothing to ask from adjunctive\n",
            id="no-cards",
        ),
        pytest.param(
            ("--section", "dosing"),
            2,
            "Error: Invalid value for '--section': 'dosing' is not one of",
            id="bad-section",
        ),
        pytest.param(
            ("--format", "pdf"), 2, "Error: Invalid value for '--format'", id="bad-format"
        ),
    ],
)
def test_bad_input(cli: Any, args: tuple[str, ...], code: int, message: str) -> None:
    result = cli("cards", *args)
    assert result.exit_code == code
    assert result.stderr.startswith(message) or message in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) <= 2
    assert result.stdout == ""
