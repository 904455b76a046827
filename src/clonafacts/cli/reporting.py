"""Messages on stderr, for the CLI: one Rich console, nothing raw from data or arguments."""

from __future__ import annotations

from typing import Any

from clonafacts.errors import DataError, Problem, printable

MAX_SHOWN_PROBLEMS = 10
MAX_SHOWN_CHARS = 300  # of one line of an error message


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)


def report(message: str, hint: str | None = None) -> None:
    from rich.text import Text

    console = _console()
    line = Text("Error: ", style="bold red")
    line.append(readable(message))
    console.print(line)
    if hint:
        console.print(Text(printable(hint), style="dim"))


def readable(message: str) -> str:
    """A message safe for the terminal: Click's own line breaks kept, anything else escaped,
    and an echoed argument of pages cut short."""
    lines = [printable(line.replace("\t", "  ")) for line in message.splitlines() or [""]]
    return "\n".join(
        line
        if len(line) <= MAX_SHOWN_CHARS
        else f"{line[:MAX_SHOWN_CHARS]}... ({len(line) - MAX_SHOWN_CHARS:,} more characters)"
        for line in lines
    )


def report_data_error(error: DataError) -> None:
    from rich.text import Text

    console = _console()
    shown = error.problems[:MAX_SHOWN_PROBLEMS]
    for problem in shown:
        line = Text("Error: ", style="bold red")
        line.append(str(problem))
        console.print(line)
    hidden = len(error.problems) - len(shown)
    if hidden:
        console.print(
            Text(f"... and {hidden} more; run 'clonafacts validate' to see all", style="dim")
        )


def report_problems(problems: list[Problem]) -> None:
    console = _console()
    from rich.text import Text

    for problem in problems:
        console.print(Text(str(problem)))


def warn(message: str) -> None:
    """A one-line warning: something was not used, and the run went on without it."""
    from rich.text import Text

    line = Text("Warning: ", style="bold yellow")
    line.append(readable(message))
    _console().print(line)


def note(message: str) -> None:
    """A one-line note of what was done (`Wrote 105 cards to deck.apkg`): on stderr, so that
    standard output carries only the output."""
    from rich.text import Text

    _console().print(Text(readable(message)))
