"""Output that is whole or says it is not, and nothing raw from a file name on the terminal.

Real processes (`python -m clonafacts`) where the behaviour is the operating system's: a file-size
limit, a full device, a closed or non-blocking stdout. Each case runs through the fast path (a
plain lookup) and the full CLI (`sources`, which the fast path leaves to it).
"""

from __future__ import annotations

import fcntl
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURE

FULL_OUTPUT = "Error: cannot write the output: {reason}\nWhat was written is incomplete.\n"
PATHS = [
    pytest.param(("all", "--json"), id="fast-path"),
    pytest.param(("all", "--format", "markdown"), id="fast-path-markdown"),
    pytest.param(("sources", "--json"), id="full-cli"),
]


def clonafacts(
    *args: str, stdout: Any = subprocess.PIPE, **kwargs: Any
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "clonafacts", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
        **kwargs,
    )


def expected_size(*args: str) -> int:
    return len(clonafacts(*args).stdout)


@pytest.mark.parametrize("args", PATHS)
def test_a_file_size_limit_is_an_output_error(args: tuple[str, ...], tmp_path: Path) -> None:
    whole = expected_size(*args)
    limit = 4096
    assert whole > limit  # else the test shows nothing
    target = tmp_path / "out.json"

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    with target.open("wb") as handle:
        done = clonafacts(*args, stdout=handle, preexec_fn=limited)
    assert done.returncode == 5
    assert done.stderr.decode() == FULL_OUTPUT.format(reason="File too large")
    assert target.stat().st_size == limit


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", PATHS)
def test_a_full_device_is_an_output_error_not_a_bug(args: tuple[str, ...]) -> None:
    with Path("/dev/full").open("wb") as full:
        done = clonafacts(*args, stdout=full)
    assert done.returncode == 5
    assert done.stderr.decode() == FULL_OUTPUT.format(reason="No space left on device")


@pytest.mark.parametrize("args", [("withdrawal",), ("sources",), ("list",)])
def test_a_closed_stdout_is_an_output_error(args: tuple[str, ...]) -> None:
    command = " ".join([sys.executable, "-m", "clonafacts", *args])
    done = subprocess.run(
        ["bash", "-c", f"{command} >&-"], capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 5
    assert done.stderr.decode() == "Error: cannot write the output: standard output is closed\n"


@pytest.mark.parametrize("args", PATHS)
def test_a_non_blocking_pipe_gets_the_whole_output(args: tuple[str, ...]) -> None:
    whole = clonafacts(*args).stdout
    reader, writer = os.pipe()
    flags = fcntl.fcntl(writer, fcntl.F_GETFL)
    fcntl.fcntl(writer, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    process = subprocess.Popen(
        [sys.executable, "-m", "clonafacts", *args], stdout=writer, stderr=subprocess.PIPE
    )
    os.close(writer)
    time.sleep(0.5)  # the pipe fills (64 KiB is less than `all`), and the writer must wait
    received = b""
    while chunk := os.read(reader, 1 << 16):
        received += chunk
    os.close(reader)
    assert process.wait(timeout=60) == 0
    assert process.stderr is not None
    assert process.stderr.read() == b""
    assert received == whole
    if "--json" in args:
        json.loads(received)


# Widths.


@pytest.mark.parametrize(
    ("columns", "width"),
    [
        pytest.param("9999999999999999999999", 1000, id="overflowing-bounded"),
        pytest.param("0", 80, id="zero-ignored"),
        pytest.param("100000000", 1000, id="huge-bounded"),
        pytest.param("1000000000", 1000, id="larger-bounded"),
        pytest.param("5", 20, id="tiny-bounded"),
        pytest.param("80x", 80, id="nonsense-ignored"),
        pytest.param("-40", 80, id="negative-ignored"),
        pytest.param("\u0668\u0660", 80, id="non-ascii-digits-ignored"),
    ],
)
def test_columns_is_bounded_or_ignored(columns: str, width: int) -> None:
    # A process of its own: no terminal, and none controlling it, so nothing else sets a width.
    done = subprocess.run(
        [sys.executable, "-m", "clonafacts", "all"],
        env={**os.environ, "COLUMNS": columns},
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    longest = max(len(line) for line in lines)
    assert longest <= width
    # Laid out to that width, not narrower: the longest paragraph fills most of a line (at
    # 1,000 it stands on one line whole).
    assert longest >= min(width, 160) - 12


# Paths shown in every format: escaped, never raw.

HOSTILE_NAMES = [
    pytest.param("x\x1b]0;PWNED\x07\x1b[2J.yaml", id="terminal-escapes"),
    pytest.param("right\u202eto-left.yaml", id="bidi-override"),
    pytest.param("two\nlines.yaml", id="newline"),
]
RAW = ("\x1b", "\x07", "\u202e", "\n  ")


def _in_folder(tmp_path: Path, folder: str, name: str) -> Path:
    target = tmp_path / folder
    target.mkdir()
    shutil.copy(FIXTURE, target / name)
    return target


@pytest.mark.parametrize("where", ["file", "folder"])
@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("format_", ["text", "markdown", "json", "yaml"])
def test_a_hostile_file_name_is_escaped_in_every_format(
    cli: Any, tmp_path: Path, name: str, format_: str, where: str
) -> None:
    if where == "folder":  # the hostile name on the folder, the file named plainly
        folder = _in_folder(tmp_path, "data-" + name.removesuffix(".yaml"), "plain.yaml")
        name = "plain.yaml"
    else:
        folder = _in_folder(tmp_path, "data", name)
    # Wide: a long temporary path must not be folded onto a second line by the layout.
    result = cli("list", "--format", format_, "--data", str(folder), env={"COLUMNS": "1000"})
    assert (result.exit_code, result.stderr) == (0, "")
    shown = result.stdout
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in shown
    origins = [line for line in shown.splitlines() if "data" in line and "yaml" in line]
    assert len(origins) == 1, shown  # the path stays on one line, whatever it holds
    if format_ == "json":
        *_, ours = json.loads(shown)["medications"]
        assert ours["origin"] == str(folder / name)  # exact, through JSON's escapes
    if format_ == "yaml":
        *_, ours = yaml.safe_load(shown)["medications"]
        assert ours["origin"] == str(folder / name)


@pytest.mark.parametrize("format_", ["text", "markdown", "json", "yaml"])
def test_a_folder_name_that_is_not_utf8(tmp_path: Path, format_: str) -> None:
    folder = tmp_path / os.fsdecode(b"caf\xe9-\xff")
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "examplazole.yaml")
    env = {**os.environ, "CLONAFACTS_NO_CACHE": "1"}
    done = clonafacts("list", "--format", format_, "--data", str(folder), env=env)
    assert (done.returncode, done.stderr) == (0, b"")
    text = done.stdout.decode("utf-8")  # valid UTF-8, whatever the folder is called
    if format_ == "json":
        *_, ours = json.loads(text)["medications"]
        assert ours["origin"] == str(folder / "examplazole.yaml")  # exact: \udcxx escapes
    else:
        assert "caf\\xe9-\\xff" in text.replace("\\\\", "\\")  # shown as the bytes it holds
