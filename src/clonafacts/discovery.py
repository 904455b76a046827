"""Which data files to load: the shipped ones, then CLONAFACTS_DATA, then --data."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from clonafacts.errors import DataError, Problem
from clonafacts.limits import MAX_DATA_FILES

DATA_ENV = "CLONAFACTS_DATA"
SHIPPED = "shipped"
DATA_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class DataFile:
    path: Path
    shown: str  # how messages name the file
    origin: str  # "shipped", or the path the user gave


def shipped_data_dir() -> Path:
    """The data folder inside the installed package (the top-level data/ in a source checkout)."""
    packaged = Path(str(files("clonafacts"))) / "data"
    if packaged.is_dir():
        return packaged
    # An editable install or a bare source tree: the package sits in src/, data/ beside it.
    return Path(__file__).resolve().parents[2] / "data"


def _folder_files(folder: Path) -> list[Path]:
    return sorted(
        entry
        for entry in folder.iterdir()
        if entry.suffix.lower() in DATA_SUFFIXES and not entry.name.startswith(".")
    )


def user_paths(data_paths: list[str], environ: dict[str, str] | None = None) -> list[str]:
    """The user's data paths in load order: the environment variable's, then --data's."""
    environ = dict(os.environ) if environ is None else environ
    from_env = [part for part in environ.get(DATA_ENV, "").split(os.pathsep) if part.strip()]
    return from_env + list(data_paths)


def data_files(data_paths: list[str], environ: dict[str, str] | None = None) -> list[DataFile]:
    """Every data file to load, in order; a later file with the same id replaces an earlier one."""
    return shipped_files() + files_at(user_paths(data_paths, environ), data_paths)


def shipped_files() -> list[DataFile]:
    return [DataFile(path, str(path), SHIPPED) for path in _folder_files(shipped_data_dir())]


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
        path = Path(given)
        try:
            if path.is_dir():
                found += [DataFile(p, str(p), str(p)) for p in _folder_files(path)]
            elif path.exists() or path.is_symlink():
                found.append(DataFile(path, given, given))
            else:
                where = "" if data_paths is None else f" (from {_source(given, data_paths)})"
                problems.append(Problem(given, f"no such data file or folder{where}"))
        except OSError as error:
            problems.append(Problem(given, f"cannot read: {error.strerror or error}"))
    if len(found) > MAX_DATA_FILES:
        problems.append(
            Problem(
                str(found[MAX_DATA_FILES].path), f"more than {MAX_DATA_FILES:,} data files to load"
            )
        )
        del found[MAX_DATA_FILES:]
    return found, problems


def _source(given: str, data_paths: list[str]) -> str:
    return "--data" if given in data_paths else DATA_ENV
