"""Which data files to load: the shipped ones, then CLONAFACTS_DATA, then --data."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from clonafacts.errors import DataError, Problem
from clonafacts.limits import MAX_DATA_FILES

DATA_ENV = "CLONAFACTS_DATA"
SHIPPED = "shipped"
DATA_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class DataFile:
    path: str  # absolute; a plain string, as discovery runs on every lookup
    shown: str  # how messages name the file
    origin: str  # "shipped", or the path the user gave


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


def _folder_files(folder: str) -> list[DataFile]:
    """The .yaml/.yml entries of a folder, by name; hidden ones are skipped."""
    # Named by the absolute path (so a file reached twice is seen to be one), shown as given.
    absolute = os.path.abspath(folder)
    with os.scandir(folder) as entries:
        names = sorted(
            entry.name
            for entry in entries
            if entry.name.lower().endswith(DATA_SUFFIXES) and not entry.name.startswith(".")
        )
    return [
        DataFile(os.path.join(absolute, name), shown, shown)
        for name in names
        for shown in (os.path.join(folder, name),)
    ]


def user_paths(data_paths: list[str], environ: dict[str, str] | None = None) -> list[str]:
    """The user's data paths in load order: the environment variable's, then --data's."""
    environ = dict(os.environ) if environ is None else environ
    from_env = [part for part in environ.get(DATA_ENV, "").split(os.pathsep) if part.strip()]
    return from_env + list(data_paths)


def data_files(data_paths: list[str], environ: dict[str, str] | None = None) -> list[DataFile]:
    """Every data file to load, in order; a later file with the same id replaces an earlier one."""
    return unique_files(shipped_files() + files_at(user_paths(data_paths, environ), data_paths))


def shipped_files() -> list[DataFile]:
    return [
        DataFile(found.path, found.shown, SHIPPED)
        for found in _folder_files(str(shipped_data_dir()))
    ]


def files_at(paths: list[str], data_paths: list[str] | None = None) -> list[DataFile]:
    """The data files at the given paths: files as given, folders by their .yaml/.yml files."""
    found, problems = collect_files(paths, data_paths)
    if problems:
        raise DataError(problems)
    return found


def collect_files(
    paths: list[str], data_paths: list[str] | None = None
) -> tuple[list[DataFile], list[Problem]]:
    """The data files at `paths`, and a problem for each path that cannot be read."""
    found: list[DataFile] = []
    problems: list[Problem] = []
    for given in paths:
        try:
            if os.path.isdir(given):
                found += _folder_files(given)
            elif os.path.lexists(given):
                found.append(DataFile(os.path.abspath(given), given, given))
            else:
                where = "" if data_paths is None else f" (from {_source(given, data_paths)})"
                problems.append(Problem(given, f"no such data file or folder{where}"))
        except OSError as error:
            problems.append(Problem(given, f"cannot read: {error.strerror or error}"))
    found = unique_files(found)
    if len(found) > MAX_DATA_FILES:
        problems.append(
            Problem(
                str(found[MAX_DATA_FILES].path), f"more than {MAX_DATA_FILES:,} data files to load"
            )
        )
        del found[MAX_DATA_FILES:]
    return found, problems


def unique_files(files: list[DataFile]) -> list[DataFile]:
    """Each file once, however many paths reach it (a folder and a file in it, say)."""
    seen: set[str] = set()
    unique: list[DataFile] = []
    for data_file in files:
        key = os.path.normcase(data_file.path)
        if key not in seen:
            seen.add(key)
            unique.append(data_file)
    return unique


def _source(given: str, data_paths: list[str]) -> str:
    return "--data" if given in data_paths else DATA_ENV
