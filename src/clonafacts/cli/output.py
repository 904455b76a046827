"""Where output goes: the terminal's width and colour, and writing to stdout.

Kept free of Typer so that the fast lookup path can use it without importing the CLI.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

COLOR_MODES = ("auto", "always", "never")


class PipeClosed(Exception):
    """stdout went away (`| head`); the CLI ends quietly."""


def color_wanted(mode: str) -> bool:
    """--color wins; then NO_COLOR, then FORCE_COLOR; else colour only on a terminal."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def width() -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        import shutil

        return shutil.get_terminal_size().columns
    return 100


def emit(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise PipeClosed from None


def silence_stdout() -> None:
    """After a closed pipe, point stdout at devnull so the flush at exit cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
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
