"""On a real terminal (a pseudo-terminal): frames, colour, the pager, widths taken from the
controlling terminal when piped, TERM=dumb, and --brief."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import pytest

# A stand-in pager: marks what it was given, so a test can tell paged output from plain.
FAKE_PAGER = (
    f"{sys.executable} -c \"import sys; print('PAGED>'); sys.stdout.write(sys.stdin.read())\""
)
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def _controlling(slave: int) -> None:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)


def in_terminal(
    *args: str,
    env: dict[str, str] | None = None,
    rows: int = 24,
    columns: int = 80,
    piped: bool = False,
) -> tuple[int, str, str]:
    """Run `clonafacts ARGS` on a pseudo-terminal of the given size, as its controlling
    terminal; with `piped`, stdout goes to a pipe instead. Returns (exit code, what the
    terminal showed, what the pipe got)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    unset = ("COLUMNS", "LINES", "PAGER", "CLONAFACTS_PAGER")
    base = {key: value for key, value in os.environ.items() if key not in unset}
    base["TERM"] = "xterm-256color"
    process = subprocess.Popen(
        [sys.executable, "-m", "clonafacts", *args],
        stdin=slave,
        stdout=subprocess.PIPE if piped else slave,
        stderr=slave,
        env={**base, **(env or {})},
        preexec_fn=lambda: _controlling(slave),
    )
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the other side closed: Linux reports EIO
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    piped_out = process.stdout.read() if process.stdout is not None else b""
    code = process.wait(timeout=30)
    return code, shown.decode("utf-8", "replace").replace("\r\n", "\n"), piped_out.decode()


def test_a_terminal_gets_frames_and_colour() -> None:
    code, shown, _ = in_terminal("withdrawal", "--no-pager", columns=100)
    assert code == 0
    assert "\x1b[" in shown  # colour
    assert "╭" in shown  # the header's panel
    assert "┏" in shown  # the warning's frame


def test_addresses_are_links_on_a_terminal() -> None:
    code, shown, _ = in_terminal("sources", "--no-pager", columns=60)
    assert code == 0
    url = "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid="
    assert f"\x1b]8;;{url}" in shown  # OSC 8: the address is a link, and stands whole


def test_a_pipe_gets_plain_lines_as_wide_as_the_controlling_terminal() -> None:
    code, _, piped = in_terminal("all", columns=60, piped=True)
    assert code == 0
    assert "\x1b[" not in piped
    assert not set("╭╮╰╯┏┓┗┛─━│┃") & set(piped)
    assert max(len(line) for line in piped.splitlines()) <= 60
    assert max(len(line) for line in piped.splitlines()) > 50


def test_term_dumb_means_no_colour_and_no_frames() -> None:
    code, shown, _ = in_terminal("withdrawal", "--no-pager", env={"TERM": "dumb"})
    assert code == 0
    assert ESCAPE.search(shown) is None
    assert "╭" not in shown


@pytest.mark.parametrize("variable", ["CLONAFACTS_PAGER", "PAGER"])
def test_output_taller_than_the_screen_is_paged(variable: str) -> None:
    code, shown, _ = in_terminal("all", env={variable: FAKE_PAGER}, rows=24)
    assert code == 0
    assert shown.startswith("PAGED>\n")
    assert "For study and reference only; not medical advice." in shown


def test_clonafacts_pager_wins_over_pager() -> None:
    code, shown, _ = in_terminal("all", env={"CLONAFACTS_PAGER": FAKE_PAGER, "PAGER": "false"})
    assert (code, shown.startswith("PAGED>\n")) == (0, True)


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param(("all", "--no-pager"), {"PAGER": FAKE_PAGER}, id="no-pager-option"),
        pytest.param(("all",), {"PAGER": FAKE_PAGER, "CLONAFACTS_PAGER": ""}, id="empty-variable"),
        pytest.param(("overview", "--brief"), {"PAGER": FAKE_PAGER}, id="fits-the-screen"),
    ],
)
def test_no_pager(args: tuple[str, ...], env: dict[str, str]) -> None:
    code, shown, _ = in_terminal(*args, env=env, rows=60)
    assert code == 0
    assert "PAGED>" not in shown
    assert "For study and reference only; not medical advice." in shown


def test_a_pager_that_cannot_start_falls_back_to_plain_output() -> None:
    code, shown, _ = in_terminal("all", env={"PAGER": "/no/such/pager --flag"})
    assert code == 0
    assert "Traceback" not in shown
    assert "For study and reference only; not medical advice." in shown


def test_piped_output_is_never_paged() -> None:
    code, shown, piped = in_terminal("all", env={"PAGER": FAKE_PAGER}, piped=True)
    assert code == 0
    assert "PAGED>" not in shown + piped
    assert piped.endswith("For study and reference only; not medical advice.\n")


def test_json_is_coloured_on_a_terminal_only() -> None:
    code, shown, _ = in_terminal("withdrawal", "--json", "--no-pager")
    assert code == 0
    assert "\x1b[" in shown
    code, _, piped = in_terminal("withdrawal", "--json", piped=True)
    assert "\x1b[" not in piped
    assert piped.startswith('{\n  "schema_version": 2,')


def test_brief_shows_key_facts_and_names_only(cli: Any) -> None:
    full = cli("withdrawal").stdout
    brief = cli("withdrawal", "--brief").stdout
    assert len(brief.splitlines()) < len(full.splitlines())
    assert "Severe rebound anxiety" in brief  # a symptom's name
    assert "most severe; can be life-threatening" not in brief  # its detail
    assert "Do not stop suddenly" in brief  # the warning stays
    json_full = cli("withdrawal", "--json").stdout
    assert cli("withdrawal", "--json", "--brief").stdout == json_full  # JSON is unaffected


def test_brief_markdown(cli: Any, tmp_path: Path) -> None:
    brief = cli("mechanism", "--brief", "--format", "markdown").stdout
    assert "1. **Binding to the GABA-A receptor**" in brief
    assert "1. **Binding to the GABA-A receptor**:" not in brief  # the stage alone


# Styles that read on light and dark backgrounds alike: attributes that use the terminal's own
# foreground (bold, dim, italic, underline, reverse) and red, kept for warnings. No cyan, yellow
# or green, which fade on a white background.
VETTED_SGR = {"0", "1", "2", "3", "4", "7", "22", "23", "24", "27", "31", "39"}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("all",), id="all"),
        pytest.param(("all", "--sources"), id="all-sources"),
        pytest.param(("search", "seizure"), id="search"),
        pytest.param(("list",), id="list"),
        pytest.param(("sources",), id="sources"),
        pytest.param(("withdrawal", "--brief"), id="brief"),
    ],
)
def test_colours_come_from_the_vetted_set(cli: Any, args: tuple[str, ...]) -> None:
    shown = cli(*args, "--color", "always").stdout
    codes = {
        code
        for sequence in re.findall(r"\x1b\[([0-9;]*)m", shown)
        for code in sequence.split(";")
        if code
    }
    assert codes  # coloured at all
    assert codes <= VETTED_SGR, codes - VETTED_SGR
