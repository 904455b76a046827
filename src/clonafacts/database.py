"""The loaded fact database: medications as plain JSON-ready data, found by any of their names.

Validation happens once, when files are loaded; after that (and in the cache) a medication is
the plain data of its validated model, which every renderer reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clonafacts.discovery import DataFile
from clonafacts.documents import Plain
from clonafacts.errors import DataError, Problem, UnknownMedicationError

if TYPE_CHECKING:
    from clonafacts.models import Medication
    from clonafacts.yamlfile import YamlDocument

#: What `list` shows of each medication; kept in the cache index so `list` reads no facts.
SUMMARY_KEYS = ("id", "name", "brands", "aliases", "drug_class", "summary")


def to_plain(medication: Medication) -> Plain:
    """The JSON-ready data of a validated medication; absent sections are left out."""
    plain = medication.model_dump(mode="json")
    plain["sections"] = {name: body for name, body in plain["sections"].items() if body is not None}
    return plain


def summary_of(medication: Plain, origin: str) -> Plain:
    summary = {key: medication[key] for key in SUMMARY_KEYS}
    summary["sections"] = list(medication["sections"])
    summary["origin"] = origin
    return summary


def names_of(medication: Plain) -> list[str]:
    """Every name a medication answers to: id, name, brands, aliases."""
    return [medication["id"], medication["name"], *medication["brands"], *medication["aliases"]]


@dataclass
class Database:
    """Medications by id and a case-insensitive name index; data is fetched on demand."""

    #: casefolded name -> [medication id, the name as written]
    names: Mapping[str, list[Any]]
    fetch: Callable[[str], Plain] = field(repr=False)
    #: what `list` shows, with each medication's origin ("shipped" or a path)
    load_summaries: Callable[[], list[Plain]] = field(repr=False)
    load_ids: Callable[[], list[str]] = field(repr=False)

    def summaries(self) -> list[Plain]:
        return self.load_summaries()

    def ids(self) -> list[str]:
        return self.load_ids()

    def resolve(self, name: str) -> str:
        """The id of the medication called `name` (id, name, brand or alias, any case)."""
        entry = self.names.get(name.strip().casefold())
        if entry is not None:
            return str(entry[0])
        import difflib

        close = difflib.get_close_matches(
            name.strip().casefold(), list(self.names), n=3, cutoff=0.6
        )
        raise UnknownMedicationError(name, [self.names[key][1] for key in close])

    def medication(self, medication_id: str) -> Plain:
        return self.fetch(medication_id)

    def find(self, name: str) -> Plain:
        return self.fetch(self.resolve(name))

    def all(self) -> Iterable[Plain]:
        for medication_id in self.ids():
            yield self.fetch(medication_id)


def load_files(data_files: list[DataFile]) -> tuple[dict[str, Plain], dict[str, str]]:
    """Load and validate every file; raise DataError with every problem of every file."""
    from clonafacts.validation import validate_document
    from clonafacts.yamlfile import YamlFileError, load

    problems: list[Problem] = []
    medications: dict[str, Plain] = {}
    origins: dict[str, str] = {}
    owners: dict[str, str] = {}  # id -> the file that defined it
    # Where each id was loaded from, so a clash between files points at the later file's line.
    located: dict[str, tuple[str, YamlDocument]] = {}
    for data_file in data_files:
        try:
            document = load(Path(data_file.path), data_file.shown)
        except YamlFileError as error:
            problems.append(error.problem)
            continue
        medication, found = validate_document(document)
        problems += found
        if medication is None:
            continue
        plain = to_plain(medication)
        med_id = plain["id"]
        if med_id in owners and origins[med_id] != "shipped":
            line, column = document.locate(("id",))
            problems.append(
                Problem(
                    data_file.shown,
                    f"id {med_id!r} is already defined in {owners[med_id]}",
                    line,
                    column,
                )
            )
            continue
        # A user's file with a shipped id replaces the shipped entry, in the shipped place.
        medications[med_id] = plain
        origins[med_id] = data_file.origin
        owners[med_id] = data_file.shown
        located[med_id] = (data_file.shown, document)
    problems += _name_clashes(medications, located)
    if problems:
        raise DataError(problems)
    return medications, origins


def _name_clashes(
    medications: dict[str, Plain], located: dict[str, tuple[str, YamlDocument]]
) -> list[Problem]:
    problems: list[Problem] = []
    taken: dict[str, str] = {}
    for med_id, plain in medications.items():
        shown, document = located[med_id]
        for loc, name in _named_locations(plain):
            folded = name.casefold()
            owner = taken.get(folded)
            if owner is not None and owner != med_id:
                line, column = document.locate(loc)
                problems.append(
                    Problem(
                        shown,
                        f"the name {name!r} is already used by medication {owner!r}",
                        line,
                        column,
                    )
                )
            taken.setdefault(folded, med_id)
    return problems


def _named_locations(plain: Plain) -> list[tuple[tuple[str | int, ...], str]]:
    found: list[tuple[tuple[str | int, ...], str]] = [
        (("id",), plain["id"]),
        (("name",), plain["name"]),
    ]
    for key in ("brands", "aliases"):
        found += [((key, index), value) for index, value in enumerate(plain[key])]
    return found


def build(medications: dict[str, Plain], origins: dict[str, str]) -> Database:
    """A database over fully loaded medications."""
    names: dict[str, list[str]] = {}
    for med_id, plain in medications.items():
        for name in names_of(plain):
            names.setdefault(name.casefold(), [med_id, name])
    summaries = [summary_of(plain, origins[med_id]) for med_id, plain in medications.items()]
    ids = list(medications)
    return Database(names, medications.__getitem__, lambda: summaries, lambda: ids)
