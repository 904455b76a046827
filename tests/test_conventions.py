"""The conventions of a well-kept command-line tool: -V, `help`, commands in any case with
suggestions, disagreeing options refused, paths checked, completion scripts for each shell."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clonafacts import __version__

SCRIPTS = Path(sys.executable).parent  # the console script `clonafacts` is installed here


def clonafacts(*args: str) -> subprocess.CompletedProcess[str]:
    """Through the console script's entry point, so the fast path takes what it can."""
    return subprocess.run(
        [sys.executable, "-m", "clonafacts", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(cli: Any, flag: str) -> None:
    result = cli(flag)
    assert (result.exit_code, result.stdout) == (0, f"clonafacts {__version__}\n")


def test_help_command_is_the_help_option(cli: Any) -> None:
    assert cli("help").stdout == cli("--help").stdout
    for command in ("search", "withdrawal", "validate"):
        assert cli("help", command).stdout == cli(command, "--help").stdout


def test_help_of_an_unknown_command(cli: Any) -> None:
    result = cli("help", "withdrawl")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "Error: Invalid value: no command 'withdrawl'; did you mean 'withdrawal'?"
    )


@pytest.mark.parametrize("spelled", ["WITHDRAWAL", "Withdrawal", "wIthdrawal"])
def test_commands_in_any_case(cli: Any, spelled: str) -> None:
    assert cli.json(spelled) == cli.json("withdrawal")


@pytest.mark.parametrize(
    ("word", "message"),
    [
        pytest.param(
            "klonopin",
            "no command 'klonopin'; to look up that medication, try 'clonafacts all klonopin'",
            id="a-medication",
        ),
        pytest.param("withdrawl", "no command 'withdrawl'; did you mean 'withdrawal'?", id="typo"),
        pytest.param("zzz", "no command 'zzz'", id="nothing-close"),
    ],
)
def test_an_unknown_command_gets_a_suggestion(cli: Any, word: str, message: str) -> None:
    result = cli(word)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\nTry 'clonafacts --help' for help.\n"


@pytest.mark.parametrize("args", [("withdrawal",), ("search", "seizure"), ("list",)])
@pytest.mark.parametrize("other", ["yaml", "text", "markdown"])
def test_json_and_another_format_disagree(args: tuple[str, ...], other: str) -> None:
    done = clonafacts(*args, "--json", "--format", other)  # the fast path and the full CLI
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines()[0] == (
        f"Error: Invalid value for '--json': --json and --format {other} disagree: give one of them"
    )


def test_json_and_format_json_agree(cli: Any) -> None:
    result = cli("withdrawal", "--json", "--format", "json")
    assert result.exit_code == 0
    json.loads(result.stdout)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("withdrawal", "--data", "/no/such/path"), id="lookup"),
        pytest.param(("validate", "/no/such/path"), id="validate"),
        pytest.param(("search", "x", "--data", "/no/such/path"), id="search"),
    ],
)
def test_a_path_that_does_not_exist_is_a_usage_error(cli: Any, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert "no such file or folder: '/no/such/path'" in result.stderr.splitlines()[0]
    assert "checked 0 data files" not in result.stdout


# Completion scripts, loaded in each shell that is installed.


def _shell_env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{SCRIPTS}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_bash_completion_completes_commands_and_names() -> None:
    program = (
        "source <(clonafacts completion bash)\n"
        "complete -p clonafacts\n"
        "COMP_WORDS=(clonafacts with); COMP_CWORD=1; _clonafacts_completion clonafacts\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
        "COMP_WORDS=(clonafacts withdrawal Klo); COMP_CWORD=2; _clonafacts_completion clonafacts\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "-c", program], capture_output=True, text=True, env=_shell_env(), timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "complete -o default -F _clonafacts_completion clonafacts"
    assert "withdrawal" in lines
    assert "Klonopin" in lines


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completion_is_a_zsh_script() -> None:
    program = (
        "autoload -U compinit && compinit -u\n"
        "source <(clonafacts completion zsh)\n"
        "print -r -- ${_comps[clonafacts]}\n"
    )
    done = subprocess.run(
        ["zsh", "-f", "-c", program], capture_output=True, text=True, env=_shell_env(), timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "_clonafacts_completion"


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completion_completes_commands() -> None:
    program = "clonafacts completion fish | source; complete -C 'clonafacts with'"
    done = subprocess.run(
        ["fish", "--no-config", "-c", program],
        capture_output=True,
        text=True,
        env=_shell_env(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "withdrawal" in done.stdout.split()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_its_own_script(cli: Any, shell: str) -> None:
    scripts = {name: cli("completion", name).stdout for name in ("bash", "zsh", "fish")}
    assert len(set(scripts.values())) == 3
    assert "clonafacts" in scripts[shell]


def test_validate_json_prints_the_problems_as_data(cli: Any, tmp_path: Path) -> None:
    bad = Path(__file__).parent / "corpus" / "bad" / "unknown-source.yaml"
    result = cli("validate", "--json", str(bad))
    assert result.exit_code == 1
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert document == {
        "schema_version": 2,
        "kind": "validation",
        "ok": False,
        "files": [str(bad)],
        "problems": [
            {
                "path": str(bad),
                "line": 24,
                "column": 34,
                "message": "cites unknown source 'no-such-source'; list it under sources",
            }
        ],
    }
    from jsonschema import Draft202012Validator

    schema = json.loads(cli("schema", "output").stdout)
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    good = cli("validate", "--json")
    assert good.exit_code == 0
    assert json.loads(good.stdout)["ok"] is True


def test_an_unknown_medication_lists_the_few_there_are(cli: Any) -> None:
    result = cli("withdrawal", "zzzz")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no medication named 'zzzz'; "
        "the medications are Alprazolam, Clonazepam, Diazepam, Lorazepam\n"
    )


# Addresses and citation markers in text.

MARKERS_ONLY = re.compile(r"^\s*(\[\d+\])+\s*$")


# At 20 columns a word and its markers can be wider than the column and fold anywhere.
@pytest.mark.parametrize("width", [30, 40, 60, 80, 120])
@pytest.mark.parametrize("args", [("all", "--sources"), ("sources",)])
def test_addresses_are_whole_and_markers_never_alone(
    cli: Any, width: int, args: tuple[str, ...]
) -> None:
    shown = cli(*args, env={"COLUMNS": str(width)}).stdout
    urls = {s["url"] for s in cli.json("sources")["sources"] if s["url"]}
    lines = shown.splitlines()
    for url in urls:
        assert any(line.strip() == url for line in lines), url  # whole, on a line of its own
    assert not [line for line in lines if MARKERS_ONLY.match(line)]


def test_markdown_cites_one_numbered_sources_list(cli: Any) -> None:
    from markdown_it import MarkdownIt

    notes = cli("all", "--format", "markdown").stdout
    assert "[^" not in notes  # no footnotes: one note per marker is what pandoc made of them
    tokens = MarkdownIt("commonmark").parse(notes)
    headings = [
        tokens[index + 1].content for index, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert headings[-1] == "Sources"
    cited = len(cli.json("all")["sources"])
    last_list = [t for t in tokens if t.type == "ordered_list_open"][-1]
    items = tokens[tokens.index(last_list) :]
    assert sum(1 for t in items if t.type == "list_item_open") == cited
    assert re.search(r"\\\[\d+(, \d+)*\\\]", notes)  # markers: \[1\], \[1, 2\]


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        pytest.param("search", "Usage: clonafacts search [OPTIONS] WORD...", id="search"),
        pytest.param("withdrawal", "Usage: clonafacts withdrawal [OPTIONS] [DRUG]", id="lookup"),
        pytest.param("validate", "Usage: clonafacts validate [OPTIONS] [PATH]...", id="validate"),
        pytest.param("schema", "Usage: clonafacts schema [OPTIONS] KIND", id="schema"),
    ],
)
def test_help_shows_metavariables_not_python_types(cli: Any, command: str, usage: str) -> None:
    shown = cli(command, "--help").stdout
    assert shown.splitlines()[0] == usage
    for python_type in ("<str>", "<list[str]>", "{WORD}", "[[PATH]"):
        assert python_type not in shown


def test_a_missing_argument_is_a_short_error(cli: Any) -> None:
    result = cli("schema")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: Missing argument 'KIND'. Choose from: data, output",
        "Try 'clonafacts schema --help' for help.",
    ]


@pytest.mark.parametrize("columns", ["40", "80", "200"])
def test_help_examples_stay_whole(cli: Any, columns: str) -> None:
    shown = cli("--help", env={"COLUMNS": columns}).stdout
    example = "clonafacts withdrawal --json | jq -r '.content.symptoms[].name'"
    assert any(line.strip() == example for line in shown.splitlines())


@pytest.mark.parametrize("command", [(), ("search",), ("withdrawal",), ("validate",)])
def test_narrow_help_splits_no_words(cli: Any, command: tuple[str, ...]) -> None:
    """At 40 columns help wraps between words: every word is one seen in wide help."""
    wide = set(cli(*command, "--help", env={"COLUMNS": "200"}).stdout.split())
    narrow = cli(*command, "--help", env={"COLUMNS": "40"}).stdout.split()
    # Click shortens a command's one-line description to fit, ending it with "...".
    assert [word for word in narrow if word not in wide and not word.endswith("...")] == []
