"""The Python API as a script meets it: a cheap import, the documents the JSON output prints,
the domain errors, data paths, the cache, and types that mypy --strict can check."""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURE, SHIPPED, Cli, one_fact_medication

import clonafacts
from clonafacts import api, errors
from clonafacts.api import Database

# A data file with problems of several kinds: missing keys and a wrong type on line 3.
BROKEN = "id: broken\nname: Broken\nsummary: 12\n"


@pytest.fixture
def db() -> Iterator[Database]:
    with clonafacts.open_database() as database:
        yield database


# ---------------------------------------------------------------------------------------------
# import clonafacts: cheap, the API on first use.

IMPORT_PROBE = """
import json, sys
import clonafacts
heavy = ("clonafacts.api", "sqlite3", "pydantic", "yaml", "typer", "rich")
before = [name for name in heavy if name in sys.modules]
with clonafacts.open_database() as db:
    medication = db.resolve("Klonopin")
print(json.dumps({"before": before, "medication": medication,
                  "api": "clonafacts.api" in sys.modules}))
"""


def test_import_is_cheap_and_the_api_loads_on_first_use() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"before": [], "medication": "clonazepam", "api": True}


def test_lazy_names_are_the_api_objects() -> None:
    assert clonafacts.open_database is api.open_database
    assert clonafacts.validate is api.validate
    assert clonafacts.Database is api.Database
    assert clonafacts.QueryError is errors.QueryError
    from clonafacts import UnknownMedicationError

    assert UnknownMedicationError is errors.UnknownMedicationError


def test_dir_lists_everything_exported() -> None:
    listed = dir(clonafacts)
    assert "open_database" in listed
    assert set(clonafacts.__all__) <= set(listed)
    for name in clonafacts.__all__:  # every exported name resolves
        assert getattr(clonafacts, name) is not None


def test_unknown_attribute() -> None:
    with pytest.raises(
        AttributeError, match=r"^module 'clonafacts' has no attribute 'no_such_thing'$"
    ):
        clonafacts.no_such_thing  # noqa: B018
    with pytest.raises(ImportError):
        from clonafacts import no_such_thing  # noqa: F401


# ---------------------------------------------------------------------------------------------
# The documents are the JSON output.

Ask = Callable[[Database], Any]
DOCUMENT_CASES = [
    pytest.param(("withdrawal",), (), lambda db: db.section("withdrawal"), id="section"),
    pytest.param(
        ("mechanism", "KLONOPIN"),
        (),
        lambda db: db.section("mechanism", "KLONOPIN"),
        id="section-by-brand",
    ),
    pytest.param(("warnings",), (), lambda db: db.lookup("warnings"), id="lookup"),
    pytest.param(("all",), (), lambda db: db.medication("clonazepam"), id="all"),
    pytest.param(("all",), (), lambda db: db.lookup("all"), id="lookup-all"),
    pytest.param(("sources",), (), lambda db: db.sources("clonazepam"), id="sources"),
    pytest.param(("list",), (), lambda db: db.listing(), id="list"),
    pytest.param(("list",), (str(FIXTURE),), lambda db: db.listing(), id="list-with-data"),
    pytest.param(
        ("overview", "Testorin"),
        (str(FIXTURE),),
        lambda db: db.section("overview", "Testorin"),
        id="section-from-data",
    ),
    pytest.param(("search", "seizure"), (), lambda db: db.search(["seizure"]), id="search"),
    pytest.param(
        ("search", "panic disorder", "-n", "2"),
        (),
        lambda db: db.search(["panic disorder"], limit=2),
        id="search-phrase-limit",
    ),
    pytest.param(
        ("search", "withdrawal", "--drug", "Testorin"),
        (str(FIXTURE),),
        lambda db: db.search(["withdrawal"], drug="Testorin"),
        id="search-drug",
    ),
]


@pytest.mark.parametrize(("args", "data", "ask"), DOCUMENT_CASES)
def test_documents_equal_the_json_output(
    cli: Cli, args: tuple[str, ...], data: tuple[str, ...], ask: Ask
) -> None:
    options = [option for path in data for option in ("--data", path)]
    printed = cli.json(*args, *options)
    with clonafacts.open_database(data) as database:
        document = ask(database)
    # Equal as Python values: lists, not tuples; nothing the JSON output would change.
    assert document == printed
    assert json.loads(json.dumps(document)) == document


# ---------------------------------------------------------------------------------------------
# Errors.


def test_unknown_medication(db: Database) -> None:
    with pytest.raises(clonafacts.UnknownMedicationError) as raised:
        db.section("withdrawal", "klonopn")
    assert raised.value.name == "klonopn"
    assert raised.value.suggestions == ["Klonopin"]
    assert str(raised.value) == "no medication named 'klonopn'; did you mean 'Klonopin'?"


@pytest.mark.parametrize(
    "ask",
    [
        pytest.param(lambda db: db.medication("zzzqqq"), id="medication"),
        pytest.param(lambda db: db.sources("zzzqqq"), id="sources"),
        pytest.param(lambda db: db.resolve("zzzqqq"), id="resolve"),
        pytest.param(lambda db: db.lookup("all", "zzzqqq"), id="lookup"),
    ],
)
def test_unknown_medication_without_suggestions(db: Database, ask: Ask) -> None:
    with pytest.raises(clonafacts.UnknownMedicationError) as raised:
        ask(db)
    assert raised.value.suggestions == []
    assert str(raised.value) == (
        "no medication named 'zzzqqq'; "
        "the medications are Alprazolam, Clonazepam, Diazepam, Lorazepam"
    )


def test_missing_section(write_data: Any) -> None:
    path = write_data(one_fact_medication("onlyview", "Onlyview", "Made up.", "Only a fact."))
    with clonafacts.open_database([str(path)]) as database:
        assert database.section("overview", "onlyview")["section"] == "overview"
        with pytest.raises(clonafacts.MissingSectionError) as raised:
            database.section("mechanism", "onlyview")
    assert str(raised.value) == "Onlyview has no 'mechanism' section in the loaded data"


def test_unknown_section_name_is_a_value_error(db: Database) -> None:
    with pytest.raises(ValueError, match=r"^no section 'dosing'; the sections are "):
        db.section("dosing")


def test_invalid_data_is_a_data_error_with_locations(write_data: Any) -> None:
    path = write_data(BROKEN, "broken.yaml")
    database = clonafacts.open_database([str(path)])  # opening reads nothing yet
    with database, pytest.raises(clonafacts.DataError) as raised:
        database.listing()
    problems = raised.value.problems
    assert [str(problem) for problem in problems] == [
        f"{path}:1:1: missing required key 'drug_class'",
        f"{path}:1:1: missing required key 'sources'",
        f"{path}:1:1: missing required key 'sections'",
        f"{path}:3:1: summary: expected text, got the number 12",
    ]
    assert str(raised.value) == "\n".join(str(problem) for problem in problems)


def test_validate_reports_the_same_problems(write_data: Any) -> None:
    path = write_data(BROKEN, "broken.yaml")
    report = clonafacts.validate([str(path)])
    assert not report.ok
    assert [(p.line, p.column) for p in report.problems] == [(1, 1), (1, 1), (1, 1), (3, 1)]
    assert report.summary() == "checked 1 data file: 4 problems in 1 file"
    assert clonafacts.validate().summary() == f"checked {len(SHIPPED)} data files: all valid"


def test_bad_query(db: Database) -> None:
    with pytest.raises(clonafacts.QueryError) as raised:
        db.search(['"seizure'])
    assert str(raised.value) == "unbalanced quote in '\"seizure': close the phrase with '\"'"


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(clonafacts.UnknownMedicationError, id="unknown-medication"),
        pytest.param(clonafacts.MissingSectionError, id="missing-section"),
        pytest.param(clonafacts.DataError, id="data"),
        pytest.param(clonafacts.QueryError, id="query"),
        pytest.param(clonafacts.NotFoundError, id="not-found"),
    ],
)
def test_every_error_is_a_clonafacts_error(error: type[Exception]) -> None:
    assert issubclass(error, clonafacts.ClonafactsError)


def test_not_found_errors() -> None:
    # Scripts catch "nothing there" in one clause, apart from bad data and bad queries.
    assert issubclass(clonafacts.UnknownMedicationError, clonafacts.NotFoundError)
    assert issubclass(clonafacts.MissingSectionError, clonafacts.NotFoundError)
    assert not issubclass(clonafacts.QueryError, clonafacts.NotFoundError)
    assert not issubclass(clonafacts.DataError, clonafacts.NotFoundError)


# ---------------------------------------------------------------------------------------------
# Data paths, names, the cache.


def test_data_paths_add_medications(db: Database) -> None:
    with clonafacts.open_database([str(FIXTURE)]) as more:
        ids = [medication["id"] for medication in more.listing()["medications"]]
        assert ids == [*SHIPPED, "examplazole"]
        assert more.resolve("Testorin") == "examplazole"
        assert more.resolve("exz-1") == "examplazole"
    assert [medication["id"] for medication in db.listing()["medications"]] == list(SHIPPED)
    with pytest.raises(clonafacts.UnknownMedicationError):
        db.resolve("Testorin")


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("clonazepam", id="id"),
        pytest.param("Clonazepam", id="name"),
        pytest.param("KLONOPIN", id="brand-upper"),
        pytest.param("kLoNoPiN", id="brand-mixed"),
        pytest.param(" Klonopin ", id="spaces"),
        pytest.param("\uff2b\uff2c\uff2f\uff2e\uff2f\uff30\uff29\uff2e", id="full-width"),
    ],
)
def test_resolve(db: Database, name: str) -> None:
    assert db.resolve(name) == "clonazepam"


def test_names(db: Database) -> None:
    names = db.names()
    assert "Klonopin" in names
    assert "clonazepam" in names
    assert {db.resolve(name) for name in names} == set(SHIPPED)
    assert db.resolve("Ativan") == "lorazepam"
    assert db.resolve("Valium") == "diazepam"


def test_names_keep_the_name_as_written(db: Database) -> None:
    assert "Clonazepam" in db.names()


def _store_files(folder: Path) -> list[str]:
    return sorted(child.name for child in folder.iterdir()) if folder.exists() else []


def test_cache_false_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"  # not there yet: it must not be created either
    monkeypatch.setenv("CLONAFACTS_CACHE_DIR", str(cache))
    with clonafacts.open_database(cache=False) as database:
        assert database.resolve("Klonopin") == "clonazepam"
        assert database.search("seizure")["total"] > 0
    assert not cache.exists()
    # The control: with the cache, the same calls write a store.
    with clonafacts.open_database() as database:
        database.resolve("Klonopin")
    stores = _store_files(cache)
    assert len(stores) == 1
    assert stores[0].startswith("store-")
    assert stores[0].endswith(".sqlite3")


def test_cache_false_answers_the_same(db: Database) -> None:
    with clonafacts.open_database(cache=False) as fresh:
        assert fresh.medication() == db.medication()
        assert fresh.listing() == db.listing()


def _open_in(folder: Path) -> list[str]:
    """Files under `folder` this process holds open."""
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = fd.readlink()
        except OSError:
            continue  # closed while we looked
        if target.is_relative_to(folder):
            found.append(str(target))
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_context_manager_closes_and_reopens() -> None:
    cache = Path(os.environ["CLONAFACTS_CACHE_DIR"])
    database = clonafacts.open_database()
    assert _open_in(cache) == []  # opened on first use, not before
    with database:
        first = database.section("overview")
        assert len(_open_in(cache)) == 1
    assert _open_in(cache) == []
    with database:  # a second `with` opens it again
        assert database.section("overview") == first
    assert _open_in(cache) == []
    database.close()  # closing twice is harmless


def test_warnings_start_empty(db: Database) -> None:
    db.resolve("Klonopin")
    assert db.warnings == []


# ---------------------------------------------------------------------------------------------
# Types.


def test_py_typed_is_shipped() -> None:
    assert importlib.resources.files("clonafacts").joinpath("py.typed").is_file()


TYPED_SCRIPT = """
import clonafacts
from clonafacts.documents import SearchDocument, SearchHit, SectionDocument

with clonafacts.open_database() as db:
    section: SectionDocument = db.section("withdrawal", "Klonopin")
    summary: str = section["content"]["summary"]
    found: SearchDocument = db.search(["seizure"], limit=3)
    total: int = found["total"]
    hits: list[SearchHit] = found["hits"]
    for hit in hits:
        start, end = hit["highlights"][0]
        where: str | None = hit["section"]
        score: float = hit["score"]
        print(hit["medication"]["name"], where, hit["text"][start:end], score, total, summary)
    medication_id: str = db.resolve("KLONOPIN")
    names: list[str] = db.names()
"""

# The same calls, wrong: proves mypy sees the API's types rather than Any.
MISTYPED_SCRIPT = """
import clonafacts

with clonafacts.open_database() as db:
    total: str = db.search("seizure")["total"]
    db.section("withdrawal")["contents"]
"""


def _mypy(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")  # no project settings
    (tmp_path / "script.py").write_text(script, encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            os.devnull,
            "--no-error-summary",
            "script.py",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_api_use_passes_mypy_strict(tmp_path: Path) -> None:
    done = _mypy(tmp_path, TYPED_SCRIPT)
    assert (done.returncode, done.stdout) == (0, ""), done.stdout + done.stderr


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_api_misuse_fails_mypy_strict(tmp_path: Path) -> None:
    done = _mypy(tmp_path, MISTYPED_SCRIPT)
    assert done.returncode == 1, done.stdout + done.stderr
    codes = [line.rsplit(" ", 1)[-1] for line in done.stdout.splitlines() if ": error: " in line]
    assert codes == ["[assignment]", "[typeddict-item]"], done.stdout
