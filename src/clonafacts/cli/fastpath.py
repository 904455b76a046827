"""The fast path for the commonest calls, answered without building the Typer app.

Why: Typer turns every parameter into a pydantic TypeAdapter on each run, which alone costs
more than a whole lookup (see tests/bench/startup.py). This recognises a strict subset of the
grammar: a section lookup or `all` with an optional DRUG, `search WORD...` with --limit/-n,
--drug and --origin, and `list`; each with --json, --format/-f and --color (lookups also --sources).
Anything else (help, --data, a bad value, any error, a search with no hits) returns None and
the full CLI handles it, so messages and exit codes come from one place. Tests check that both
paths print the same thing for the same arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple, cast

from clonafacts.cli import exitcodes
from clonafacts.cli.arguments import argument_problem
from clonafacts.cli.output import COLOR_MODES, OutputError, PipeClosed, show, silence_stdout
from clonafacts.sections import DEFAULT_DRUG, LOOKUP_COMMANDS

#: Options that take a value, and flags, by kind of command.
_OUTPUT = ("--format", "-f", "--color")
_VALUED: dict[str, tuple[str, ...]] = {
    "lookup": _OUTPUT,
    "list": _OUTPUT,
    "search": (*_OUTPUT, "--limit", "-n", "--drug", "--origin"),
}
_FLAGS: dict[str, tuple[str, ...]] = {
    "lookup": ("--json", "--sources", "--brief", "--no-pager"),
    "list": ("--json", "--no-pager"),
    "search": ("--json", "--no-pager"),
}


class Lookup(NamedTuple):
    command: str
    drug: str = DEFAULT_DRUG
    format_name: str = "text"
    color: str = "auto"
    sources: bool = False
    words: tuple[str, ...] = ()  # search
    limit: int | None = None  # search; None: the default
    search_drug: str | None = None  # search --drug
    origin: str = "all"  # search --origin
    brief: bool = False
    pager: bool = True


def parse(argv: list[str]) -> Lookup | None:
    """The call `argv` asks for, or None when it is anything but a plain, valid one."""
    from clonafacts.render import FORMATS

    if not argv:
        return None
    command = argv[0]
    kind = "lookup" if command in LOOKUP_COMMANDS else command
    if kind not in _VALUED:
        return None
    values: dict[str, str] = {}
    flags: set[str] = set()
    positional: list[str] = []
    rest = iter(argv[1:])
    for arg in rest:
        name, equals, value = arg.partition("=")
        if arg in _FLAGS[kind]:
            flags.add(arg)
        elif name in _VALUED[kind] and (name.startswith("--") or not equals):
            if not equals:
                following = next(rest, None)
                if following is None:
                    return None
                value = following
            values[{"-f": "--format", "-n": "--limit"}.get(name, name)] = value
        elif arg.startswith("-") or argument_problem(arg) is not None:
            return None
        else:
            positional.append(arg)
    format_name = values.get("--format", "text").lower()
    color = values.get("--color", "auto")
    if format_name not in FORMATS or color not in COLOR_MODES:
        return None
    if "--json" in flags and "--format" in values and format_name != "json":
        return None  # --json with another --format: the full CLI says they disagree
    chosen = "json" if "--json" in flags else format_name
    if kind == "lookup":
        if len(positional) > 1:
            return None
        drug = positional[0] if positional else DEFAULT_DRUG
        return Lookup(
            command,
            drug,
            chosen,
            color,
            "--sources" in flags,
            brief="--brief" in flags,
            pager="--no-pager" not in flags,
        )
    pager = "--no-pager" not in flags
    if kind == "list":
        return None if positional else Lookup(command, format_name=chosen, color=color, pager=pager)
    limit = values.get("--limit")
    search_drug = values.get("--drug")
    origin = values.get("--origin", "all").lower()
    if origin not in ("curated", "label", "all"):
        return None
    if not positional or (limit is not None and not limit.isdigit()):
        return None
    if search_drug is not None and argument_problem(search_drug) is not None:
        return None
    return Lookup(
        command,
        format_name=chosen,
        color=color,
        words=tuple(positional),
        limit=None if limit is None else int(limit),
        search_drug=search_drug,
        origin=origin,
        pager=pager,
    )


def run(argv: list[str]) -> int | None:
    """Answer a plain call and return the exit code, or None to let the full CLI run."""
    call = parse(argv)
    if call is None:
        return None
    from clonafacts import api
    from clonafacts.errors import IncompleteError

    database = api.open_database()
    incomplete: IncompleteError | None = None
    try:
        document: Mapping[str, Any]
        try:
            if call.command == "list":
                document = database.listing()
            elif call.command == "search":
                limit = api.DEFAULT_LIMIT if call.limit is None else call.limit
                document = database.search(
                    list(call.words), drug=call.search_drug, limit=limit, origin=call.origin
                )
            else:
                document = database.lookup(call.command, call.drug)
        except IncompleteError as error:  # part of an answer: shown, then said (exit 6)
            document, incomplete = error.document, error
        if call.command == "search" and not cast("Mapping[str, Any]", document)["hits"]:
            return None  # the full CLI says so, with its exit code
        show(
            document,
            call.format_name,
            call.color,
            call.sources,
            brief=call.brief,
            pager=call.pager,
        )
    except (PipeClosed, BrokenPipeError):
        silence_stdout()
        return exitcodes.PIPE_CLOSED
    except OutputError as error:
        # Reported here: the full CLI would write (part of) the output a second time.
        from clonafacts.cli.reporting import report

        report(*error.report())
        return exitcodes.OUTPUT
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED
    except Exception:
        # Errors, bugs too, are reported by the full CLI: one set of messages and exit codes.
        return None
    finally:
        database.close()
    if database.warnings:
        from clonafacts.cli.reporting import warn

        for warning in database.warnings:
            warn(warning)
    if incomplete is not None:
        from clonafacts.cli.reporting import report

        report(str(incomplete))
        return exitcodes.STATE
    return exitcodes.OK
