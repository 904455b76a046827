"""Load data files into validated, plain medications: every problem of every file at once.

Each file is parsed fast (no positions kept) and validated. Only a file with a problem is
parsed again with every value's line and column, so the problem can be shown where it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from clonafacts.documents import Plain
from clonafacts.errors import DataError, Problem, printable_name
from clonafacts.facts.names import skeleton
from clonafacts.facts.validation import to_plain, validate_data, validate_document
from clonafacts.facts.yamlfile import YamlFileError, decode, parse, parse_fast
from clonafacts.store.discovery import SHIPPED, DataFile, UnreadableFile
from clonafacts.store.names import name_key
from clonafacts.store.snapshot import Contents, ReadFile

#: Medications already validated, by (path, identity) of the file they came from: files that
#: have not changed since the last store was built need no parsing.
Known = Mapping[tuple[str, bytes], Plain]


class Loaded(NamedTuple):
    medications: dict[str, Plain]  # by id, in load order
    origins: dict[str, str]  # by id: "shipped" or the user's path
    #: For each file read (in order), the id of the medication it defines in `medications`, or
    #: None (replaced by a later file).
    defines: list[str | None]
    parsed: set[str]  # ids whose data was parsed now rather than known


def load_contents(contents: Contents, known: Known | None = None) -> Loaded:
    """Validate every file read; raise DataError with every problem of every file.

    A user's file with a shipped id replaces the shipped entry in its place. Files in `known`
    (unchanged since they were validated) are not parsed again.
    """
    known = known or {}
    problems: list[Problem] = []
    medications: dict[str, Plain] = {}
    origins: dict[str, str] = {}
    owners: dict[str, tuple[int, ReadFile]] = {}  # id -> the file that defined it
    defines: list[str | None] = []
    parsed: set[str] = set()
    for number, read in enumerate(contents.files):
        data_file = read.data_file
        defines.append(None)
        if read.problem:
            problems.append(Problem(data_file.shown, read.problem))
            continue
        plain = known.get((data_file.path, read.identity))
        fresh = plain is None
        if plain is None:
            if read.raw is None:  # the caller let go of bytes it now wants parsed
                raise ValueError(f"{data_file.path}: its bytes were let go as known")
            try:
                plain = _validated(data_file, read.raw, problems)
            except YamlFileError as error:
                problems.append(error.problem)
                continue
            if plain is None:
                continue
        med_id = plain["id"]
        if med_id in owners and origins[med_id] != SHIPPED:
            message = f"id {med_id!r} is already defined in {owners[med_id][1][0].shown}"
            problems.append(_located(read, ("id",), message))
            continue
        if med_id in owners:
            defines[owners[med_id][0]] = None
        medications[med_id] = plain
        origins[med_id] = data_file.origin
        owners[med_id] = (number, read)
        defines[number] = med_id
        if fresh:
            parsed.add(med_id)
    problems += _name_clashes(medications, {key: owner[1] for key, owner in owners.items()})
    if problems:
        raise DataError(problems)
    return Loaded(medications, origins, defines, parsed)


def _validated(data_file: DataFile, raw: bytes, problems: list[Problem]) -> Plain | None:
    """The plain data of one file, or None with its problems added to `problems`."""
    text = decode(raw, data_file.shown)
    data = parse_fast(text)
    plain = None if data is None else validate_data(data)
    if plain is None:  # some problem: find it, with its place in the file
        medication, found = validate_document(parse(text, data_file.shown))
        problems += found
        if medication is None:
            return None
        plain = to_plain(medication)  # parse_fast declined what parse accepts
    return plain


def _located(where: ReadFile, loc: tuple[str | int, ...], message: str) -> Problem:
    shown = where.data_file.shown
    try:
        raw = where.content()
    except UnreadableFile:  # gone since it was read: say what is wrong, without the place
        return Problem(shown, message)
    line, column = parse(decode(raw, shown), shown).locate(loc)
    return Problem(shown, message, line, column)


def _name_clashes(medications: dict[str, Plain], owners: dict[str, ReadFile]) -> list[Problem]:
    """A name, brand, alias or id that two medications share, or that looks the same as
    another medication's (compared by skeleton: see facts/names.py)."""
    problems: list[Problem] = []
    taken: dict[str, tuple[str, str]] = {}  # skeleton -> (medication id, the name as written)
    for med_id, plain in medications.items():
        for loc, name in _named_locations(plain):
            look = skeleton(name)
            owner, other = taken.get(look, (med_id, name))
            if owner != med_id:
                message = (
                    f"the name {printable_name(name)} is already used by medication {owner!r}"
                    if name_key(name) == name_key(other)
                    else f"the name {printable_name(name)} looks the same as"
                    f" {printable_name(other)}, a name of medication {owner!r}"
                )
                problems.append(_located(owners[med_id], loc, message))
            taken.setdefault(look, (med_id, name))
    return problems


def _named_locations(plain: Plain) -> list[tuple[tuple[str | int, ...], str]]:
    found: list[tuple[tuple[str | int, ...], str]] = [
        (("id",), plain["id"]),
        (("name",), plain["name"]),
    ]
    for key in ("brands", "aliases"):
        found += [((key, index), value) for index, value in enumerate(plain[key])]
    return found
