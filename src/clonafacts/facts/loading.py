"""Load data files into validated, plain medications: every problem of every file at once.

Each file is parsed fast (no positions kept) and validated. Only a file with a problem is
parsed again with every value's line and column, so the problem can be shown where it is.
"""

from __future__ import annotations

from clonafacts.documents import Plain
from clonafacts.errors import DataError, Problem
from clonafacts.facts.models import Medication
from clonafacts.facts.validation import validate_data, validate_document
from clonafacts.facts.yamlfile import YamlFileError, decode, parse, parse_fast
from clonafacts.store.discovery import SHIPPED, DataFile
from clonafacts.store.names import name_key
from clonafacts.store.snapshot import Contents

Located = tuple[DataFile, str]  # a loaded file and its text, to locate a problem found later


def to_plain(medication: Medication) -> Plain:
    """The JSON-ready data of a validated medication; absent sections are left out."""
    plain = medication.model_dump(mode="json")
    plain["sections"] = {name: body for name, body in plain["sections"].items() if body is not None}
    return plain


def load_contents(contents: Contents) -> tuple[dict[str, Plain], dict[str, str]]:
    """Validate every file read; raise DataError with every problem of every file.

    Returns the medications by id, in load order (a user's file with a shipped id replaces the
    shipped entry in its place), and each one's origin.
    """
    problems: list[Problem] = []
    medications: dict[str, Plain] = {}
    origins: dict[str, str] = {}
    owners: dict[str, Located] = {}  # id -> the file that defined it
    for data_file, raw in contents.files:
        if isinstance(raw, str):  # could not be read; `raw` says why
            problems.append(Problem(data_file.shown, raw))
            continue
        try:
            text = decode(raw, data_file.shown)
            data = parse_fast(text)
            medication = None if data is None else validate_data(data)
            if medication is None:  # some problem: find it, with its place in the file
                medication, found = validate_document(parse(text, data_file.shown))
                problems += found
                if medication is None:
                    continue
        except YamlFileError as error:
            problems.append(error.problem)
            continue
        plain = to_plain(medication)
        med_id = plain["id"]
        if med_id in owners and origins[med_id] != SHIPPED:
            problems.append(
                _located(
                    (data_file, text),
                    ("id",),
                    f"id {med_id!r} is already defined in {owners[med_id][0].shown}",
                )
            )
            continue
        medications[med_id] = plain
        origins[med_id] = data_file.origin
        owners[med_id] = (data_file, text)
    problems += _name_clashes(medications, owners)
    if problems:
        raise DataError(problems)
    return medications, origins


def _located(where: Located, loc: tuple[str | int, ...], message: str) -> Problem:
    data_file, text = where
    line, column = parse(text, data_file.shown).locate(loc)
    return Problem(data_file.shown, message, line, column)


def _name_clashes(medications: dict[str, Plain], owners: dict[str, Located]) -> list[Problem]:
    """A name, brand, alias or id that two medications share (compared by name key)."""
    problems: list[Problem] = []
    taken: dict[str, str] = {}
    for med_id, plain in medications.items():
        for loc, name in _named_locations(plain):
            key = name_key(name)
            owner = taken.get(key)
            if owner is not None and owner != med_id:
                message = f"the name {name!r} is already used by medication {owner!r}"
                problems.append(_located(owners[med_id], loc, message))
            taken.setdefault(key, med_id)
    return problems


def _named_locations(plain: Plain) -> list[tuple[tuple[str | int, ...], str]]:
    found: list[tuple[tuple[str | int, ...], str]] = [
        (("id",), plain["id"]),
        (("name",), plain["name"]),
    ]
    for key in ("brands", "aliases"):
        found += [((key, index), value) for index, value in enumerate(plain[key])]
    return found
