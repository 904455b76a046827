"""The fast path for the commonest call, a section lookup, answered without building the Typer app.

Why: Typer turns every parameter into a pydantic TypeAdapter on each run, which alone costs
more than the whole lookup (see tests/bench/startup.py). This recognises a strict subset of
the lookup grammar: a section command, an optional DRUG, --json, --sources, --format/-f and
--color. Anything else (help, --data, a bad value, any error) returns None and the full CLI
handles it, so messages and exit codes come from one place. Tests check that both paths print
the same thing for the same arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from clonafacts import exitcodes
from clonafacts.arguments import argument_problem
from clonafacts.output import COLOR_MODES, PipeClosed, show, silence_stdout
from clonafacts.sections import DEFAULT_DRUG, LOOKUP_COMMANDS


@dataclass(frozen=True, slots=True)
class Lookup:
    command: str
    drug: str = DEFAULT_DRUG
    format_name: str = "text"
    color: str = "auto"
    sources: bool = False


def parse(argv: list[str]) -> Lookup | None:
    """The lookup `argv` asks for, or None when it is anything but a plain, valid lookup."""
    from clonafacts.render import FORMATS

    if not argv or argv[0] not in LOOKUP_COMMANDS:
        return None
    drug: str | None = None
    format_name, json_, color, sources = "text", False, "auto", False
    rest = iter(argv[1:])
    for arg in rest:
        if arg in ("--json", "--sources"):
            json_, sources = json_ or arg == "--json", sources or arg == "--sources"
            continue
        name, equals, value = arg.partition("=")
        if name in ("--format", "--color") or arg == "-f":
            if not equals:
                value = next(rest, "")
            if name == "--color":
                color = value
            else:
                format_name = value.lower()
        elif arg.startswith("-") or drug is not None or argument_problem(arg) is not None:
            return None
        else:
            drug = arg
    if format_name not in FORMATS or color not in COLOR_MODES:
        return None
    chosen = "json" if json_ else format_name
    return Lookup(argv[0], drug or DEFAULT_DRUG, chosen, color, sources)


def run(argv: list[str]) -> int | None:
    """Answer a plain lookup and return the exit code, or None to let the full CLI run."""
    lookup = parse(argv)
    if lookup is None:
        return None
    from clonafacts import service

    try:
        document = service.lookup(lookup.command, lookup.drug, [])
        show(document, lookup.format_name, lookup.color, lookup.sources)
    except (PipeClosed, BrokenPipeError):
        silence_stdout()
        return exitcodes.PIPE_CLOSED
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED
    except Exception:
        # Errors, bugs too, are reported by the full CLI: one set of messages and exit codes.
        return None
    return exitcodes.OK
