"""Which data files to load: the shipped ones, then CLONAFACTS_DATA, then --data."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from clonafacts.errors import DataError, Problem
from clonafacts.limits import MAX_DATA_FILES

DATA_ENV = "CLONAFACTS_DATA"
SHIPPED = "shipped"
DATA_SUFFIXES = (".yaml", ".yml")

#: A folder's data file names from somewhere faster than listing it, or None to list it.
Lister = Callable[[str], list[str] | None]


class DataFile(NamedTuple):
    path: str  # absolute; a plain string, as discovery runs on every lookup
    shown: str  # how messages name the file
    origin: str  # "shipped", or the path the user gave


class FileGroup(NamedTuple):
    """Data files found together: a folder's, or one file named on its own.

    A warm lookup checks the files' stat data through these and never builds a DataFile
    for each of them: with a thousand files that difference is most of its cost.
    """

    folder: str  # absolute
    shown: str  # the folder as the user named it, "" or ending in a separator
    names: list[str]
    origin: str  # "shipped", or "" when each file is its own origin

    def files(self) -> list[DataFile]:
        inside = os.path.join(self.folder, "")
        return [
            DataFile(inside + name, self.shown + name, self.origin or self.shown + name)
            for name in self.names
        ]


def shipped_data_dir() -> Path:
    """The data folder inside the installed package (the top-level data/ in a source checkout)."""
    beside = Path(__file__).with_name("data")
    if beside.is_dir():  # an ordinary install: no need to pay for importing importlib.resources
        return beside
    from importlib.resources import files

    packaged = files("clonafacts").joinpath("data")
    if packaged.is_dir() and isinstance(packaged, Path):
        return packaged
    # An editable install or a bare source tree: the package sits in src/, data/ beside it.
    return Path(__file__).resolve().parents[2] / "data"


def list_data_names(folder: str) -> list[str]:
    """A folder's .yaml/.yml files, by name; hidden ones are skipped."""
    names = [
        name
        for name in os.listdir(folder)
        if name.lower().endswith(DATA_SUFFIXES) and not name.startswith(".")
    ]
    names.sort()
    return names


def _folder_group(folder: str, origin: str = "", lister: Lister | None = None) -> FileGroup:
    absolute = os.path.abspath(folder)
    names = lister(absolute) if lister is not None else None
    if names is None:
        names = list_data_names(folder)
    return FileGroup(absolute, os.path.join(folder, ""), names, origin)


def _file_group(given: str) -> FileGroup:
    folder, name = os.path.split(given)
    return FileGroup(os.path.abspath(folder or "."), given[: len(given) - len(name)], [name], "")


def user_paths(data_paths: list[str], environ: dict[str, str] | None = None) -> list[str]:
    """The user's data paths in load order: the environment variable's, then --data's."""
    environ = dict(os.environ) if environ is None else environ
    from_env = [part for part in environ.get(DATA_ENV, "").split(os.pathsep) if part.strip()]
    return from_env + list(data_paths)


def data_groups(
    data_paths: list[str], environ: dict[str, str] | None = None, lister: Lister | None = None
) -> list[FileGroup]:
    """What to load, in order (shipped, then CLONAFACTS_DATA, then --data), as file groups.

    `lister`, when given, may answer a user folder's names from memory (see listings.py).
    """
    groups, problems = collect_groups(user_paths(data_paths, environ), data_paths, lister)
    if problems:
        raise DataError(problems)
    return [shipped_group(), *groups]


def data_files(data_paths: list[str], environ: dict[str, str] | None = None) -> list[DataFile]:
    """Every data file to load, in order; a later file with the same id replaces an earlier one."""
    return files_of(data_groups(data_paths, environ))


def shipped_group() -> FileGroup:
    return _folder_group(str(shipped_data_dir()), SHIPPED)


def collect_groups(
    paths: list[str], data_paths: list[str] | None = None, lister: Lister | None = None
) -> tuple[list[FileGroup], list[Problem]]:
    """The file groups at `paths`, and a problem for each path that cannot be read."""
    groups: list[FileGroup] = []
    problems: list[Problem] = []
    for given in paths:
        try:
            if os.path.isdir(given):
                groups.append(_folder_group(given, lister=lister))
            elif os.path.lexists(given):
                groups.append(_file_group(given))
            else:
                where = "" if data_paths is None else f" (from {_source(given, data_paths)})"
                problems.append(Problem(given, f"no such data file or folder{where}"))
        except OSError as error:
            problems.append(Problem(given, f"cannot read: {error.strerror or error}"))
    if sum(len(group.names) for group in groups) > MAX_DATA_FILES:
        problems.append(Problem(paths[-1], f"more than {MAX_DATA_FILES:,} data files to load"))
    return groups, problems


def files_of(groups: list[FileGroup]) -> list[DataFile]:
    """The groups' files in order, each once however many paths reach it."""
    files = [data_file for group in groups for data_file in group.files()]
    keys = [os.path.normcase(f.path) for f in files]
    seen: set[str] = set()
    unique: list[DataFile] = []
    for data_file, key in zip(files, keys, strict=True):
        if key not in seen:
            seen.add(key)
            unique.append(data_file)
    return unique


def _source(given: str, data_paths: list[str]) -> str:
    return "--data" if given in data_paths else DATA_ENV
