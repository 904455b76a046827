"""Imported FDA labels: `import openfda` from files in openFDA's exact shape (written by
tests/openfda_samples.py), then the same lookups, list and search over them."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import openfda_samples as samples
import pytest
from jsonschema import Draft202012Validator

SUMMARY = (
    "Labels: 4 imported, 0 updated, 0 unchanged; skipped: 2 not prescription labels,"
    " 5 malformed (bad-type, bad-date, no-set-id, bad-openfda and 1 more; first: bad-type:"
    " indications_and_usage is not a list of strings).\n"
)


def _store() -> Path:
    return Path(os.environ["CLONAFACTS_STATE_DIR"]) / "labels.sqlite3"


def _count() -> int:
    with sqlite3.connect(_store()) as connection:
        return int(connection.execute("SELECT count(*) FROM labels").fetchone()[0])


@pytest.fixture
def imported(cli: Any, tmp_path: Path) -> Path:
    part = samples.write_zip(
        tmp_path / "drug-label-0001-of-0001.json.zip", samples.standard_records()
    )
    result = cli("import", "openfda", str(part))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == SUMMARY
    return part


@pytest.fixture
def validator(cli: Any) -> Draft202012Validator:
    return Draft202012Validator(json.loads(cli("schema", "output").stdout))


# ---------------------------------------------------------------------------------------------
# Import.


def test_import_then_again_changes_nothing(cli: Any, imported: Path) -> None:
    again = cli("import", "openfda", str(imported))
    assert again.exit_code == 0
    assert again.stderr.startswith("Labels: 0 imported, 0 updated, 4 unchanged;")
    assert _count() == 4


def test_an_unzipped_part_and_a_folder_import_too(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    samples.write_json(folder / "part-1.json", [samples.holder_label()])
    samples.write_zip(folder / "part-2.json.zip", [samples.repackager_label()])
    result = cli("import", "openfda", str(folder))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Labels: 2 imported,")


def test_a_newer_label_replaces_and_an_older_one_does_not(cli: Any, tmp_path: Path) -> None:
    old = samples.holder_label("20230115", "7")
    new = samples.holder_label("20250601", "8")
    new["indications_and_usage"] = ["1 INDICATIONS AND USAGE EXAMPLOR is now for newer tests."]
    assert (
        cli("import", "openfda", str(samples.write_json(tmp_path / "a.json", [old]))).exit_code == 0
    )
    result = cli("import", "openfda", str(samples.write_json(tmp_path / "b.json", [new])))
    assert result.stderr.startswith("Labels: 0 imported, 1 updated, 0 unchanged;")
    result = cli("import", "openfda", str(samples.write_json(tmp_path / "c.json", [old])))
    assert result.stderr.startswith("Labels: 0 imported, 0 updated, 1 unchanged;")
    shown = cli.json("indications", "examplor")
    assert shown["content"]["blocks"][0]["paragraphs"] == ["EXAMPLOR is now for newer tests."]
    assert "effective 2025-06-01" in shown["sources"][0]["title"]


def test_otc_labels_only_with_include_otc(cli: Any, tmp_path: Path) -> None:
    part = samples.write_json(tmp_path / "otc.json", [samples.otc_label()])
    assert cli("import", "openfda", str(part)).stderr.startswith("Labels: 0 imported,")
    result = cli("import", "openfda", str(part), "--include-otc")
    assert result.stderr.startswith("Labels: 1 imported,")
    assert cli.json("indications", "sniffless")["origin"] == "label"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b'{"meta": {}, "results": [{"id": "x"', "not valid JSON", id="truncated"),
        pytest.param(b'{"meta": {}}', "not an openFDA drug label file", id="no-results"),
        pytest.param(b"\x00\x01binary", "not valid JSON", id="binary"),
        pytest.param(b"", "not valid JSON", id="empty"),
    ],
)
def test_a_bad_file_stops_the_import_and_changes_nothing(
    cli: Any, imported: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    good = samples.write_json(tmp_path / "good.json", [samples.holder_label("20260101", "9")])
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    before = _store().read_bytes()
    result = cli("import", "openfda", str(good), str(bad))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {bad}: {message}")
    assert result.stderr.endswith("Nothing was imported; the label store is as it was.\n")
    assert len(result.stderr.splitlines()) == 2
    # The good file before it was not kept either: one transaction.
    shown = cli.json("indications", "examplor")
    assert "effective 2023-01-15" in shown["sources"][0]["title"]
    assert _count() == 4
    assert before  # the store file is still there and used


def test_a_missing_path_is_a_usage_error(cli: Any, tmp_path: Path) -> None:
    result = cli("import", "openfda", str(tmp_path / "nope.json.zip"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def test_a_device_or_a_pipe_is_refused(cli: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "part.json"
    os.mkfifo(fifo)
    for path in ("/dev/null", str(fifo)):
        result = cli("import", "openfda", path)
        assert result.exit_code == 3
        assert result.stderr == (
            f"Error: {path}: not a regular file or folder\n"
            "Nothing was imported; the label store is as it was.\n"
        )


def test_a_damaged_store_is_reported_not_replaced(cli: Any, imported: Path) -> None:
    _store().write_bytes(b"not a database at all" * 100)
    for wal in _store().parent.glob("labels.sqlite3-*"):
        wal.unlink()
    result = cli("indications", "examplor")
    assert result.exit_code == 6
    assert "is damaged" in result.stderr
    assert _store().read_bytes() == b"not a database at all" * 100


# ---------------------------------------------------------------------------------------------
# Lookups.


def test_label_section_text_is_clean_and_verbatim(cli: Any, imported: Path) -> None:
    document = cli.json("indications", "examplor")
    assert document["origin"] == "label"
    assert document["kind"] == "section"
    assert document["medication"]["id"] == samples.HOLDER_SET_ID
    assert document["content"]["blocks"] == [
        {
            "heading": "1.1 Testing Disorder",
            "paragraphs": [
                "EXAMPLOR is indicated for the treatment of testing disorder in adults."
            ],
        },
        {
            "heading": "1.2 Fixture Anxiety",
            "paragraphs": ["EXAMPLOR is indicated for fixture anxiety."],
        },
    ]
    (source,) = document["sources"]
    assert source["title"] == (
        "US prescribing information, Examplor (Holder Pharma), effective 2023-01-15,"
        f" DailyMed set id {samples.HOLDER_SET_ID}, label text verbatim"
    )
    assert source["url"] == (
        f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={samples.HOLDER_SET_ID}"
    )


def test_no_dosage_no_html_and_no_text_twice(cli: Any, imported: Path) -> None:
    result = cli("all", "examplor", "--json")
    text = result.stdout
    assert "50 mg" not in text  # dosage and administration is never imported
    assert "<script" not in text
    assert "alert(1)" not in text
    assert "<table" not in text
    document = json.loads(text)
    table = document["sections"]["adverse-effects"]["blocks"][-1]
    assert table == {"heading": "Table", "paragraphs": ["Reaction | Examplor", "Nausea | 25%"]}
    paragraphs = [
        p
        for section in document["sections"].values()
        for b in section["blocks"]
        for p in b["paragraphs"]
    ]
    assert len(paragraphs) == len(set(paragraphs))


def test_text_output_of_a_label(cli: Any, imported: Path, golden: Any) -> None:
    result = cli("warnings", "examplor")
    assert result.exit_code == 0
    golden.check("label-warnings.txt", result.stdout)


def test_the_canonical_label_is_the_application_holders(cli: Any, imported: Path) -> None:
    # The repackager's label is newer, but the NDA holder's label wins for the name.
    assert cli.json("mechanism", "examploxetine")["medication"]["id"] == samples.HOLDER_SET_ID
    picked = cli.json("mechanism", "examplor", "--set-id", samples.REPACKAGER_SET_ID)
    assert picked["medication"]["summary"] == "Label of Repack Co, effective 2024-03-01"


def test_a_name_on_several_products_lists_them(cli: Any, imported: Path) -> None:
    result = cli("indications", "Duobrand")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 'Duobrand' names several labelled products: Duobrand: XENOFAKE (Maker X)"
        f" (--set-id {samples.DUO_X_SET_ID}); Duobrand: YOFAKE (Maker Y) (--set-id"
        f" {samples.DUO_Y_SET_ID})\n"
    )
    chosen = cli.json("indications", "Duobrand", "--set-id", samples.DUO_Y_SET_ID)
    assert chosen["medication"]["name"] == "YOFAKE"


def test_curated_wins_and_label_shows_the_label(cli: Any, tmp_path: Path) -> None:
    clonazepam = samples.holder_label()
    clonazepam["set_id"] = "cccccccc-0000-4000-8000-000000000001"
    clonazepam["openfda"]["generic_name"] = ["CLONAZEPAM"]
    clonazepam["openfda"]["brand_name"] = ["Klonopin"]
    assert (
        cli(
            "import", "openfda", str(samples.write_json(tmp_path / "k.json", [clonazepam]))
        ).exit_code
        == 0
    )
    assert cli.json("mechanism", "clonazepam")["origin"] == "curated"
    label = cli.json("mechanism", "Klonopin", "--label")
    assert label["origin"] == "label"
    assert label["medication"]["name"] == "CLONAZEPAM"


def test_a_missing_label_section_exits_1(cli: Any, tmp_path: Path) -> None:
    bare = samples.otc_label()
    assert (
        cli(
            "import",
            "openfda",
            str(samples.write_json(tmp_path / "o.json", [bare])),
            "--include-otc",
        ).exit_code
        == 0
    )
    result = cli("overdose", "sniffless")
    assert result.exit_code == 1
    assert result.stderr == "Error: FICTIONAL SALINE has no 'overdose' section in the loaded data\n"


def test_sources_of_a_label(cli: Any, imported: Path, validator: Draft202012Validator) -> None:
    document = cli.json("sources", "examplor")
    assert [e.message for e in validator.iter_errors(document)] == []
    (source,) = document["sources"]
    assert source["id"] == "label"
    assert source["cited_by"][:2] == ["overview", "indications"]
    assert "adjunctive" not in source["cited_by"]


def test_unknown_names_suggest_labels_too(cli: Any, imported: Path) -> None:
    result = cli("mechanism", "examplr")
    assert result.exit_code == 1
    assert "did you mean 'examplor'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("mechanism", "--set-id", "nope"),
            "Error: no imported label has the set id 'nope'\n",
            id="set-id",
        ),
        pytest.param(
            ("mechanism", "clonazepam", "--label"),
            "Error: no imported label named 'clonazepam'\n",
            id="curated-name-with-label",
        ),
        pytest.param(
            ("mechanism", "examplr", "--label"),
            "Error: no imported label named 'examplr'; did you mean 'examplor' or"
            " 'examploxetine'?\n",
            id="did-you-mean",
        ),
        pytest.param(
            ("search", "falls", "--drug", "nothing"),
            "Error: no medication named 'nothing'\n",
            id="neither-curated-nor-label",
        ),
        pytest.param(
            ("search", "falls", "--drug", "clonazepam", "--origin", "label"),
            "Error: no imported label named 'clonazepam'\n",
            id="curated-name-among-labels",
        ),
        pytest.param(
            ("search", "falls", "--drug", "examplr", "--origin", "label"),
            "Error: no imported label named 'examplr'; did you mean 'examplor' or"
            " 'examploxetine'?\n",
            id="search-did-you-mean",
        ),
    ],
)
def test_an_unknown_label_is_named_as_a_label(
    cli: Any, imported: Path, args: tuple[str, ...], message: str
) -> None:
    """The name (or set id) is what was not found: not 'no facts match', not a curated miss."""
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stderr == message


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("compare", "Examplor", "clonazepam"), id="compare"),
        pytest.param(("cards", "Examplor"), id="cards"),
        pytest.param(("quiz", "Examplor", "--stats"), id="quiz"),
        pytest.param(("search", "falls", "--drug", "Examplor", "--origin", "curated"), id="search"),
    ],
)
def test_a_label_name_where_curated_facts_are_needed(
    cli: Any, imported: Path, args: tuple[str, ...]
) -> None:
    """Not 'no medication named': the name is known, as a label."""
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 'Examplor' is an imported label, not a curated medication; this command uses"
        " curated facts only\n"
    )


def test_label_without_imports_says_how_to_import(cli: Any) -> None:
    result = cli("mechanism", "clonazepam", "--label")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no labels are imported: download openFDA's drug label")


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("indications", "examplor"), id="section"),
        pytest.param(("all", "examplor"), id="all"),
        pytest.param(("search", "imaginary", "--origin", "label"), id="search"),
        pytest.param(("list",), id="list"),
    ],
)
def test_label_json_validates(
    cli: Any, imported: Path, validator: Draft202012Validator, args: tuple[str, ...]
) -> None:
    document = cli.json(*args)
    assert [e.message for e in validator.iter_errors(document)] == []


# ---------------------------------------------------------------------------------------------
# list and search.


def test_list_counts_labels_and_lists_them(
    cli: Any, imported: Path, validator: Draft202012Validator
) -> None:
    assert cli.json("list")["labels_imported"] == 4
    assert "And 4 imported FDA labels: clonafacts list --labels" in cli("list").stdout
    result = cli("list", "--labels", "examplor", "--json")
    document = json.loads(result.stdout)
    assert [e.message for e in validator.iter_errors(document)] == []
    assert [row["set_id"] for row in document["labels"]] == [
        samples.HOLDER_SET_ID,
        samples.REPACKAGER_SET_ID,
    ]
    text = cli("list", "--labels").stdout.splitlines()
    assert len(text) == 4
    assert text[0].startswith("EXAMPLOXETINE HYDROCHLORIDE (Examplor) · ")


def test_list_labels_of_an_unknown_name(cli: Any, imported: Path) -> None:
    result = cli("list", "--labels", "nothing", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["labels"] == []
    assert result.stderr == "Error: no imported label named 'nothing'\n"


def test_a_name_without_labels_flag_is_a_usage_error(cli: Any) -> None:
    result = cli("list", "examplor")
    assert result.exit_code == 2
    assert "a NAME lists labels: add --labels" in result.stderr


def test_search_covers_labels_by_origin(cli: Any, imported: Path) -> None:
    labels = cli.json("search", "falls", "--origin", "label")
    assert {hit["origin"] for hit in labels["hits"]} == {"label"}
    assert labels["hits"][0]["section"] == "warnings"
    assert labels["hits"][0]["path"] == "warnings_and_cautions"
    curated = cli("search", "falls", "--origin", "curated", "--json")
    assert all(hit["origin"] == "curated" for hit in json.loads(curated.stdout)["hits"])
    both = cli.json("search", "seizure*")
    origins = [hit["origin"] for hit in both["hits"]]
    assert origins == sorted(origins)  # curated first, then labels
    one = cli.json("search", "imaginary", "--origin", "label", "--drug", "Duobrand")
    assert {hit["medication"]["name"] for hit in one["hits"]} == {"XENOFAKE", "YOFAKE"}


def test_a_label_search_without_labels_says_how_to_import(cli: Any) -> None:
    result = cli("search", "falls", "--origin", "label")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no labels are imported: download openFDA's drug label")


@contextmanager
def _an_import_running() -> Iterator[None]:
    """The store's write lock held as an import holds it (rollback-journal mode, as it writes)."""
    importer = sqlite3.connect(_store(), isolation_level=None)
    importer.execute("PRAGMA journal_mode = DELETE")
    importer.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        importer.execute("ROLLBACK")
        importer.close()


def _busy() -> str:
    return f"the label store {_store()} is busy: an import is writing it; try again when it ends"


def test_a_lookup_during_an_import_says_so_soon(cli: Any, imported: Path) -> None:
    """A lookup waits a moment, then says why, instead of hanging for the whole import."""
    with _an_import_running():
        started = time.monotonic()
        result = cli("mechanism", "examplor")
        waited = time.monotonic() - started
    assert result.exit_code == 6
    assert result.stderr == f"Error: {_busy()}\n"
    assert waited < 9  # not the import's 10 s: a lookup waits 1 s
    assert cli.json("mechanism", "examplor")["origin"] == "label"


@pytest.mark.parametrize("fast_path", [False, True], ids=["cli", "fast-path"])
def test_search_and_list_during_an_import_answer_in_part(
    cli: Any, imported: Path, fast_path: bool
) -> None:
    """The curated part is shown; that the labels' part is missing is said, with exit 6."""

    def run(*args: str) -> tuple[int, str, str]:
        if not fast_path:
            result = cli(*args)
            return result.exit_code, result.stdout, result.stderr
        done = subprocess.run(
            [str(Path(sys.executable).parent / "clonafacts"), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr

    with _an_import_running():
        searched = run("search", "overdose", "--json")
        listed = run("list", "--json")
    code, stdout, stderr = searched
    assert code == 6
    assert stderr == f"Error: label text not searched: {_busy()}\n"
    hits = json.loads(stdout)["hits"]
    assert hits
    assert {hit["origin"] for hit in hits} == {"curated"}
    code, stdout, stderr = listed
    assert code == 6
    assert stderr == f"Error: imported labels not counted: {_busy()}\n"
    assert "clonazepam" in [medication["id"] for medication in json.loads(stdout)["medications"]]
    # Once the import is over, both are whole again.
    whole = cli.json("search", "overdose", "--limit", "10000")["hits"]
    assert {hit["origin"] for hit in whole} == {"curated", "label"}
    assert cli.json("list")["labels_imported"] == 4


def test_a_search_reads_one_snapshot(imported: Path) -> None:
    """An import that commits between ranking and the snippets does not take the ranked rows
    away from under the search (it would have raised from a missing row)."""
    from clonafacts.labels.store import LabelStore
    from clonafacts.store.query import fts_query

    store = LabelStore.open()
    assert store is not None
    writer = sqlite3.connect(_store(), isolation_level=None)
    removed: list[int] = []

    def remove_everything_before_the_snippets(statement: str) -> None:
        if "snippet(" in statement and not removed:
            removed.append(writer.execute("DELETE FROM label_text").rowcount)

    store.connection.set_trace_callback(remove_everything_before_the_snippets)
    try:
        rows, total = store.search(fts_query(["imaginary"]), 20)
    finally:
        store.close()
        writer.close()
    assert removed
    assert removed[0] > 0
    assert total == len(rows) > 0
    assert all("imaginary" in marked.lower() for _, _, _, marked, _ in rows)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_a_name_with_a_space_as_one_word(imported: Path) -> None:
    """Label names have spaces ("EXAMPLOXETINE HYDROCHLORIDE"): bash puts a completion on the
    line as it is, so it must come escaped, and read back as one word."""
    scripts = Path(sys.executable).parent
    program = (
        "source <(clonafacts completion bash)\n"
        "COMP_WORDS=(clonafacts withdrawal 'examploxetine\\ h'); COMP_CWORD=2\n"
        "_clonafacts_completion clonafacts\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
        'eval "set -- ${COMPREPLY[0]}"; echo "$#: $1"\n'
    )
    done = subprocess.run(
        ["bash", "-c", program],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ['PATH']}"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "examploxetine\\ hYDROCHLORIDE",
        "1: examploxetine hYDROCHLORIDE",
    ]


def test_a_terminal_shows_a_progress_bar(tmp_path: Path) -> None:
    """On a terminal, records and the time left are shown while importing (on stderr)."""
    import sys

    import pexpect

    labels = []
    for number in range(1_000):
        label = samples.holder_label()
        label["id"], label["set_id"] = f"id-{number}", f"set-{number:04d}"
        labels.append(label)
    part = samples.write_zip(tmp_path / "big.json.zip", labels)
    env = {**os.environ, "CLONAFACTS_STATE_DIR": str(tmp_path / "state"), "COLUMNS": "100"}
    child = pexpect.spawn(
        str(Path(sys.executable).parent / "clonafacts"),
        ["import", "openfda", str(part)],
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    child.expect(pexpect.EOF)
    output = str(child.before)
    child.close()
    assert child.exitstatus == 0
    assert "records" in output
    assert "Labels: 1,000 imported, 0 updated, 0 unchanged;" in output


def test_piped_there_is_no_progress_bar(cli: Any, imported: Path) -> None:
    # The fixture's import ran with stderr captured: its only line is the summary.
    assert len(cli("import", "openfda", str(imported)).stderr.splitlines()) == 1


def _dump(path: Path) -> list[str]:
    """Every row of a store, as SQL (read-only, closed at once: an import needs it alone)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return list(connection.iterdump())


def test_an_interrupted_import_leaves_the_store_as_it_was(cli: Any, tmp_path: Path) -> None:
    import signal
    import sys

    import pexpect

    first = samples.write_json(tmp_path / "first.json", [samples.holder_label()])
    state = tmp_path / "state"
    env = {**os.environ, "CLONAFACTS_STATE_DIR": str(state), "COLUMNS": "100"}
    script = str(Path(sys.executable).parent / "clonafacts")
    child = pexpect.spawn(script, ["import", "openfda", str(first)], env=env, encoding="utf-8")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    labels = []
    for number in range(20_000):
        label = samples.holder_label("20250101", "9")  # newer: it would replace the first
        label["id"], label["set_id"] = f"id-{number}", f"set-{number:05d}"
        labels.append(label)
    labels.append(samples.holder_label("20250101", "9"))
    big = samples.write_zip(tmp_path / "big.json.zip", labels)
    before = _dump(state / "labels.sqlite3")
    child = pexpect.spawn(script, ["import", "openfda", str(big)], env=env, encoding="utf-8")
    # Interrupt it midway: once its transaction has begun writing (the rollback journal of a
    # bulk import exists). Waiting for the progress bar instead raced with the end of the
    # import on a busy machine, where the bar's first frame can come last.
    journal = state / "labels.sqlite3-journal"
    deadline = time.monotonic() + 30
    while not journal.exists():
        assert time.monotonic() < deadline, "the import never began writing"
        child.expect([pexpect.TIMEOUT, pexpect.EOF], timeout=0.01)  # its output, drained
        assert child.isalive()
    child.kill(signal.SIGINT)
    child.expect(pexpect.EOF, timeout=30)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus == signal.SIGINT
    assert "Labels:" not in str(child.before)

    # Rolled back by the import itself (no hot journal left for the next reader to undo), and
    # every row as it was. The file's bytes differ: the header counts the journal-mode switch.
    assert not journal.exists()
    assert _dump(state / "labels.sqlite3") == before
    done = cli("indications", "examplor", "--json", env={"CLONAFACTS_STATE_DIR": str(state)})
    assert done.exit_code == 0
    assert "effective 2023-01-15" in json.loads(done.stdout)["sources"][0]["title"]


def test_hostile_text_is_shown_clean_and_bounded(cli: Any, tmp_path: Path) -> None:
    label = samples.holder_label()
    label["overdosage"] = [
        "10 OVERDOSAGE Bell\u0007 escape\u001b[31m red\u202e flipped " + "x" * 900_000
    ]
    label["description"] = ['<img src=x onerror="alert(1)"> A <b>bold</b> description.']
    part = samples.write_json(tmp_path / "hostile.json", [label])
    assert cli("import", "openfda", str(part)).exit_code == 0
    shown = cli("overdose", "examplor")
    assert shown.exit_code == 0
    assert "\u0007" not in shown.stdout
    assert "\u001b" not in shown.stdout
    assert "\u202e" not in shown.stdout
    document = cli.json("overdose", "examplor")
    (paragraph,) = document["content"]["blocks"][0]["paragraphs"]
    assert paragraph.startswith("Bell escape [31m red flipped xxx")
    assert len(paragraph) < 500_100  # a string is kept up to 500,000 characters
