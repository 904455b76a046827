"""The command line as a user meets it: lookups, search, list, sources, validate, schema, help,
exit codes and error messages, internal errors and shell completion."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ALL_SECTIONS, SECTIONS, SHIPPED
from jsonschema import Draft202012Validator

import clonafacts
from clonafacts.api import Database
from clonafacts.cli.app import _complete_drug

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DATA = REPO / "data" / "clonazepam.yaml"
FIXTURE_DATA = REPO / "tests" / "fixtures" / "valid"

COMMANDS = (
    *ALL_SECTIONS,
    "all",
    "search",
    "compare",
    "list",
    "sources",
    "cards",
    "quiz",
    "validate",
    "completion",
    "help",
    "man",
    "schema",
    "import",  # a group of commands: Typer lists groups last
)

UNKNOWN_KLONOPN = "Error: no medication named 'klonopn'; did you mean 'Klonopin'?"
NO_MECHANISM = "Error: Examplazole has no 'mechanism' section in the loaded data"
INTERNAL_HINT = "This is a bug; run with CLONAFACTS_DEBUG=1 to see the traceback."

# A data file with problems of several kinds: missing keys and a wrong type on line 3.
BROKEN = "id: broken\nname: Broken\nsummary: 12\n"
PROBLEM_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<column>\d+): (?P<message>.+)$")


def no_traceback(result: Any) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


# ---------------------------------------------------------------------------------------------
# Section lookups: any name, any case.


@pytest.mark.parametrize("section", [pytest.param(s, id=s) for s in SECTIONS])
@pytest.mark.parametrize(
    "drug",
    [
        pytest.param(None, id="default"),
        pytest.param("clonazepam", id="id"),
        pytest.param("Clonazepam", id="name"),
        pytest.param("CLONAZEPAM", id="name-upper"),
        pytest.param("Klonopin", id="brand"),
        pytest.param("KLONOPIN", id="brand-upper"),
        pytest.param("kLoNoPiN", id="brand-mixed"),
    ],
)
def test_section_by_any_name(cli: Any, section: str, drug: str | None) -> None:
    args = (section,) if drug is None else (section, drug)
    document = cli.json(*args)
    assert document["medication"]["id"] == "clonazepam"
    assert document["section"] == section
    assert document["content"]["title"]


@pytest.mark.parametrize("section", [pytest.param(s, id=s) for s in SECTIONS])
def test_section_text_is_the_same_for_every_name(cli: Any, section: str) -> None:
    default = cli(section)
    assert default.exit_code == 0, default.stderr
    assert default.stderr == ""
    assert "Clonazepam (Klonopin)" in default.stdout
    assert cli(section, "KLONOPIN").stdout == default.stdout
    assert cli(section, "clonazepam").stdout == default.stdout


def test_section_text_shows_the_content(cli: Any) -> None:
    result = cli("withdrawal")
    document = cli.json("withdrawal")
    flat = " ".join(result.stdout.split())
    assert document["content"]["summary"] in flat
    for symptom in document["content"]["symptoms"]:
        assert symptom["name"] in flat
    assert "Do not stop suddenly" in flat


def test_user_data_by_alias(cli: Any, fixture_data: Path) -> None:
    for name in ("examplazole", "Testorin", "exz-1", "EXZ-1"):
        document = cli.json("overview", name, "--data", str(fixture_data))
        assert document["medication"]["id"] == "examplazole"


def test_unknown_medication_suggests(cli: Any) -> None:
    result = cli("withdrawal", "klonopn")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == UNKNOWN_KLONOPN + "\n"


def test_unknown_medication_without_suggestion(cli: Any) -> None:
    result = cli("overview", "zzzzzz")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no medication named 'zzzzzz'; "
        "the medications are Alprazolam, Clonazepam, Diazepam, Lorazepam\n"
    )


def test_missing_section(cli: Any, fixture_data: Path) -> None:
    result = cli("mechanism", "examplazole", "--data", str(fixture_data))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == NO_MECHANISM + "\n"


# ---------------------------------------------------------------------------------------------
# search


def test_search_every_word_must_match(cli: Any) -> None:
    # Every hit of each search (no limit), so the hits of both words are among those of one.
    one = cli.json("search", "seizures", "--limit", "1000")["hits"]
    both = cli.json("search", "seizures", "life-threatening", "--limit", "1000")["hits"]
    assert 0 < len(both) < len(one)
    for hit in both:
        text = hit["text"].casefold()
        assert "seizures" in text
        assert "life-threatening" in text
    where = {(hit["section"], hit["path"]) for hit in one}
    assert all((hit["section"], hit["path"]) in where for hit in both)


def test_search_is_case_insensitive(cli: Any) -> None:
    lower = cli.json("search", "gaba", "receptor")
    upper = cli.json("search", "GABA", "ReCePtOr")
    assert lower["hits"] == upper["hits"]
    assert lower["hits"]
    assert upper["query"] == ["GABA", "ReCePtOr"]


def test_search_no_hits(cli: Any) -> None:
    result = cli("search", "seizure", "zebra")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: no facts match 'seizure' 'zebra'\n"


def test_search_text_shows_medication_and_section(cli: Any) -> None:
    args = ("search", "seizure", "--drug", "clonazepam", "--limit", "100")
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    hits = cli.json(*args)["hits"]
    assert result.stdout.startswith(f"{len(hits)} matches\n")
    # A hit in the medication's own header (here its summary) has no section; it is shown by
    # what it is.
    for place in {hit["section"] or hit["path"] for hit in hits}:
        assert f"Clonazepam \u00b7 {place}\n" in result.stdout


def test_search_single_match_is_singular(cli: Any) -> None:
    result = cli("search", "porphyria")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("1 match\n")


def test_search_drug_option(cli: Any, fixture_data: Path) -> None:
    data = ("--data", str(fixture_data))
    everywhere = cli.json("search", "stopping", *data)["hits"]
    assert {hit["medication"]["id"] for hit in everywhere} >= {"clonazepam", "examplazole"}
    only = cli.json("search", "stopping", "--drug", "Testorin", *data)["hits"]
    assert only
    assert {hit["medication"]["id"] for hit in only} == {"examplazole"}
    assert only == [hit for hit in everywhere if hit["medication"]["id"] == "examplazole"]
    shipped = cli.json("search", "stopping", "--drug", "KLONOPIN", *data)["hits"]
    assert {hit["medication"]["id"] for hit in shipped} == {"clonazepam"}


def test_search_unknown_drug(cli: Any) -> None:
    result = cli("search", "seizure", "--drug", "klonopn")
    assert result.exit_code == 1
    assert result.stderr == UNKNOWN_KLONOPN + "\n"


# ---------------------------------------------------------------------------------------------
# list and sources


def test_list_shipped(cli: Any) -> None:
    result = cli("list")
    assert result.exit_code == 0, result.stderr
    assert "Clonazepam" in result.stdout
    assert "Klonopin" in result.stdout
    assert "shipped" in result.stdout
    medications = cli.json("list")["medications"]
    assert [medication["id"] for medication in medications] == list(SHIPPED)
    assert {medication["origin"] for medication in medications} == {"shipped"}
    (clonazepam,) = [m for m in medications if m["id"] == "clonazepam"]
    assert clonazepam["sections"] == list(SECTIONS)


def test_list_with_data_option(cli: Any, fixture_data: Path) -> None:
    document = cli.json("list", "--data", str(fixture_data))
    origins = {m["id"]: m["origin"] for m in document["medications"]}
    assert origins == {
        **dict.fromkeys(SHIPPED, "shipped"),
        "examplazole": str(fixture_data / "examplazole.yaml"),
    }
    examplazole = document["medications"][-1]
    assert examplazole["sections"] == ["overview", "withdrawal"]
    assert examplazole["brands"] == ["Testorin"]


def test_list_with_data_env(cli: Any, fixture_data: Path) -> None:
    document = cli.json("list", env={"CLONAFACTS_DATA": str(fixture_data)})
    origins = {m["id"]: m["origin"] for m in document["medications"]}
    assert origins["examplazole"] == str(fixture_data / "examplazole.yaml")


def test_list_text_shows_short_path(
    cli: Any, fixture_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ex.yaml").write_bytes((fixture_data / "examplazole.yaml").read_bytes())
    monkeypatch.chdir(tmp_path)
    result = cli("list", "--data", "ex.yaml")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("Examplazole (examplazole)")
    assert lines[start + 1].split() == ["Brands", "Testorin"]
    assert lines[start + 4].split() == ["From", "ex.yaml"]


def test_list_text_shows_full_path_unbroken(cli: Any, fixture_data: Path) -> None:
    """The "From" column names the file so that it can be found (and copied) whole."""
    result = cli("list", "--data", str(fixture_data))
    assert result.exit_code == 0, result.stderr
    assert str(fixture_data / "examplazole.yaml") in result.stdout


def test_sources_lists_every_source_with_cited_by(cli: Any) -> None:
    data = yaml.safe_load(SHIPPED_DATA.read_text(encoding="utf-8"))
    result = cli("sources")
    assert result.exit_code == 0, result.stderr
    document = cli.json("sources")
    assert [s["id"] for s in document["sources"]] == [s["id"] for s in data["sources"]]
    for source in document["sources"]:
        assert source["cited_by"], f"{source['id']} is cited by nothing"
        assert set(source["cited_by"]) <= {"schedules", *SECTIONS}
        assert f"\n{source['id']}  ({source['kind']})\n" in result.stdout
    cited_lines = [line.strip() for line in result.stdout.splitlines() if "Cited by:" in line]
    assert cited_lines == [f"Cited by: {', '.join(s['cited_by'])}" for s in document["sources"]]


def test_sources_of_user_data(cli: Any, fixture_data: Path) -> None:
    document = cli.json("sources", "Testorin", "--data", str(fixture_data))
    (source,) = document["sources"]
    assert source["id"] == "test-handbook"
    assert source["cited_by"] == ["overview", "withdrawal"]


# ---------------------------------------------------------------------------------------------
# validate


def test_validate_shipped_data(cli: Any) -> None:
    result = cli("validate")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"checked {len(SHIPPED)} data files: all valid\n"
    assert result.stderr == ""


def test_validate_good_user_file(cli: Any, fixture_data: Path) -> None:
    result = cli("validate", str(fixture_data / "examplazole.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "checked 1 data file: all valid\n"


def test_validate_broken_file(cli: Any, write_data: Any) -> None:
    path = write_data(BROKEN, "broken.yaml")
    result = cli("validate", str(path))
    assert result.exit_code == 1
    no_traceback(result)
    problems = result.stderr.splitlines()
    assert problems
    for problem in problems:
        match = PROBLEM_LINE.match(problem)
        assert match, problem
        assert match["path"] == str(path)
    assert any(line.startswith(f"{path}:3:") and "summary" in line for line in problems), (
        "the wrong type is located on its line"
    )
    for key in ("drug_class", "sources", "sections"):
        assert any(key in line for line in problems), key
    count = len(problems)
    assert result.stdout == f"checked 1 data file: {count} problems in 1 file\n"


def test_validate_with_data_checks_shipped_and_user_files(cli: Any, write_data: Any) -> None:
    path = write_data(BROKEN, "broken.yaml")
    result = cli("validate", "--data", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"checked {len(SHIPPED) + 1} data files: ")
    assert result.stdout.endswith(" in 1 file\n")
    assert all(line.startswith(f"{path}:") for line in result.stderr.splitlines())


def test_validate_missing_path(cli: Any, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = cli("validate", str(missing))
    assert result.exit_code == 2  # a usage error, like a path Click itself checks
    assert result.stderr.startswith(
        f"Error: Invalid value for 'PATH': no such file or folder: '{missing}'"
    )
    no_traceback(result)


# ---------------------------------------------------------------------------------------------
# schema


def test_schema_data_is_a_json_schema_the_data_satisfies(cli: Any) -> None:
    result = cli("schema", "data")
    assert result.exit_code == 0, result.stderr
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    shipped = yaml.safe_load(SHIPPED_DATA.read_text(encoding="utf-8"))
    assert list(validator.iter_errors(shipped)) == []
    fixture = yaml.safe_load((FIXTURE_DATA / "examplazole.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(fixture)) == []
    # ...and it is strict: an unknown key or a missing one is an error.
    assert not validator.is_valid({**shipped, "dose": "2 mg"})
    assert not validator.is_valid({k: v for k, v in shipped.items() if k != "sections"})


def test_schema_unknown_kind(cli: Any) -> None:
    result = cli("schema", "nonsense")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Invalid value for ")
    no_traceback(result)


# ---------------------------------------------------------------------------------------------
# Exit codes, row by row.


def _broken_file(tmp_path: Path) -> str:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return str(path)


EXIT_CODES = [
    # (args, env, exit code, first line of stderr: exact str, or a callable check, or None)
    pytest.param(("overview",), {}, 0, "", id="0-success"),
    pytest.param(("search", "seizure"), {}, 0, "", id="0-search"),
    pytest.param(("overview", "klonopn"), {}, 1, UNKNOWN_KLONOPN, id="1-unknown-medication"),
    pytest.param(("search", "zebra"), {}, 1, "Error: no facts match 'zebra'", id="1-no-hits"),
    pytest.param(
        ("mechanism", "examplazole", "--data", str(FIXTURE_DATA)),
        {},
        1,
        NO_MECHANISM,
        id="1-missing-section",
    ),
    pytest.param(("bogus",), {}, 2, "Error: no command 'bogus'", id="2-unknown-command"),
    pytest.param(
        ("overview", "--bogus"), {}, 2, "Error: No such option: --bogus", id="2-unknown-option"
    ),
    pytest.param(
        ("overview", "--format", "xml"),
        {},
        2,
        lambda line: line.startswith("Error: Invalid value for '--format'") and "'xml'" in line,
        id="2-bad-format",
    ),
    pytest.param(
        ("overview", "--color", "sometimes"),
        {},
        2,
        lambda line: line.startswith("Error: Invalid value for '--color'"),
        id="2-bad-color",
    ),
    pytest.param(
        ("overview", "--data"),
        {},
        2,
        "Error: Option '--data' requires an argument.",
        id="2-missing-option-value",
    ),
    pytest.param(
        ("overview", ""),
        {},
        2,
        "Error: Invalid value for 'DRUG': must not be empty",
        id="2-empty-drug",
    ),
    pytest.param(
        ("overview", "   "),
        {},
        2,
        "Error: Invalid value for 'DRUG': must not be empty",
        id="2-blank-drug",
    ),
    pytest.param(
        ("overview", "klono\x01pin"),
        {},
        2,
        "Error: Invalid value for 'DRUG': contains a control character: 'klono\\x01pin'",
        id="2-control-char",
    ),
    pytest.param(
        ("overview", "k" * 1000),
        {},
        2,
        "Error: Invalid value for 'DRUG': is too long (1,000 characters; at most 200)",
        id="2-long-drug",
    ),
    pytest.param(
        ("search", "seizure", "--drug", ""),
        {},
        2,
        "Error: Invalid value for '--drug': must not be empty",
        id="2-empty-search-drug",
    ),
    pytest.param(("search",), {}, 2, "Error: Missing argument 'WORD'.", id="2-no-words"),
    pytest.param(
        ("overview", "--data", "<broken>"),
        {},
        3,
        lambda line: line.startswith("Error: ") and "broken.yaml:" in line,
        id="3-broken-data-option",
    ),
    pytest.param(
        ("overview",),
        {"CLONAFACTS_DATA": "<missing>"},
        3,
        "Error: <missing>: no such data file or folder (from CLONAFACTS_DATA)",
        id="3-missing-data-env",
    ),
    pytest.param(
        ("overview", "--data", "<missing>"),
        {},
        2,
        "Error: Invalid value for '--data': no such file or folder: '<missing>'",
        id="2-missing-data-option",
    ),
]


@pytest.mark.parametrize(("args", "env", "code", "first_line"), EXIT_CODES)
def test_exit_codes(
    cli: Any,
    tmp_path: Path,
    args: tuple[str, ...],
    env: dict[str, str],
    code: int,
    first_line: Any,
) -> None:
    places = {"<broken>": _broken_file(tmp_path), "<missing>": str(tmp_path / "missing.yaml")}

    def place(text: str) -> str:
        for marker, value in places.items():
            text = text.replace(marker, value)
        return text

    result = cli(*(place(a) for a in args), env={k: place(v) for k, v in env.items()})
    assert result.exit_code == code, result.stderr
    no_traceback(result)
    lines = result.stderr.splitlines()
    if code == 0:
        assert result.stderr == ""
        return
    assert result.stdout == ""
    assert lines, "an error is explained on stderr"
    if callable(first_line):
        assert first_line(lines[0]), lines[0]
    else:
        assert lines[0] == place(first_line)
    assert len(lines) <= 2 or code == 3, "errors take one or two lines"
    assert "\x01" not in result.stderr


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        pytest.param(("bogus",), "Try 'clonafacts --help' for help.", id="command"),
        pytest.param(
            ("overview", "--bogus"), "Try 'clonafacts overview --help' for help.", id="option"
        ),
        pytest.param(
            ("withdrawal", "--format", "xml"),
            "Try 'clonafacts withdrawal --help' for help.",
            id="value",
        ),
        pytest.param(("search", ""), "Try 'clonafacts search --help' for help.", id="argument"),
        pytest.param(
            ("overview", "--data"),
            "Try 'clonafacts overview --help' for help.",
            id="missing-value",
        ),
    ],
)
def test_usage_errors_hint_at_help(cli: Any, args: tuple[str, ...], hint: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1:] == [hint]


def test_data_error_shows_every_problem(cli: Any, write_data: Any) -> None:
    path = write_data(BROKEN, "broken.yaml")
    result = cli("overview", "--data", str(path))
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) >= 3
    for line in lines:
        assert line.startswith(f"Error: {path}:")
        assert PROBLEM_LINE.match(line.removeprefix("Error: ")), line


# ---------------------------------------------------------------------------------------------
# Help and version.


def _command_rows(help_text: str) -> dict[str, str]:
    _, _, commands = help_text.partition("\nCommands:\n")
    rows: dict[str, str] = {}
    for line in commands.splitlines():
        match = re.match(r"^  (\S+)\s+(\S.*)$", line)
        if match:
            rows[match[1]] = match[2]
        elif not line.strip():
            break
    return rows


def test_help_lists_every_command_with_a_description(cli: Any) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    rows = _command_rows(result.stdout)
    assert list(rows) == list(COMMANDS)
    for command, description in rows.items():
        own = cli(command, "--help").stdout
        _, _, body = own.partition("\n\n")
        first = " ".join(body.split("\n\n")[0].split())
        assert first.startswith(description.removesuffix("...")), command


@pytest.mark.parametrize("command", [pytest.param(c, id=c) for c in COMMANDS])
def test_command_help_shows_an_example(cli: Any, command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: clonafacts {command} ")
    example = [line for line in result.stdout.splitlines() if "Example" in line]
    assert example, "no Example: line"
    assert f"clonafacts {command}" in example[0]


def test_section_usage_line(cli: Any) -> None:
    """The optional DRUG argument is shown once bracketed, as in the README."""
    usages = {s: cli(s, "--help").stdout.splitlines()[0] for s in ALL_SECTIONS}
    assert usages == {s: f"Usage: clonafacts {s} [OPTIONS] [DRUG]" for s in ALL_SECTIONS}


def test_short_help_option(cli: Any) -> None:
    assert cli("-h").stdout == cli("--help").stdout


def test_no_arguments_shows_help(cli: Any) -> None:
    result = cli()
    assert result.exit_code == 0
    assert result.stdout == cli("--help").stdout
    assert result.stdout.startswith("Usage: clonafacts [OPTIONS] COMMAND [ARGS]...")


def test_version(cli: Any) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"clonafacts {clonafacts.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", clonafacts.__version__)


# ---------------------------------------------------------------------------------------------
# Internal errors.


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom")


def test_internal_error_is_one_line_and_a_hint(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Database, "lookup", _boom)
    result = cli("withdrawal")
    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr == f"Error: internal error: RuntimeError: boom\n{INTERNAL_HINT}\n"


def test_internal_error_in_search(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Database, "search", _boom)
    result = cli("search", "seizure")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == "Error: internal error: RuntimeError: boom"


def test_debug_env_shows_the_exception(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Database, "lookup", _boom)
    with pytest.raises(RuntimeError, match="boom"):
        cli("withdrawal", env={"CLONAFACTS_DEBUG": "1"})


def test_debug_option_shows_the_exception(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """--debug is read from the arguments the app was given, not only from sys.argv."""
    monkeypatch.setattr(Database, "lookup", _boom)
    with pytest.raises(RuntimeError, match="boom"):
        cli("--debug", "withdrawal")


def test_keyboard_interrupt_in_process(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Database, "lookup", interrupted)
    result = cli("withdrawal")
    assert result.exit_code == 130
    assert result.stderr == ""
    assert result.stdout == ""


# ---------------------------------------------------------------------------------------------
# Shell completion.


@pytest.mark.parametrize(
    ("incomplete", "expected"),
    [
        # Offered with the user's own prefix, so the shell (which matches case) keeps them.
        pytest.param("klo", ["klonopin"], id="brand-lower"),
        pytest.param("KLO", ["KLOnopin"], id="brand-upper"),
        pytest.param("Klo", ["Klonopin"], id="brand"),
        pytest.param("clo", ["clonazepam"], id="id"),
        pytest.param("zzz", [], id="none"),
    ],
)
def test_complete_drug(incomplete: str, expected: list[str]) -> None:
    assert _complete_drug(incomplete) == expected


def test_complete_drug_everything() -> None:
    names = _complete_drug("")
    assert "Klonopin" in names
    assert "clonazepam" in names
    assert names == sorted(names)


def test_complete_drug_includes_user_data(
    fixture_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLONAFACTS_DATA", str(fixture_data))
    assert _complete_drug("Test") == ["Testorin"]
    assert _complete_drug("exz") == ["exz-1"]


def test_complete_drug_with_broken_data_is_quiet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLONAFACTS_DATA", str(tmp_path / "missing.yaml"))
    assert _complete_drug("klo") == []


def _complete(cli: Any, words: str) -> list[str]:
    """What bash completion offers for the last of `words` (as the shell function asks)."""
    parts = words.split(" ")
    result = cli(
        env={
            "_CLONAFACTS_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
        }
    )
    assert result.exit_code == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        pytest.param("clonafacts withdrawal Klo", ["Klonopin"], id="drug"),
        pytest.param("clonafacts search seizure --drug Klo", ["Klonopin"], id="search-drug"),
        pytest.param("clonafacts with", ["withdrawal"], id="command"),
        pytest.param("clonafacts overview --format ma", ["markdown"], id="format"),
    ],
)
def test_shell_completion(cli: Any, words: str, expected: list[str]) -> None:
    assert _complete(cli, words) == expected


def test_shell_completion_of_a_name_ignores_case(cli: Any) -> None:
    """DRUG is case-insensitive, so completing "klo" must offer Klonopin (in whatever case)."""
    offered = _complete(cli, "clonafacts withdrawal klo")
    assert [name.casefold() for name in offered] == ["klonopin"]


@pytest.mark.parametrize(
    ("shell", "needle"),
    [
        pytest.param("bash", "complete -o default -F _clonafacts_completion clonafacts", id="bash"),
        pytest.param("zsh", "compdef _clonafacts_completion clonafacts", id="zsh"),
    ],
)
def test_show_completion(
    cli: Any, monkeypatch: pytest.MonkeyPatch, shell: str, needle: str
) -> None:
    # Typer detects the shell from the process tree (shellingham); pin it for the test.
    import typer.completion

    monkeypatch.setattr(typer.completion, "_get_shell_name", lambda: shell)
    result = cli("--show-completion", shell, env={"SHELL": f"/bin/{shell}"})
    assert result.exit_code == 0, result.stderr
    assert "_CLONAFACTS_COMPLETE" in result.stdout
    assert needle in result.stdout
