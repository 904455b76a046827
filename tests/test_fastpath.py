"""The fast path answers plain lookups exactly as the full CLI does and declines the rest."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clonafacts.cli import fastpath
from clonafacts.cli.fastpath import Lookup, parse


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["withdrawal"], Lookup("withdrawal"), id="bare"),
        pytest.param(["withdrawal", "Klonopin"], Lookup("withdrawal", "Klonopin"), id="brand"),
        pytest.param(["all", "--json"], Lookup("all", format_name="json"), id="json"),
        pytest.param(
            ["mechanism", "--format", "YAML", "--sources"],
            Lookup("mechanism", format_name="yaml", sources=True),
            id="format-any-case",
        ),
        pytest.param(
            ["overview", "-f", "markdown", "--color=never"],
            Lookup("overview", format_name="markdown", color="never"),
            id="short-format",
        ),
        pytest.param(
            ["warnings", "--format=json", "--json"],
            Lookup("warnings", format_name="json"),
            id="json-agrees",
        ),
    ],
)
def test_parse_accepts_plain_lookups(argv: list[str], expected: Lookup) -> None:
    assert parse(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([], id="nothing"),
        pytest.param(["sources"], id="other-command"),
        pytest.param(["search"], id="search-no-words"),
        pytest.param(["search", "x", "--limit", "many"], id="search-bad-limit"),
        pytest.param(["list", "x"], id="list-argument"),
        pytest.param(["withdrawal", "--help"], id="help"),
        pytest.param(["withdrawal", "--data", "x.yaml"], id="data"),
        pytest.param(["withdrawal", "a", "b"], id="two-drugs"),
        pytest.param(["withdrawal", ""], id="empty-drug"),
        pytest.param(["withdrawal", "x" * 201], id="long-drug"),
        pytest.param(["withdrawal", "\x1b[31m"], id="control-char"),
        pytest.param(["withdrawal", "--format", "xml"], id="bad-format"),
        pytest.param(["withdrawal", "--format"], id="missing-value"),
        pytest.param(["withdrawal", "--color", "sometimes"], id="bad-color"),
        pytest.param(["withdrawal", "-fjson"], id="attached-short"),
        pytest.param(["withdrawal", "--", "x"], id="double-dash"),
        pytest.param(["warnings", "--format=text", "--json"], id="json-disagrees"),
    ],
)
def test_parse_declines_everything_else(argv: list[str]) -> None:
    assert parse(argv) is None


ARGV_CASES = [
    ["withdrawal"],
    ["withdrawal", "KLONOPIN", "--json"],
    ["all", "--format", "markdown"],
    ["indications", "--sources"],
    ["pharmacokinetics", "-f", "yaml"],
    ["mechanism", "--color", "always"],
    ["search", "seizure", "--json"],
    ["search", "seizure", "withdrawal", "-n", "3"],
    ["search", "panic", "--drug", "Klonopin", "--format", "markdown"],
    ["list"],
    ["list", "--json"],
]


@pytest.mark.parametrize("argv", [pytest.param(a, id=" ".join(a)) for a in ARGV_CASES])
def test_fast_path_prints_what_the_full_cli_prints(
    argv: list[str], cli: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fastpath.run(argv) == 0
    fast = capsys.readouterr().out
    full = cli(*argv)  # type: ignore[operator]
    assert full.exit_code == 0
    assert fast == full.stdout


def test_errors_are_left_to_the_full_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert fastpath.run(["withdrawal", "klonopn"]) is None
    assert capsys.readouterr() == ("", "")


WORDS = st.sampled_from(
    [
        "withdrawal",
        "all",
        "search",
        "list",
        "seizure",
        "--limit",
        "-n",
        "2",
        "--drug",
        "overview",
        "Klonopin",
        "clonazepam",
        "--json",
        "--sources",
        "--format",
        "-f",
        "json",
        "yaml",
        "TEXT",
        "--color",
        "never",
        "always",
        "--data",
        "-x",
        "",
        "x" * 300,
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(argv=st.lists(WORDS, max_size=5))
def test_any_accepted_argv_matches_the_full_cli(
    argv: list[str], cli: object, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    if parse(argv) is None:
        return
    code = fastpath.run(argv)
    fast = capsys.readouterr().out
    full = cli(*argv)  # type: ignore[operator]
    if code is None:  # declined after all (e.g. an unknown name): the full CLI reports an error
        assert fast == ""
        assert full.exit_code != 0
    else:
        assert (full.exit_code, full.stdout) == (code, fast)


def test_console_entry_uses_the_fast_path_and_falls_back() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "clonafacts", "withdrawal", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0
    assert '"section": "withdrawal"' in ok.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "clonafacts", "withdrawal", "klonopn"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 1
    assert missing.stderr == "Error: no medication named 'klonopn'; did you mean 'Klonopin'?\n"


def test_fast_path_and_cli_accept_the_same_formats_and_colour_modes() -> None:
    """The CLI's option enums restate render.FORMATS and output.COLOR_MODES (Typer and mypy want
    literal members); a format added to one place only would split the two paths."""
    from clonafacts.cli.app import ColorMode, OutputFormat
    from clonafacts.cli.output import COLOR_MODES
    from clonafacts.render import FORMATS

    assert [mode.value for mode in OutputFormat] == list(FORMATS)
    assert [mode.value for mode in ColorMode] == list(COLOR_MODES)
