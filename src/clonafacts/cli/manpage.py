"""The man page, clonafacts(1), written from the CLI's own commands, options and help texts, so
it never drifts from them. `clonafacts man` prints it; the wheel installs a copy in
share/man/man1 (tests check that copy equals what this writes)."""

from __future__ import annotations

import re
from typing import Any

from clonafacts._version import __version__
from clonafacts.cli.exitcodes import MEANINGS

ENVIRONMENT = (
    (
        "CLONAFACTS_DATA",
        "Extra data files or folders, separated by ':' (';' on Windows); loaded"
        " after the shipped data and before --data.",
    ),
    (
        "CLONAFACTS_CACHE_DIR",
        "The folder of the store (default: the user cache folder, such as ~/.cache/clonafacts).",
    ),
    ("CLONAFACTS_NO_CACHE", "When set, the store is built in memory for each run."),
    (
        "CLONAFACTS_PAGER",
        "The pager for output taller than the terminal; empty for none. Else"
        " PAGER, else less -FRX.",
    ),
    ("PAGER", "The pager, when CLONAFACTS_PAGER is not set; empty for none."),
    ("CLONAFACTS_DEBUG", "When set, an internal error shows its traceback."),
    ("NO_COLOR, FORCE_COLOR", "Turn colour off, or on when not on a terminal; --color wins."),
    ("COLUMNS", "The width of text output, between 20 and 1000."),
    ("TERM", "dumb: no colour, frames or pager."),
)
FILES = (
    (
        "~/.cache/clonafacts/store-*.sqlite3",
        "The stores: the validated data and its search index,"
        " one per set of data paths, rebuilt when the data changes.",
    ),
)


def _roff(text: str) -> str:
    """Text for roff: backslashes and hyphens escaped, no line starting a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.MULTILINE)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(part.split()) for part in text.strip().split("\n\n") if part.strip()]


def render(group: Any) -> str:
    """The man page of the Click group `group` (the Typer app's)."""
    from typer._click import Context  # Typer's own Click, pinned with Typer

    context = Context(group, info_name="clonafacts")
    lines = [
        f'.TH CLONAFACTS 1 "" "clonafacts {__version__}" "User Commands"',
        ".SH NAME",
        "clonafacts \\- offline reference for medication facts, for study",
        ".SH SYNOPSIS",
        ".B clonafacts",
        "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
    ]
    for paragraph in _paragraphs(group.help or ""):
        lines += [_roff(paragraph), ".PP"]
    lines += [".SH OPTIONS", *_options(group, context), ".SH COMMANDS"]
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        sub = Context(command, info_name=name, parent=context)
        usage = " ".join(command.collect_usage_pieces(sub))
        lines += [f".SS {name}", f".B clonafacts {name}", _roff(usage), ".PP"]
        for paragraph in _paragraphs(command.help or ""):
            lines += [_roff(paragraph), ".PP"]
        if command.epilog:
            lines += [_roff(" ".join(command.epilog.split())), ".PP"]
        lines += _options(command, sub)
    lines.append(".SH EXIT STATUS")
    for code, meaning in MEANINGS:
        lines += [".TP", f".B {code}", _roff(meaning)]
    lines.append(".SH ENVIRONMENT")
    for name, meaning in ENVIRONMENT:
        lines += [".TP", f".B {_roff(name)}", _roff(meaning)]
    lines.append(".SH FILES")
    for name, meaning in FILES:
        lines += [".TP", f".I {_roff(name)}", _roff(meaning)]
    lines += [".SH EXAMPLES", _roff(" ".join((group.epilog or "").split())), ".PP"]
    lines += [
        ".SH NOTES",
        "For study and reference only; not medical advice. clonafacts holds no doses,",
        "titrations or taper schedules.",
    ]
    return "\n".join(lines) + "\n"


def _options(command: Any, context: Any) -> list[str]:
    lines: list[str] = []
    for parameter in command.get_params(context):
        record = parameter.get_help_record(context)
        if record is None:
            continue
        names, help_text = record
        lines += [".TP", f".B {_roff(names)}", _roff(" ".join(help_text.split()) or "")]
    return lines
