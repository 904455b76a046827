"""Where output goes: the terminal's width and colour, and writing to stdout.

Kept free of Typer so that the fast lookup path can use it without importing the CLI.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

COLOR_MODES = ("auto", "always", "never")


#: COLUMNS and terminal widths outside this range are taken as the nearest end of it: a
#: narrower page cannot be laid out, and a wider one is no use to anyone.
MIN_WIDTH, MAX_WIDTH = 20, 1_000
DEFAULT_WIDTH = 80


class PipeClosed(Exception):
    """stdout went away (`| head`); the CLI ends quietly."""


class OutputError(Exception):
    """The output could not be written whole (a full disk, a file-size limit, stdout closed):
    the CLI says so and exits non-zero, so a cut-off reference never looks complete."""

    def __init__(self, reason: str, partial: bool = True) -> None:
        super().__init__(reason)
        self.partial = partial  # whether part of it may have been written

    def report(self) -> tuple[str, str | None]:
        """The error line and its hint, for the CLI."""
        hint = "What was written is incomplete." if self.partial else None
        return f"cannot write the output: {self}", hint


def _stdout_tty() -> bool:
    stdout = sys.stdout
    try:
        return stdout is not None and stdout.isatty()
    except (OSError, ValueError):  # closed, or detached by the host
        return False


def color_wanted(mode: str) -> bool:
    """--color wins; then NO_COLOR, then FORCE_COLOR; else colour only on a terminal."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _stdout_tty() and not dumb_terminal()


def dumb_terminal() -> bool:
    """TERM=dumb: a terminal that takes no colour and no cursor movement."""
    return os.environ.get("TERM", "") == "dumb"


def width() -> int:
    """COLUMNS when it is a number, else the width of the terminal (stdout's, or when that is
    piped, the controlling terminal's: `clonafacts all | less` fits the screen), else
    DEFAULT_WIDTH; always within MIN_WIDTH..MAX_WIDTH."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdecimal() and columns.isascii() and int(columns[:7]) > 0:
        # A number of any size is bounded; only its first digits are read (a longer one is
        # far past the bound, and converting megabytes of digits would be slow).
        chosen = int(columns) if len(columns) <= 7 else MAX_WIDTH
    else:
        chosen = terminal_size()[0] or DEFAULT_WIDTH
    return min(max(chosen, MIN_WIDTH), MAX_WIDTH)


def terminal_size() -> tuple[int, int]:
    """(columns, lines) of stdout's terminal, else of the controlling terminal; (0, 0) when
    there is none."""
    if _stdout_tty():
        try:
            size = os.get_terminal_size(sys.stdout.fileno())
            return size.columns, size.lines
        except (OSError, ValueError):
            pass
    try:
        descriptor = os.open("/dev/tty", os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return 0, 0
    try:
        size = os.get_terminal_size(descriptor)
        return size.columns, size.lines
    except OSError:
        return 0, 0
    finally:
        os.close(descriptor)


def emit(text: str) -> None:
    """Write `text` to stdout whole, or raise: PipeClosed when the reader has gone, OutputError
    when it cannot be written (a full disk, a file-size limit, stdout closed)."""
    _emit(text, None)


def emit_bytes(data: bytes) -> None:
    """Write `data` (a binary file's bytes) to stdout whole, or raise as emit does."""
    _emit(None, data)


def _emit(text: str | None, data: bytes | None) -> None:
    stdout = sys.stdout
    if stdout is None:
        raise OutputError("standard output is closed", partial=False)
    try:
        descriptor = stdout.fileno()
    except (OSError, ValueError, AttributeError):
        descriptor = None  # not a file (a test's capture, a host's stream): write through it
    try:
        if descriptor is None:
            if data is None:
                stdout.write(text or "")
            else:
                stdout.buffer.write(data)
            stdout.flush()
            return
        stdout.flush()  # anything written through sys.stdout before goes first
        if data is None:
            encoding = getattr(stdout, "encoding", None) or "utf-8"
            data = (text or "").encode(encoding, "backslashreplace")
        _write_all(descriptor, data)
    except BrokenPipeError:
        raise PipeClosed from None
    except OSError as error:
        raise OutputError(error.strerror or str(error)) from None


def _write_all(descriptor: int, data: bytes) -> None:
    """os.write until every byte is out. A non-blocking stdout (set by whoever shares the pipe)
    takes what fits and refuses the rest for now: wait until it can take more."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(descriptor, view)
        except BlockingIOError:
            import select

            select.select([], [descriptor], [])
            continue
        view = view[written:]


def silence_stdout() -> None:
    """After a closed pipe, point stdout at devnull so the flush at exit cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no stdout at all: nothing to flush
        pass


def show(
    document: Mapping[str, Any],
    format_name: str,
    color: str = "auto",
    sources: bool = False,
    brief: bool = False,
    pager: bool = True,
) -> None:
    """Render `document` in the chosen format and write it to stdout, through a pager when
    it is taller than the terminal."""
    from clonafacts.render import RenderOptions, renderer_for

    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower()
    terminal = _stdout_tty() and not dumb_terminal()
    options = RenderOptions(
        width=width(),
        color=format_name == "text" and color_wanted(color),
        unicode=encoding.startswith("utf"),
        show_sources=sources,
        terminal=terminal,
        brief=brief,
    )
    text = renderer_for(format_name)(dict(document), options)
    if not options.unicode:
        text = to_ascii(text)
    if format_name == "json" and terminal and color_wanted(color):
        text = _coloured_json(text)
    if not (pager and terminal and _page(text)):
        emit(text)


PAGER_ENV = "CLONAFACTS_PAGER"
DEFAULT_PAGER = "less -FRX"  # colour kept; quits at once when it fits; the screen left as is


def pager_command() -> list[str] | None:
    """The pager to use: CLONAFACTS_PAGER, else PAGER, else less if it is installed; an empty
    variable means no pager."""
    import shlex
    import shutil

    for name in (PAGER_ENV, "PAGER"):
        if name in os.environ:
            chosen = os.environ[name].strip()
            try:
                return shlex.split(chosen) or None
            except ValueError:  # unbalanced quotes: not a command we can run
                return None
    return shlex.split(DEFAULT_PAGER) if shutil.which("less") else None


def _page(text: str) -> bool:
    """Show `text` through the pager when it is taller than the terminal; False when it was
    not (it fits, no pager, or the pager could not be started): then the caller writes it."""
    rows = terminal_size()[1]
    command = pager_command()
    if not rows or text.count("\n") < rows or command is None:
        return False
    import subprocess

    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    sys.stdout.flush()
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE)
    except OSError:  # no such program, or not runnable: plain output instead
        return False
    assert process.stdin is not None
    try:
        process.stdin.write(text.encode(encoding, "backslashreplace"))
        process.stdin.close()
    except BrokenPipeError:  # the reader quit the pager before the end: that is fine
        pass
    while True:
        try:
            process.wait()
            return True
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager (less ignores it): wait on
            continue


def _coloured_json(text: str) -> str:
    """JSON highlighted the way jq and gh show it on a terminal (never when piped)."""
    import io

    from rich.console import Console
    from rich.json import JSON

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="standard", width=MAX_WIDTH)
    console.print(JSON(text, indent=2), soft_wrap=True)
    return buffer.getvalue()


# Typographic characters a renderer or the data may use, spelled in ASCII.
_ASCII = str.maketrans(
    {
        "·": "-",
        "•": "*",
        "★": "*",
        "⚠": "!",
        "…": "...",
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "µ": "u",
        "≤": "<=",
        "≥": ">=",
        "\u00d7": "x",
    }
)


def to_ascii(text: str) -> str:
    """Text for a stdout that cannot take Unicode: accents dropped, symbols spelled out."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.encode("ascii", "replace").decode("ascii")
