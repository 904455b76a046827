"""Shared test set-up: an isolated environment, a CLI runner, golden files."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from clonafacts.cli.app import app

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"
# The shipped medications in the order they load (file name order), written out so that a lost
# or renamed data file fails the tests.
SHIPPED = ("alprazolam", "clonazepam", "diazepam", "lorazepam")
SHIPPED_ORIGINS = [(med_id, "shipped") for med_id in SHIPPED]


def clonazepam_replaced_by(origin: str) -> list[tuple[str, str]]:
    """The listing's (id, origin) pairs once a user file replaces clonazepam: in its place."""
    return [
        (med_id, origin if med_id == "clonazepam" else shipped)
        for med_id, shipped in SHIPPED_ORIGINS
    ]


#: A valid fictional medication; tests copy it into their own data folders.
FIXTURE = FIXTURES / "valid" / "examplazole.yaml"

# The sections as users know them, written out here rather than taken from the code under test:
# those the shipped clonazepam data has, and every one there is, in the order they are shown.
#: Every section there is, in order; clonazepam has them all.
ALL_SECTIONS = (
    "overview",
    "indications",
    "mechanism",
    "adjunctive",
    "withdrawal",
    "warnings",
    "contraindications",
    "interactions",
    "adverse-effects",
    "overdose",
    "pharmacokinetics",
)
#: Clonazepam's sections.
SECTIONS = ALL_SECTIONS


def one_fact_medication(med_id: str, name: str, summary: str, fact: str) -> str:
    """A fictional medication file with one overview fact, for tests of how text is shown."""
    return f"""\
id: {med_id}
name: {name}
drug_class: fictional test compound
summary: {summary}
sources:
  - id: handbook
    title: The Test Fixture Handbook
    kind: textbook
sections:
  overview:
    title: Overview
    summary: Nothing here is real.
    facts:
      - text: "{fact}"
        sources: [handbook]
"""


# Variables that change output; every test starts without them.
_ISOLATED = (
    "CLONAFACTS_DATA",
    "CLONAFACTS_CACHE_DIR",
    "CLONAFACTS_NO_CACHE",
    "CLONAFACTS_DEBUG",
    "NO_COLOR",
    "FORCE_COLOR",
    "COLUMNS",
    "TERM",
)


# Data folders and cache folders of the cache tests --------------------------------------------


def leftovers() -> list[Path]:
    """Temporary files a store build left in the test's cache folder (there must be none)."""
    return sorted(Path(os.environ["CLONAFACTS_CACHE_DIR"]).glob(".tmp-*"))


def user_folder(tmp_path: Path) -> Path:
    """A user data folder holding one copy of the examplazole fixture."""
    folder = tmp_path / "user-data"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "examplazole.yaml")
    return folder


def write_variant(folder: Path, number: int) -> Path:
    """Another fictional medication, a renamed copy of examplazole."""
    plain = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    plain["id"] = f"examplazole-{number}"
    plain["name"] = f"Examplazole {number}"
    plain["brands"] = [f"Testorin {number}"]
    plain["aliases"] = [f"EXZ-{number}00"]
    path = folder / f"examplazole-{number}.yaml"
    path.write_text(yaml.safe_dump(plain, sort_keys=False), encoding="utf-8")
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite the golden files from the current output.",
    )


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for name in _ISOLATED:
        monkeypatch.delenv(name, raising=False)
    # One cache folder per test: no test sees another's cache. And one state folder: no test
    # reads or writes the user's review state or imported labels.
    monkeypatch.setenv("CLONAFACTS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("CLONAFACTS_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("COLUMNS", "100")


class Cli:
    """Runs the app in-process; output is deterministic (width 100, no colour)."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.runner.invoke(app, list(args), env=env, catch_exceptions=False)

    def json(self, *args: str, env: dict[str, str] | None = None) -> Any:
        result = self(*args, "--json", env=env)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def fixture_data() -> Path:
    """A folder with one valid, fictional medication (examplazole)."""
    return FIXTURES / "valid"


class Golden:
    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, name: str, actual: str) -> None:
        path = GOLDEN / name
        if self.update or not path.exists():
            if not self.update:
                pytest.fail(f"missing golden file {path}; run pytest --update-goldens")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"output differs from {path} (pytest --update-goldens)"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-goldens")))


@pytest.fixture
def write_data(tmp_path: Path) -> Iterator[Any]:
    """Write a data file into a fresh folder; returns its path."""

    def write(text: str | bytes, name: str = "med.yaml") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    yield write
    for child in tmp_path.iterdir():
        if child.is_file() and not os.access(child, os.R_OK):
            child.chmod(0o600)
