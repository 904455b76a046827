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
DEFAULT_WIDTH = 100


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
    return _stdout_tty()


def width() -> int:
    """COLUMNS when it is a number, else the terminal's width, else DEFAULT_WIDTH; always
    within MIN_WIDTH..MAX_WIDTH."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdecimal() and columns.isascii() and len(columns) <= 9 and int(columns) > 0:
        chosen = int(columns)
    elif _stdout_tty():
        import shutil

        chosen = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    else:
        chosen = DEFAULT_WIDTH
    return min(max(chosen, MIN_WIDTH), MAX_WIDTH)


def emit(text: str) -> None:
    """Write `text` to stdout whole, or raise: PipeClosed when the reader has gone, OutputError
    when it cannot be written (a full disk, a file-size limit, stdout closed)."""
    stdout = sys.stdout
    if stdout is None:
        raise OutputError("standard output is closed", partial=False)
    try:
        descriptor = stdout.fileno()
    except (OSError, ValueError, AttributeError):
        descriptor = None  # not a file (a test's capture, a host's stream): write through it
    try:
        if descriptor is None:
            stdout.write(text)
            stdout.flush()
            return
        stdout.flush()  # anything written through sys.stdout before goes first
        encoding = getattr(stdout, "encoding", None) or "utf-8"
        _write_all(descriptor, text.encode(encoding, "backslashreplace"))
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
) -> None:
    """Render `document` in the chosen format and write it to stdout."""
    from clonafacts.render import RenderOptions, renderer_for

    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower()
    options = RenderOptions(
        width=width(),
        color=format_name == "text" and color_wanted(color),
        unicode=encoding.startswith("utf"),
        show_sources=sources,
    )
    text = renderer_for(format_name)(dict(document), options)
    emit(text if options.unicode else to_ascii(text))


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
