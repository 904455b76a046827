"""What the CLI asks for: each lookup as an output document. Nothing here prints or exits."""

from __future__ import annotations

from dataclasses import dataclass, field

from clonafacts import documents
from clonafacts.database import Database
from clonafacts.discovery import (
    DataFile,
    collect_groups,
    data_groups,
    files_of,
    list_data_names,
    shipped_data_dir,
    shipped_group,
    user_paths,
)
from clonafacts.documents import Plain
from clonafacts.errors import DataError, Problem
from clonafacts.sections import DEFAULT_DRUG


def open_database(data_paths: list[str]) -> Database:
    """The database of the shipped data and the user's, from the cache when it is fresh."""
    from clonafacts.cache import cache_dir, cached_database
    from clonafacts.listings import remembering

    folder = cache_dir()
    lister = remembering(folder, list_data_names)
    relister = remembering(folder, list_data_names, reuse=False)
    return cached_database(
        data_groups(data_paths, lister=lister),
        folder,
        relisted=lambda: data_groups(data_paths, lister=relister),
    )


def lookup(command: str, drug: str, data_paths: list[str]) -> Plain:
    """A section lookup (`withdrawal`, ...) or `all`, as its output document."""
    medication = open_database(data_paths).find(drug)
    if command == "all":
        return documents.medication_document(medication)
    return documents.section_document(medication, command)


def search(words: list[str], drug: str | None, data_paths: list[str]) -> Plain:
    database = open_database(data_paths)
    medications = iter([database.find(drug)]) if drug else iter(database.all())
    return documents.search_document(words, documents.search_hits(medications, words))


def listing(data_paths: list[str]) -> Plain:
    return documents.list_document(open_database(data_paths).summaries())


def sources(drug: str, data_paths: list[str]) -> Plain:
    return documents.sources_document(open_database(data_paths).find(drug))


def names(data_paths: list[str]) -> list[str]:
    """Every name, brand and alias, for shell completion."""
    return [entry[1] for entry in open_database(data_paths).names.values()]


@dataclass
class ValidationReport:
    files: list[DataFile]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        count = len(self.files)
        checked = f"checked {count} data file" + ("" if count == 1 else "s")
        if self.ok:
            return f"{checked}: all valid"
        bad = len({problem.path for problem in self.problems})
        return (
            f"{checked}: {len(self.problems)} problem"
            + ("" if len(self.problems) == 1 else "s")
            + f" in {bad} file"
            + ("" if bad == 1 else "s")
        )


def validate(paths: list[str], data_paths: list[str]) -> ValidationReport:
    """Check the given files and folders, or with none, everything a lookup would load."""
    from clonafacts.database import load_files

    if paths:
        groups, problems = collect_groups(paths)
        # A folder named on purpose that holds no data is most likely a typo: say so.
        problems += [
            Problem(group.shown, "no .yaml or .yml files in this folder")
            for group in groups
            if not group.names
        ]
        files = files_of(groups)
    else:
        groups, problems = collect_groups(user_paths(data_paths), data_paths)
        files = files_of([shipped_group(), *groups])
    try:
        load_files(files)
    except DataError as error:
        problems += error.problems
    return ValidationReport(files, problems)


__all__ = ["DEFAULT_DRUG", "ValidationReport", "open_database", "shipped_data_dir"]
