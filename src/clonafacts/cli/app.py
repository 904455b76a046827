"""The command line: parse, call the API (clonafacts.api), pick a renderer, map errors to exit
codes."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import PurePath
from typing import Annotated, Any, NoReturn

import typer

# Typer vendors its own Click and exposes no public name for its exceptions; pyproject.toml
# pins Typer to the minor version these imports are tested with.
from typer._click import exceptions as click_exceptions
from typer._click import utils as click_utils
from typer.core import TyperArgument, TyperGroup

from clonafacts import api
from clonafacts._version import __version__
from clonafacts.cli import exitcodes
from clonafacts.cli.arguments import argument_problem
from clonafacts.cli.output import (
    OutputError,
    PipeClosed,
    emit,
    emit_bytes,
    show,
    silence_stdout,
)
from clonafacts.cli.reporting import note, report, report_data_error, report_problems, warn
from clonafacts.errors import (
    ClonafactsError,
    DataError,
    IncompleteError,
    LabelFileError,
    NoMatchesError,
    NotFoundError,
    QueryError,
    StateError,
    printable,
)
from clonafacts.sections import DEFAULT_DRUG, LOOKUP_COMMANDS, SECTION_ORDER

DEBUG_ENV = "CLONAFACTS_DEBUG"


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    yaml = "yaml"
    markdown = "markdown"


class ColorMode(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class Origin(StrEnum):
    curated = "curated"
    label = "label"
    all = "all"


class SchemaKind(StrEnum):
    data = "data"
    output = "output"


# ---------------------------------------------------------------------------------------------
# Arguments shared by many commands, defined once.


def _checked_text(value: str | None) -> str | None:
    if value is not None and (problem := argument_problem(value)):
        raise typer.BadParameter(problem)
    return value


def _checked_paths(values: list[str] | None) -> list[str] | None:
    for value in values or []:
        if not value.strip():
            raise typer.BadParameter("a path must not be empty")
        if not os.path.lexists(value):
            raise typer.BadParameter(f"no such file or folder: '{printable(value)}'")
    return values


def _checked_words(values: list[str] | None) -> list[str] | None:
    for value in values or []:
        _checked_text(value)
    return values


def _complete_drug(incomplete: str) -> list[str]:
    try:
        with api.open_database() as database:
            names = database.names() + database.label_names(incomplete)
    except ClonafactsError:
        return []
    # Names match in any case; the shell keeps only words that start with what was typed,
    # so each match is offered with the user's own prefix.
    typed = incomplete.casefold()
    return sorted(
        {
            incomplete + name[len(incomplete) :]
            for name in names
            if name.casefold().startswith(typed)
        }
    )


COMPLETE_VAR = "_CLONAFACTS_COMPLETE"


def _escape_for_bash() -> None:
    """bash puts a completion on the command line as it is, so a name with a space
    ("SERTRALINE HYDROCHLORIDE") became two words: escape what bash splits on or expands, as
    its own file name completion does. zsh and fish quote completions themselves."""
    import typer.completion  # noqa: F401  (registers Typer's shells first, when imported)
    from typer._click.shell_completion import CompletionItem, add_completion_class
    from typer._completion_classes import BashComplete

    class EscapingBashComplete(BashComplete):
        def format_completion(self, item: CompletionItem) -> str:
            return re.sub(r"[^\w@%+=:,./-]", r"\\\g<0>", item.value)

    add_completion_class(EscapingBashComplete, "bash")


DrugArg = Annotated[
    str,
    typer.Argument(
        metavar="DRUG",
        help="Medication name, brand or alias (any case).",
        callback=_checked_text,
        autocompletion=_complete_drug,
        show_default=False,
    ),
]
DataOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--data",
        metavar="PATH",
        help="Extra data file or folder, loaded after the shipped data (repeatable; "
        "also CLONAFACTS_DATA).",
        callback=_checked_paths,
        show_default=False,
    ),
]
FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format (default: text).",
        case_sensitive=False,
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]
ColorOpt = Annotated[
    ColorMode,
    typer.Option("--color", help="Colour: auto follows the terminal, NO_COLOR and FORCE_COLOR."),
]
SourcesOpt = Annotated[
    bool, typer.Option("--sources", help="Number the citations and list the sources.")
]
BriefOpt = Annotated[
    bool,
    typer.Option(
        "--brief", help="Key facts and the names of the listed entries only (text, Markdown)."
    ),
]
NoPagerOpt = Annotated[
    bool,
    typer.Option(
        "--no-pager", help="Never page (else a terminal pages output taller than the screen)."
    ),
]


LabelOpt = Annotated[
    bool,
    typer.Option("--label", help="The imported FDA label's text, even for a curated medication."),
]
SetIdOpt = Annotated[
    str | None,
    typer.Option(
        "--set-id",
        metavar="ID",
        help="That imported label (a DailyMed set id), where a name has several.",
        callback=_checked_text,
        show_default=False,
    ),
]


# ---------------------------------------------------------------------------------------------
# Output and errors.


def _chosen(format_: OutputFormat | None, json_: bool) -> OutputFormat:
    """The output format: --json, else --format, else text. Both, disagreeing, is an error."""
    if json_ and format_ not in (None, OutputFormat.json):
        raise typer.BadParameter(
            f"--json and --format {format_.value} disagree: give one of them",
            param_hint="'--json'",
        )
    return OutputFormat.json if json_ else format_ or OutputFormat.text


def _output(
    document: Mapping[str, Any],
    format_: OutputFormat | None,
    json_: bool,
    color: ColorMode,
    sources: bool = False,
    brief: bool = False,
    no_pager: bool = False,
) -> None:
    show(
        document,
        _chosen(format_, json_).value,
        color.value,
        sources,
        brief=brief,
        pager=not no_pager,
    )


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Turn the library's errors into messages and exit codes (the only place that does)."""
    try:
        yield
    except NotFoundError as error:
        report(str(error))
        raise typer.Exit(exitcodes.NOT_FOUND) from None
    except DataError as error:
        report_data_error(error)
        raise typer.Exit(exitcodes.DATA) from None
    except LabelFileError as error:
        report(str(error), "Nothing was imported; the label store is as it was.")
        raise typer.Exit(exitcodes.DATA) from None
    except QueryError as error:
        report(str(error), "Search words must all match; see 'clonafacts search --help'.")
        raise typer.Exit(exitcodes.USAGE) from None
    except StateError as error:
        report(str(error))
        raise typer.Exit(exitcodes.STATE) from None


def _answer(ask: Callable[[], Any]) -> tuple[Any, IncompleteError | None]:
    """The library's document, whole or in part, and for a part why the rest is missing
    (reported after the document is shown: exit 6)."""
    try:
        return ask(), None
    except IncompleteError as error:
        return error.document, error


@contextmanager
def _database(data: list[str] | None) -> Iterator[api.Database]:
    """The database for one command; the library's warnings are shown, its errors mapped."""
    database = api.open_database(data or [])
    try:
        with _domain_errors():
            yield database
    finally:
        for warning in database.warnings:
            warn(warning)
        database.close()


# ---------------------------------------------------------------------------------------------
# The application.


class _Group(TyperGroup):
    """Runs the app with our own handling of usage errors, interrupts and closed pipes."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        if os.environ.get(complete_var or COMPLETE_VAR, "").endswith("_bash"):
            _escape_for_bash()
        if not args:
            args = ["--help"]
        code = _run(
            lambda: super(_Group, self).main(
                args, prog_name or "clonafacts", complete_var, standalone_mode=False, **extra
            ),
            debug="--debug" in args,
            # For errors Click raises without a context, name the command from the arguments.
            command=" ".join(["clonafacts", *[a for a in args if a in self.commands][:1]]),
        )
        if standalone_mode:
            sys.exit(code)
        return code

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """Commands in any case: `clonafacts WITHDRAWAL` is `clonafacts withdrawal`."""
        command = super().get_command(ctx, cmd_name) or super().get_command(ctx, cmd_name.lower())
        for parameter in getattr(command, "params", []):
            if type(parameter) is TyperArgument:
                parameter.__class__ = _Argument  # help in metavariables (see _Argument)
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise click_exceptions.UsageError(_unknown_command(name, list(self.commands)), ctx)
        return super().resolve_command(ctx, args)


class _Argument(TyperArgument):
    """An argument shown the way Click shows one: `DRUG`, `[DRUG]`, `WORD...`, with no Python
    type beside it (`<str>`, `<list[str]>`); a choice keeps its list of values."""

    def display_type(self, ctx: Any) -> str:
        return super().display_type(ctx) if self.type_descriptor.is_choice else ""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        name = name if self.required else f"[{name}]"
        return f"{name}..." if self.nargs != 1 else name


def _unknown_command(name: str, commands: list[str]) -> str:
    """What to say of a word that is no command: a medication's name, or a near miss."""
    import difflib

    shown = repr(name)  # repr escapes anything a terminal could act on
    close = difflib.get_close_matches(name.lower(), commands, n=2, cutoff=0.6)
    if close:
        return f"no command {shown}; did you mean " + " or ".join(map(repr, close)) + "?"
    try:
        with api.open_database() as database:
            database.resolve(name)
    except ClonafactsError:
        return f"no command {shown}"
    return f"no command {shown}; to look up that medication, try 'clonafacts all {name}'"


def _run(invoke: Callable[[], Any], debug: bool, command: str) -> int:
    debug = debug or bool(os.environ.get(DEBUG_ENV))
    try:
        result = invoke()
    except click_exceptions.UsageError as error:
        # Typer phrases some value errors through pydantic ("Value error, ..."); drop that noise.
        message = error.format_message().replace("Value error, ", "")
        if isinstance(error, click_exceptions.MissingParameter):
            message = " ".join(message.split())  # its list of choices, on the one line
        report(message, _usage_hint(error, command))
        return exitcodes.USAGE
    except click_exceptions.ClickException as error:
        report(error.format_message())
        return error.exit_code
    except (KeyboardInterrupt, typer.Abort):
        return exitcodes.INTERRUPTED
    except (PipeClosed, BrokenPipeError):
        silence_stdout()
        return exitcodes.PIPE_CLOSED
    except OutputError as error:
        report(*error.report())
        return exitcodes.OUTPUT
    except SystemExit:
        # Click's own handler for a closed pipe (while printing help) exits 1 after wrapping
        # stdout; report it as the closed pipe it is.
        if isinstance(sys.stdout, click_utils.PacifyFlushWrapper):
            return exitcodes.PIPE_CLOSED
        raise
    except Exception as error:
        if debug:
            raise
        report(
            f"internal error: {type(error).__name__}: {error}",
            f"This is a bug; run with {DEBUG_ENV}=1 to see the traceback.",
        )
        return exitcodes.INTERNAL
    return result if isinstance(result, int) else exitcodes.OK


def _usage_hint(error: Any, command: str) -> str:
    ctx = getattr(error, "ctx", None)
    return f"Try '{ctx.command_path if ctx is not None else command} --help' for help."


def _version(value: bool) -> None:
    if value:
        emit(f"clonafacts {__version__}\n")
        raise typer.Exit()


app = typer.Typer(
    cls=_Group,
    name="clonafacts",
    help="Benzodiazepine facts for study: clonazepam (Klonopin), alprazolam, diazepam and "
    "lorazepam; their indications, mechanism, warnings, interactions, pharmacokinetics, "
    "dependence and withdrawal; study cards and a quiz. Offline; every fact cites its source. "
    "Not medical advice.",
    # \b keeps Click from rewrapping: each example stays whole on its own line.
    epilog="\b\nExamples:\n  clonafacts withdrawal\n  clonafacts all Klonopin --brief\n"
    "  clonafacts search seizure\n"
    "  clonafacts compare benzodiazepines\n"
    "  clonafacts cards -o clonafacts.apkg\n"
    "  clonafacts withdrawal --json | jq -r '.content.symptoms[].name'",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help=f"Show tracebacks of internal errors (or {DEBUG_ENV}=1)."),
    ] = False,
) -> None:
    """Benzodiazepine facts for study. Not medical advice."""


_LOOKUP_HELP = {  # one line each: `clonafacts --help` shows them whole
    "overview": "Classification and role: what it is and is not.",
    "indications": "Labelled uses, and other uses with their standing.",
    "mechanism": "How it acts, from its target to its effect.",
    "adjunctive": "Its add-on role in another treatment (clonazepam: depression).",
    "withdrawal": "Tolerance, dependence, withdrawal; never stop abruptly.",
    "warnings": "The boxed warning, and the other major warnings.",
    "contraindications": "Who and what it must not be used in.",
    "interactions": "Other drugs and substances it interacts with.",
    "adverse-effects": "Its adverse reactions: the serious and the common.",
    "overdose": "What overdose looks like, and its management.",
    "pharmacokinetics": "Absorption, binding, metabolism, excretion.",
    "all": "Every section, in order.",
}


def _lookup_command(name: str) -> Callable[..., None]:
    def command(
        drug: DrugArg = DEFAULT_DRUG,
        format_: FormatOpt = None,
        json_: JsonOpt = False,
        color: ColorOpt = ColorMode.auto,
        sources: SourcesOpt = False,
        brief: BriefOpt = False,
        no_pager: NoPagerOpt = False,
        label: LabelOpt = False,
        set_id: SetIdOpt = None,
        data: DataOpt = None,
    ) -> None:
        with _database(data) as database:
            document = database.lookup(name, drug, label=label, set_id=set_id)
            _output(document, format_, json_, color, sources, brief, no_pager)

    command.__doc__ = _LOOKUP_HELP[name]
    return command


for _name in LOOKUP_COMMANDS:
    _example = (
        "clonafacts all --format markdown > clonazepam.md"
        if _name == "all"
        else f"clonafacts {_name} · clonafacts {_name} Klonopin --json"
    )
    app.command(_name, epilog=f"Example: {_example}")(_lookup_command(_name))


@app.command(
    "search",
    epilog="Examples: clonafacts search seizure withdrawal · clonafacts search '\"panic "
    "disorder\"' · clonafacts search benzo* --limit 5",
)
def _search(
    query: Annotated[
        list[str],
        typer.Argument(
            metavar="WORD",
            help='Words that must all match, in any form (seizure finds seizures); "a phrase"; '
            "prefix*.",
            callback=_checked_words,
            show_default=False,
        ),
    ],
    drug: Annotated[
        str | None,
        typer.Option(
            "--drug",
            metavar="NAME",
            help="Search one medication only.",
            callback=_checked_text,
            autocompletion=_complete_drug,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            metavar="N",
            min=1,
            max=api.MAX_LIMIT,
            help="Show at most N hits, best first.",
        ),
    ] = api.DEFAULT_LIMIT,
    origin: Annotated[
        Origin,
        typer.Option(
            "--origin",
            help="Curated facts, imported label text, or all (curated hits first).",
            case_sensitive=False,
        ),
    ] = Origin.all,
    format_: FormatOpt = None,
    json_: JsonOpt = False,
    color: ColorOpt = ColorMode.auto,
    no_pager: NoPagerOpt = False,
    data: DataOpt = None,
) -> None:
    """Find the facts that match every word, best first.

    Exits 1 when nothing matches, like grep (JSON and YAML still print the empty result).
    """
    with _database(data) as database:
        document, incomplete = _answer(
            lambda: database.search(query, drug=drug, limit=limit, origin=origin.value)
        )
        chosen = _chosen(format_, json_)
        if document["hits"] or chosen in (OutputFormat.json, OutputFormat.yaml):
            _output(document, format_, json_, color, no_pager=no_pager)
        if incomplete is not None:
            raise incomplete
        if not document["hits"]:
            if chosen not in (OutputFormat.json, OutputFormat.yaml):
                report(NoMatchesError(query).args[0])
            raise typer.Exit(exitcodes.NOT_FOUND)


Section = StrEnum("Section", {name: name for name in SECTION_ORDER})  # type: ignore[misc]


@app.command(
    "compare",
    epilog="Examples: clonafacts compare clonazepam lorazepam · clonafacts compare "
    "benzodiazepines --section pharmacokinetics --json",
)
def _compare(
    drugs: Annotated[
        list[str],
        typer.Argument(
            metavar="DRUG",
            help="Medications by any name, or a class such as benzodiazepines.",
            callback=_checked_words,
            autocompletion=_complete_drug,
            show_default=False,
        ),
    ],
    section: Annotated[
        Section | None,
        typer.Option(
            "--section",
            metavar="NAME",
            help="Compare one section's structured fields instead.",
            case_sensitive=False,
        ),
    ] = None,
    format_: FormatOpt = None,
    json_: JsonOpt = False,
    color: ColorOpt = ColorMode.auto,
    sources: SourcesOpt = False,
    no_pager: NoPagerOpt = False,
    data: DataOpt = None,
) -> None:
    """Medications side by side: class, schedule, indications, half-life...

    Every cell cites its sources (with --sources in text; always in JSON and Markdown).
    """
    with _database(data) as database:
        document = database.compare(drugs, section.value if section else None)
        _output(document, format_, json_, color, sources, no_pager=no_pager)


@app.command(
    "list",
    epilog="Examples: clonafacts list --json | jq -r '.medications[].id' · clonafacts list "
    "--labels sertraline",
)
def _list(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[NAME]",
            help="With --labels: only the labels of this name.",
            callback=_checked_text,
            show_default=False,
        ),
    ] = None,
    labels: Annotated[
        bool, typer.Option("--labels", help="The imported FDA labels instead, one a line.")
    ] = False,
    format_: FormatOpt = None,
    json_: JsonOpt = False,
    color: ColorOpt = ColorMode.auto,
    no_pager: NoPagerOpt = False,
    data: DataOpt = None,
) -> None:
    """The medications: brands, class, sections, origin; or the imported labels."""
    if name is not None and not labels:
        raise typer.BadParameter("a NAME lists labels: add --labels", param_hint="'NAME'")
    with _database(data) as database:
        if not labels:
            document, incomplete = _answer(database.listing)
            _output(document, format_, json_, color, no_pager=no_pager)
            if incomplete is not None:
                raise incomplete
            return
        from clonafacts.render.label_list import chunks

        found = False

        def rows() -> Iterator[dict[str, Any]]:
            nonlocal found
            for row in database.label_listing(name):
                found = True
                yield row

        for chunk in chunks(rows(), _chosen(format_, json_).value, name):
            emit(chunk)
        if name is not None and not found:
            raise NotFoundError(f"no imported label named {printable(repr(name))}")


@app.command("sources", epilog="Example: clonafacts sources --format markdown")
def _sources(
    drug: DrugArg = DEFAULT_DRUG,
    format_: FormatOpt = None,
    json_: JsonOpt = False,
    color: ColorOpt = ColorMode.auto,
    no_pager: NoPagerOpt = False,
    data: DataOpt = None,
) -> None:
    """The references in full, and the sections citing each."""
    with _database(data) as database:
        _output(database.sources(drug), format_, json_, color, no_pager=no_pager)


# ---------------------------------------------------------------------------------------------
# Study mode: its libraries (genanki, fsrs) are loaded by these commands only.

CardSection = StrEnum(  # type: ignore[misc]
    "CardSection", {name: name for name in (*SECTION_ORDER, "compare")}
)


class CardFormat(StrEnum):
    anki = "anki"
    tsv = "tsv"
    markdown = "markdown"
    json = "json"


#: The format an output file's name implies, when --format is not given.
_CARD_SUFFIXES = {
    ".apkg": CardFormat.anki,
    ".tsv": CardFormat.tsv,
    ".txt": CardFormat.tsv,
    ".md": CardFormat.markdown,
    ".json": CardFormat.json,
}

StudyDrugsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="DRUG",
        help="Medications by any name, or a class (default: every medication).",
        callback=_checked_words,
        autocompletion=_complete_drug,
        show_default=False,
    ),
]
StudySectionOpt = Annotated[
    list[CardSection] | None,
    typer.Option(
        "--section",
        metavar="NAME",
        help="Only this section's cards (repeatable); 'compare' for the contrast cards.",
        case_sensitive=False,
        show_default=False,
    ),
]


def _sections(chosen: list[CardSection] | None) -> list[str] | None:
    return [section.value for section in chosen] if chosen else None


@app.command(
    "cards",
    epilog="Examples: clonafacts cards -o clonafacts.apkg · clonafacts cards diazepam "
    "--section withdrawal --format markdown",
)
def _cards(
    drugs: StudyDrugsArg = None,
    section: StudySectionOpt = None,
    format_: Annotated[
        CardFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="anki (.apkg), tsv (Anki text import), markdown or json (default: from the "
            "file name of -o, else markdown).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (whole or not at all) instead of standard output; - is"
            " standard output.",
            callback=_checked_text,
            show_default=False,
        ),
    ] = None,
    data: DataOpt = None,
) -> None:
    """Study cards from the facts, for Anki or to print.

    One fact per card, each answer citing its sources. Importing a newer export into Anki
    updates the notes already there (their review history kept), with no duplicates.
    """
    to_stdout = output in (None, "-")
    suffix = PurePath(output).suffix.lower() if output and not to_stdout else ""
    chosen = format_ or _CARD_SUFFIXES.get(suffix, CardFormat.markdown)
    on_terminal = to_stdout and sys.stdout is not None and sys.stdout.isatty()
    if chosen is CardFormat.anki and (output is None or on_terminal):
        # Binary to a terminal would be noise: `-o -` asks for it in a pipe or a redirection.
        raise typer.BadParameter(
            "an Anki package is a file: give -o FILE.apkg (or -o - with standard output"
            " redirected)",
            param_hint="'--format'",
        )
    with _database(data) as database:
        document = database.cards(drugs or [], _sections(section))
    from clonafacts.study import export

    if chosen is CardFormat.anki:
        content = export.apkg_bytes(document)
    elif chosen is CardFormat.tsv:
        content = export.tsv_text(document).encode("utf-8")
    else:
        from clonafacts.render import RenderOptions, renderer_for

        if to_stdout:
            show(document, chosen.value, pager=False)
            return
        text = renderer_for(chosen.value)(dict(document), RenderOptions())
        content = text.encode("utf-8")
    if to_stdout:
        emit_bytes(content)
        return
    assert output is not None
    try:
        export.write_file(output, content)
    except BrokenPipeError:  # -o /dev/stdout, and the reader has gone
        raise PipeClosed from None
    except OSError as error:
        raise OutputError(f"{output}: {error.strerror or error}", partial=False) from None
    count = len(document["cards"])
    note(f"Wrote {count} card{'s' if count != 1 else ''} to {output}")


@app.command(
    "quiz",
    epilog="Examples: clonafacts quiz · clonafacts quiz lorazepam --section pharmacokinetics "
    "· clonafacts quiz --stats --json",
)
def _quiz(
    drugs: StudyDrugsArg = None,
    section: StudySectionOpt = None,
    new: Annotated[
        int,
        typer.Option("--new", metavar="N", min=0, help="New cards a day, at most."),
    ] = 20,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", metavar="N", min=1, help="Cards this session, at most.", show_default=False
        ),
    ] = None,
    stats: Annotated[
        bool, typer.Option("--stats", help="Show progress instead: seen, due, retention.")
    ] = False,
    json_: JsonOpt = False,
    data: DataOpt = None,
) -> None:
    """A spaced-repetition quiz in the terminal (FSRS): due cards first, then new ones.

    Press Enter to reveal (or type an answer first), then rate 1 Again, 2 Hard, 3 Good,
    4 Easy; q or Ctrl-C ends the session with progress saved. The review state is kept in
    the user's data folder (CLONAFACTS_STATE_DIR overrides).
    """
    from clonafacts.cli import quiz

    if not stats and not quiz.interactive():
        report(
            "the quiz is interactive: run it in a terminal",
            "For cards to print or import into Anki, use 'clonafacts cards'.",
        )
        raise typer.Exit(exitcodes.USAGE)
    with _database(data) as database:
        document = database.cards(drugs or [], _sections(section))
        if stats:
            quiz.show_stats(document, json_=json_)
        else:
            quiz.run(document, new=new, limit=limit)


# ---------------------------------------------------------------------------------------------
# Imported labels.

import_app = typer.Typer(
    cls=_Group,
    name="import",
    help="Import label files, to look up any labelled medication offline.",
    epilog="Example: clonafacts import openfda drug-label-0001-of-0013.json.zip",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(import_app, name="import")


@import_app.command(
    "openfda",
    epilog="Example: clonafacts import openfda ~/Downloads/drug-label-0001-of-0013.json.zip",
)
def _import_openfda(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH",
            help="openFDA drug label files as downloaded (.json.zip), unzipped (.json), or "
            "folders of them.",
            callback=_checked_paths,
            show_default=False,
        ),
    ],
    include_otc: Annotated[
        bool, typer.Option("--include-otc", help="Import non-prescription labels too.")
    ] = False,
) -> None:
    """Import openFDA drug label files: every labelled medication, offline.

    Prescription labels by default. One transaction: interrupted, or stopped by a file that is
    not a label file, nothing changes. Importing again is safe: a newer label replaces the
    one imported, the same one is left as it is.
    """
    from clonafacts.cli import progress

    with _database(None) as database, progress.records() as advance:
        summary = database.import_openfda(paths, include_otc=include_otc, progress=advance)
    note(summary.line())


@app.command("validate", epilog="Example: clonafacts validate my-data/")
def _validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="Files or folders (default: all loaded data).",
            callback=_checked_paths,
            show_default=False,
        ),
    ] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Print the result as data (problems included).")
    ] = False,
    data: DataOpt = None,
) -> None:
    """Check data files; print problems as file:line:column.

    Exit 0 when every file is valid, 1 otherwise.
    """
    report = api.validate(paths or [], data or [])
    if json_:
        show(report.document(), "json")
    else:
        if report.problems:
            report_problems(report.problems)
        emit(report.summary() + "\n")
    if not report.ok:
        raise typer.Exit(exitcodes.INVALID)


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@app.command("completion", epilog="Example: clonafacts completion zsh > ~/.zfunc/_clonafacts")
def _completion(
    shell: Annotated[Shell, typer.Argument(help="The shell to complete in.", metavar="SHELL")],
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Load it from your shell's startup file, for example `source <(clonafacts completion bash)`
    in ~/.bashrc, or save it where your shell looks for completions.
    """
    # Typer writes the scripts; it keeps the function that does it in a private module, which
    # the pinned Typer version is tested with (tests/test_terminal.py loads each script).
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="clonafacts", complete_var=COMPLETE_VAR, shell=shell.value
    )
    emit(script.rstrip("\n") + "\n")


@app.command("help", epilog="Example: clonafacts help search")
def _help(
    ctx: typer.Context,
    command: Annotated[
        str | None, typer.Argument(metavar="COMMAND", help="The command to explain.")
    ] = None,
) -> None:
    """Show the help of clonafacts, or of one command (as --help does)."""
    group = ctx.parent.command if ctx.parent is not None else None
    if command is None or group is None:
        emit((ctx.parent or ctx).get_help() + "\n")
        return
    target = group.get_command(ctx.parent, command)  # type: ignore[attr-defined]
    if target is None:
        raise typer.BadParameter(_unknown_command(command, list(group.commands)))  # type: ignore[attr-defined]
    with target.make_context(
        target.name, ["--help"], parent=ctx.parent, resilient_parsing=True
    ) as sub_ctx:
        emit(target.get_help(sub_ctx) + "\n")


@app.command("man", epilog="Example: clonafacts man > clonafacts.1 && man -l clonafacts.1")
def _man(ctx: typer.Context) -> None:
    """Print the man page, clonafacts(1), in roff."""
    from clonafacts.cli.manpage import render

    group = ctx.parent.command if ctx.parent is not None else ctx.command
    emit(render(group))


@app.command("schema", epilog="Example: clonafacts schema data > clonafacts-data.schema.json")
def _schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(metavar="KIND", help="data: a data file; output: the JSON output."),
    ],
) -> None:
    """Print the JSON Schema of data files or of the output."""
    import json

    from clonafacts.facts.schemas import data_schema, output_schema

    schema = data_schema() if kind is SchemaKind.data else output_schema()
    emit(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")


def main() -> NoReturn:
    """The full CLI, after the fast path declined (see __main__.py, which also maps an
    interrupt before Typer takes over)."""
    app()
    sys.exit(exitcodes.OK)
