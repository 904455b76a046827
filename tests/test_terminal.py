"""Where the output goes: pipes, colour, closed pipes, terminal widths, encodings, Ctrl-C.

Behaviour that depends on a real stdout runs `python -m clonafacts` in a subprocess (which also
exercises the fast lookup path); the rest runs in-process. The autouse fixture of conftest.py
has already cleared the colour variables and set COLUMNS=100 in os.environ, which the
subprocesses inherit; they share one cache folder for speed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import one_fact_medication

REPO = Path(__file__).resolve().parent.parent
FIXTURE_DATA = REPO / "tests" / "fixtures" / "valid"

ESC = "\x1b"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ELLIPSIS = "\u2026"


_SHARED_CACHE: dict[str, str] = {}


@pytest.fixture(autouse=True, scope="module")
def _shared_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One cache folder for this module's subprocesses, so each one starts warm (and fast).

    The cache is keyed by the data files' identities; sharing it changes no output.
    """
    _SHARED_CACHE["CLONAFACTS_CACHE_DIR"] = str(tmp_path_factory.mktemp("shared-cache"))


def subprocess_env(env: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, **_SHARED_CACHE, **(env or {})}


def run(
    *args: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[bytes]:
    """`python -m clonafacts ARGS` with stdout and stderr piped."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "clonafacts", *args],
        env=subprocess_env(env),
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
        **kwargs,
    )


def assert_quiet_stderr(stderr: bytes) -> None:
    text = stderr.decode("utf-8", "replace")
    assert "Traceback" not in text
    assert "BrokenPipe" not in text
    assert "Exception ignored" not in text


# ---------------------------------------------------------------------------------------------
# Colour.

SECTION = ("withdrawal",)  # answered by the fast path
SEARCH = ("search", "seizure")  # the full CLI
WITH_DATA = ("withdrawal", "examplazole", "--data", str(FIXTURE_DATA))  # the full CLI

# In a real pipe, through the fast path (section lookups) and the full CLI (search).
PIPE_COLOUR_CASES = [
    # (arguments, environment, escapes expected)
    pytest.param(SECTION, {}, False, id="plain"),
    pytest.param(SEARCH, {}, False, id="plain-search"),
    pytest.param(SECTION, {"FORCE_COLOR": "1"}, True, id="force-color"),
    pytest.param(SEARCH, {"FORCE_COLOR": "1"}, True, id="force-color-search"),
    pytest.param((*SECTION, "--color", "never"), {"FORCE_COLOR": "1"}, False, id="never-wins"),
    pytest.param(SECTION, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, id="no-color-wins"),
    pytest.param((*SECTION, "--color=always"), {}, True, id="always"),
    pytest.param((*SECTION, "--json"), {"FORCE_COLOR": "1"}, False, id="json"),
]

# The same rules in-process (stdout is not a terminal there either).
COLOUR_CASES = [
    pytest.param(SECTION, {}, False, id="plain"),
    pytest.param(SECTION, {"FORCE_COLOR": "1"}, True, id="force-color"),
    pytest.param(WITH_DATA, {"FORCE_COLOR": "1"}, True, id="force-color-data"),
    pytest.param((*SECTION, "--color", "never"), {"FORCE_COLOR": "1"}, False, id="never-wins"),
    pytest.param((*SEARCH, "--color", "never"), {"FORCE_COLOR": "1"}, False, id="never-search"),
    pytest.param(SECTION, {"NO_COLOR": "1"}, False, id="no-color"),
    pytest.param(SECTION, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, id="no-color-wins"),
    pytest.param((*SECTION, "--color", "always"), {}, True, id="always"),
    pytest.param((*SECTION, "--color", "always"), {"NO_COLOR": "1"}, True, id="always-wins"),
    pytest.param((*SEARCH, "--color", "always"), {}, True, id="always-search"),
    pytest.param(("list", "--color", "always"), {}, True, id="always-list"),
    pytest.param(("sources", "--color", "always"), {}, True, id="always-sources"),
    pytest.param(("all", "--color", "always"), {}, True, id="always-all"),
    pytest.param((*SECTION, "--json", "--color", "always"), {}, False, id="json-always"),
    pytest.param((*SEARCH, "--json"), {"FORCE_COLOR": "1"}, False, id="json-search"),
    pytest.param((*SECTION, "-f", "yaml", "--color", "always"), {}, False, id="yaml"),
    pytest.param((*SECTION, "-f", "markdown", "--color", "always"), {}, False, id="markdown"),
]


def _unstyled(text: str) -> str:
    """Without escapes and the trailing blanks that styled padding leaves."""
    return "\n".join(line.rstrip() for line in ANSI.sub("", text).split("\n"))


@pytest.mark.parametrize(("args", "env", "escapes"), PIPE_COLOUR_CASES)
def test_colour_in_a_pipe(args: tuple[str, ...], env: dict[str, str], escapes: bool) -> None:
    result = run(*args, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    assert (ESC in out) is escapes


@pytest.mark.parametrize(("args", "env", "escapes"), COLOUR_CASES)
def test_colour(cli: Any, args: tuple[str, ...], env: dict[str, str], escapes: bool) -> None:
    result = cli(*args, env=env)
    assert result.exit_code == 0, result.stderr
    assert (ESC in result.stdout) is escapes
    if escapes:
        # Colour changes the styling only, never the layout or the words.
        plain = cli(*args, "--color", "never").stdout
        assert _unstyled(result.stdout) == plain


def test_error_message_has_no_escapes_in_a_pipe() -> None:
    result = run("withdrawal", "klonopn")
    assert result.returncode == 1
    assert ESC not in result.stderr.decode("utf-8")
    assert result.stdout == b""


# ---------------------------------------------------------------------------------------------
# A closed pipe: `clonafacts all | head` after head has quit.


def _run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run with stdout connected to a pipe whose reading end is already closed."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return run(*args, stdout=write_end)
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("all",), id="all"),
        pytest.param(("withdrawal", "--json"), id="json"),
        pytest.param(("search", "seizure"), id="search"),
        pytest.param(("list",), id="list"),
        pytest.param(("withdrawal", "--data", str(FIXTURE_DATA)), id="with-data"),
        pytest.param(("schema", "output"), id="schema"),
        pytest.param(("--version",), id="version"),
        pytest.param(("--help",), id="help"),
    ],
)
def test_closed_pipe(args: tuple[str, ...]) -> None:
    result = _run_into_closed_pipe(*args)
    assert_quiet_stderr(result.stderr)
    assert result.stderr == b""
    assert result.returncode == 141


def test_pipe_into_head() -> None:
    """The real thing: no noise on stderr, and the first lines arrive intact."""
    script = (
        f'"{sys.executable}" -m clonafacts all | head -n 3; echo "status=${{PIPESTATUS[0]}}" >&2'
    )
    result = subprocess.run(
        ["bash", "-c", script],
        env=subprocess_env(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    stderr = result.stderr.decode("utf-8")
    assert_quiet_stderr(result.stderr)
    status = int(re.search(r"status=(\d+)", stderr)[1])  # type: ignore[index]
    # 141 when head quit before clonafacts finished writing; 0 when the pipe held it all.
    assert status in (0, 141)
    lines = result.stdout.decode("utf-8").splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Clonazepam (Klonopin)")  # piped: a plain heading, no frame


# ---------------------------------------------------------------------------------------------
# Terminal widths: wrapped to fit, nothing cut off.

WIDTH_CASES = [
    pytest.param(("withdrawal",), id="withdrawal"),
    pytest.param(("withdrawal", "--sources"), id="withdrawal-sources"),
    pytest.param(("indications",), id="indications"),
    pytest.param(("pharmacokinetics",), id="pharmacokinetics"),
    pytest.param(("all", "--sources"), id="all-sources"),
    pytest.param(("sources",), id="sources"),
    pytest.param(("search", "seizure"), id="search"),
    pytest.param(("list",), id="list"),
]


@pytest.mark.parametrize("width", [pytest.param(w, id=f"w{w}") for w in (20, 80, 200)])
@pytest.mark.parametrize("args", WIDTH_CASES)
def test_width(cli: Any, args: tuple[str, ...], width: int) -> None:
    result = cli(*args, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    # Only an address may be wider than the page: it stands whole on a line of its own.
    too_long = [
        line
        for line in out.splitlines()
        if len(line.rstrip()) > width and not line.strip().startswith(("https://", "http://"))
    ]
    assert too_long == []
    assert ELLIPSIS not in out, "text was cut off"
    words = " ".join(out.split())
    squeezed = "".join(out.split())
    if args[0] in ("withdrawal", "all"):
        for symptom in cli.json("withdrawal")["content"]["symptoms"]:
            assert symptom["name"] in words
        assert "Do not stop suddenly" in words
    if "--sources" in args or args[0] == "sources":
        # The sources this page cites (all of them for `sources`), each address whole.
        document = cli.json(*[arg for arg in args if arg != "--sources"])
        for source in document["sources"]:
            if source.get("url"):
                assert source["url"] in squeezed, "a citation's URL was cut"


def test_default_width_without_any_terminal() -> None:
    """Without COLUMNS, a terminal or a controlling terminal, text is laid out 80 wide."""
    done = subprocess.run(
        [sys.executable, "-m", "clonafacts", "all"],
        env={key: value for key, value in subprocess_env().items() if key != "COLUMNS"},
        capture_output=True,
        start_new_session=True,  # no controlling terminal
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    widths = [len(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert 70 < max(widths) <= 80


def test_width_does_not_change_json(cli: Any) -> None:
    narrow = cli("all", "--json", env={"COLUMNS": "20"})
    wide = cli("all", "--json", env={"COLUMNS": "200"})
    assert narrow.stdout == wide.stdout


# ---------------------------------------------------------------------------------------------
# Locales and encodings.

ENCODING_CASES = [
    pytest.param(("withdrawal",), id="withdrawal"),
    pytest.param(("all", "--sources"), id="all"),
    pytest.param(("search", "seizure"), id="search"),
    pytest.param(("list",), id="list"),
    pytest.param(("withdrawal", "--json"), id="json"),
    pytest.param(("withdrawal", "--format", "markdown"), id="markdown"),
]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("withdrawal",), id="withdrawal"),
        pytest.param(("search", "seizure"), id="search"),
        pytest.param(("all", "--format", "markdown"), id="markdown"),
    ],
)
def test_c_locale(args: tuple[str, ...]) -> None:
    result = run(*args, env={"LANG": "C", "LC_ALL": "C"})
    assert result.returncode == 0, result.stderr
    assert_quiet_stderr(result.stderr)
    assert result.stdout.decode("utf-8")


@pytest.mark.parametrize("args", ENCODING_CASES)
def test_ascii_stdout(args: tuple[str, ...]) -> None:
    result = run(*args, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert_quiet_stderr(result.stderr)
    text = result.stdout.decode("ascii")  # raises on any non-ASCII byte
    assert text.strip()


def test_ascii_text_uses_ascii_symbols() -> None:
    text = run("withdrawal", env={"PYTHONIOENCODING": "ascii"}).stdout.decode("ascii")
    lines = text.splitlines()
    assert lines[0] == "Clonazepam (Klonopin) - Dependence and withdrawal"
    assert "! Do not stop suddenly" in text
    assert " * Severe rebound anxiety" in text


NON_ASCII_MEDICATION = one_fact_medication(
    "cafezole",
    "Cafezole",
    "A made-up medication with accents, caf\u00e9 style.",
    "Caf\u00e9, na\u00efve, \u2265 2 and 5 \u00b5g are all made up.",
)


@pytest.mark.parametrize(
    "format_", [pytest.param(f, id=f) for f in ("text", "json", "yaml", "markdown")]
)
def test_ascii_stdout_with_non_ascii_data(write_data: Any, format_: str) -> None:
    """Data beyond ASCII must not crash an ASCII stdout; JSON stays exact through escapes."""
    import json

    path = write_data(NON_ASCII_MEDICATION, "cafezole.yaml")
    args = ("overview", "cafezole", "--data", str(path), "--format", format_)
    result = run(*args, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert_quiet_stderr(result.stderr)
    text = result.stdout.decode("ascii")
    if format_ == "json":
        assert json.loads(text)["content"]["facts"][0]["text"].startswith("Caf\u00e9, na\u00efve")


# ---------------------------------------------------------------------------------------------
# Ctrl-C.


def test_keyboard_interrupt_in_process(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from clonafacts.api import Database

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Database, "lookup", interrupted)
    monkeypatch.setattr(Database, "search", interrupted)
    for args in (("withdrawal",), ("search", "seizure")):
        result = cli(*args)
        assert result.exit_code == 130
        assert result.stderr == ""
        assert result.stdout == ""


# An unexpected exception through the console script's entry point (fast path included).
_BOOM_SCRIPT = """
import sys
from clonafacts.api import Database

def boom(*args, **kwargs):
    raise RuntimeError("boom")

Database.lookup = Database.search = boom
sys.argv = ["clonafacts", *sys.argv[1:]]
from clonafacts.__main__ import main
main()
"""


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("withdrawal",), id="fast-path"),
        pytest.param(("withdrawal", "--data", str(FIXTURE_DATA)), id="full-cli"),
    ],
)
def test_internal_error_through_the_entry_point(args: tuple[str, ...]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _BOOM_SCRIPT, *args],
        env=subprocess_env(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert_quiet_stderr(result.stderr)
    assert result.returncode == 4
    assert result.stderr.decode("utf-8").splitlines() == [
        "Error: internal error: RuntimeError: boom",
        "This is a bug; run with CLONAFACTS_DEBUG=1 to see the traceback.",
    ]


# A real SIGINT, delivered while a lookup runs, through the console script's entry point.
_SIGINT_SCRIPT = """
import os, signal, sys, time
from clonafacts.api import Database

def interrupted(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(10)

Database.lookup = Database.search = interrupted
sys.argv = ["clonafacts", *sys.argv[1:]]
from clonafacts.__main__ import main
main()
"""


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("withdrawal",), id="fast-path"),
        pytest.param(("search", "seizure"), id="search"),
    ],
)
def test_sigint(args: tuple[str, ...]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _SIGINT_SCRIPT, *args],
        env=subprocess_env(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 130
    assert result.stderr == b""
    assert result.stdout == b""
