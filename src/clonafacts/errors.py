"""The domain exceptions. Library code raises these; only the CLI turns them into exit codes."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

#: C0/C1 control characters, DEL and the bidi overrides that can reorder what a terminal shows,
#: as the body of a regular-expression character class (it reads the same in Python, Rust and
#: JavaScript, so the data schema can carry it too).
UNSAFE_CHARACTERS = r"\x00-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069"
#: Lone surrogates: bytes of a file name that are not UTF-8 (Python keeps them as U+DC80 to
#: U+DCFF), which no output can carry as they are.
SURROGATES = "\ud800-\udfff"
_UNSAFE = re.compile(f"[{UNSAFE_CHARACTERS}{SURROGATES}]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, shown as the byte it was
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """Escape anything a terminal could act on, and bytes that are not text, so nothing raw
    from a file, a file name or an argument ever reaches the terminal."""
    return _UNSAFE.sub(_escaped, text)


def printable_name(name: str) -> str:
    """A name quoted for a message, with anything that is not ASCII written as an escape when
    it could be mistaken for a letter it is not (`'Kl\\u043enopin'`)."""
    if name.isascii():
        return repr(name)
    return (
        "'"
        + "".join(
            char if char.isascii() and char.isprintable() else f"\\u{ord(char):04x}"
            for char in name
        )
        + "'"
    )


def _scripts(text: str) -> set[str]:
    """The scripts of a text's letters, by the first word of their Unicode names (LATIN...)."""
    import unicodedata

    return {unicodedata.name(char, "?").split(" ")[0] for char in text if char.isalpha()}


class Problem(NamedTuple):
    """One thing wrong with a data file, located as precisely as we can."""

    path: str
    message: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return printable(f"{where}: {self.message}")


class ClonafactsError(Exception):
    """Base of every error the library reports to a user."""


class DataError(ClonafactsError):
    """One or more data files could not be loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class NotFoundError(ClonafactsError):
    """A lookup found nothing: an unknown medication, a missing section, no search hits."""


#: With this many medications or fewer, an unknown name is answered with all of them.
LIST_ALL_AT_MOST = 8


class UnknownMedicationError(NotFoundError):
    #: How the message begins: what was not found by that name.
    missing = "no medication named"

    def __init__(self, name: str, suggestions: list[str], known: list[str] | None = None) -> None:
        self.name = name
        self.suggestions = suggestions
        self.known = known or []  # the medications there are, when there are few
        # Names in other scripts than each other could look identical: show them as escapes.
        scripts = _scripts(name)
        alike = len(scripts) > 1 or any(_scripts(s) != scripts for s in suggestions)
        quote = printable_name if alike else repr
        message = f"{self.missing} {quote(name)}"
        if suggestions:
            message += "; did you mean " + " or ".join(quote(s) for s in suggestions) + "?"
        elif self.known:
            message += "; the medications are " + ", ".join(self.known)
        super().__init__(printable(message))


class UnknownLabelError(UnknownMedicationError):
    """No imported label by that name (a lookup with --label, a label search)."""

    missing = "no imported label named"


class UnknownSetIdError(NotFoundError):
    def __init__(self, set_id: str) -> None:
        super().__init__(printable(f"no imported label has the set id {set_id!r}"))


class LabelOnlyError(NotFoundError):
    """A name only imported labels have, given where curated facts are needed."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            printable(
                f"{name!r} is an imported label, not a curated medication; this command uses"
                " curated facts only"
            )
        )


class MissingSectionError(NotFoundError):
    def __init__(self, medication: str, section: str) -> None:
        super().__init__(printable(f"{medication} has no {section!r} section in the loaded data"))


class NoMatchesError(NotFoundError):
    def __init__(self, query: list[str]) -> None:
        super().__init__(printable("no facts match " + " ".join(repr(w) for w in query)))


class QueryError(ClonafactsError):
    """A search query that cannot be understood (an unsupported operator, an open quote)."""

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


class NoCardsError(NotFoundError):
    """The chosen medications and sections give no study cards."""


class StateError(ClonafactsError):
    """The quiz's review state or the label store cannot be used: a damaged file, one from a
    newer clonafacts, or one that cannot be written. It is never replaced silently."""

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


class LabelStoreBusyError(StateError):
    """An import is writing the label store: it holds the write lock to its end."""


class IncompleteError(StateError):
    """Part of an answer: `document` is what could be answered, the message why the rest could
    not (the CLI shows the document, then reports the message)."""

    def __init__(self, document: Any, reason: str) -> None:
        self.document = document
        super().__init__(reason)


class LabelFileError(ClonafactsError):
    """A file given to import is not an openFDA drug label file (or cannot be read): the import
    stops and changes nothing."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(printable(f"{path}: {problem}"))


class AmbiguousNameError(NotFoundError):
    """A name that several labelled products share (one brand on different medications)."""

    def __init__(self, name: str, choices: list[tuple[str, str]]) -> None:
        self.choices = choices  # (set id, what it is)
        listed = "; ".join(f"{what} (--set-id {set_id})" for set_id, what in choices[:8])
        more = f"; and {len(choices) - 8} more" if len(choices) > 8 else ""
        super().__init__(printable(f"{name!r} names several labelled products: {listed}{more}"))


class NoLabelsError(NotFoundError):
    def __init__(self) -> None:
        super().__init__(
            "no labels are imported: download openFDA's drug label files and run"
            " 'clonafacts import openfda FILE...'"
        )
