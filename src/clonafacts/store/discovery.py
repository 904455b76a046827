"""Which data files to load (the shipped ones, then CLONAFACTS_DATA, then --data), and reading
one safely: a regular file, opened without blocking, within the size cap."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, NamedTuple

from clonafacts.errors import DataError, Problem

if TYPE_CHECKING:
    from pathlib import Path

DATA_ENV = "CLONAFACTS_DATA"
SHIPPED = "shipped"
DATA_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 2 * 1024 * 1024  # checked before a file is parsed
MAX_DATA_FILES = 10_000  # files loaded from all data paths together


class DataFile(NamedTuple):
    path: str  # absolute; a plain string, as discovery runs on every lookup
    shown: str  # how messages name the file
    origin: str  # "shipped", or the path the user gave
    #: Whether the file may be judged by its metadata: shipped data inside an installed
    #: package. Anything else (user data, an editable install's data) is judged by content.
    trusted: bool = False


class FileGroup(NamedTuple):
    """Data files found together: a folder's, or one file named on its own."""

    folder: str  # absolute
    shown: str  # the folder as the user named it, "" or ending in a separator
    names: list[str]
    origin: str  # "shipped", or "" when each file is its own origin
    trusted: bool = False

    def files(self) -> list[DataFile]:
        inside = os.path.join(self.folder, "")
        return [
            DataFile(
                inside + name, self.shown + name, self.origin or self.shown + name, self.trusted
            )
            for name in self.names
        ]


class UnreadableFile(Exception):
    """A data file that cannot be read as one; the message says why, for a Problem."""


def read_data_file(path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a data file and the stat of what was actually opened.

    Opened non-blocking, so a FIFO put in a file's place cannot hang the run, and checked
    after opening (fstat), so what is read is the regular file that was checked.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except RecursionError:  # pragma: no cover - some platforms report a loop this way
        raise UnreadableFile("cannot read: symbolic link loop") from None
    except OSError as error:
        raise UnreadableFile(f"cannot read: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableFile("is a folder, not a data file")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise UnreadableFile(f"file is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        # Ask for what fstat says is there, and a byte more to see it end: asking for the limit
        # would allocate megabytes for every small file, most of a warm lookup's cost.
        raw = os.read(descriptor, info.st_size + 1)
        if len(raw) > info.st_size:  # it grew since fstat: read on, up to the limit
            chunks = [raw]
            total = len(raw)
            while total <= MAX_FILE_BYTES and (chunk := os.read(descriptor, 1 << 16)):
                chunks.append(chunk)
                total += len(chunk)
            raw = b"".join(chunks)
    except OSError as error:
        raise UnreadableFile(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if len(raw) > MAX_FILE_BYTES:
        raise UnreadableFile(f"file is over the {MAX_FILE_BYTES:,}-byte limit")
    return raw, info


def shipped_data_dir() -> Path:
    """The data folder inside the installed package (the top-level data/ in a source checkout)."""
    from pathlib import Path

    return Path(shipped_folder())


def shipped_folder() -> str:
    """shipped_data_dir() as a plain string, for every lookup (no pathlib to import)."""
    return _shipped()[0]


def _shipped() -> tuple[str, bool]:
    """The shipped data folder, and whether it is inside an installed package (trusted)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    beside = os.path.join(package, "data")
    if os.path.isdir(beside):  # an ordinary install: the wheel puts data/ inside the package
        return beside, True
    # An editable install or a bare source tree: the package sits in src/, data/ beside it.
    # Its files are edited like a user's, so they are judged by content.
    return os.path.join(os.path.dirname(os.path.dirname(package)), "data"), False


def is_installed() -> bool:
    """Whether this is an ordinary install (not a source tree or an editable install)."""
    return _shipped()[1]


def list_data_names(folder: str) -> list[str]:
    """A folder's .yaml/.yml files, by name; hidden ones are skipped."""
    names = [
        name
        for name in os.listdir(folder)
        if name.lower().endswith(DATA_SUFFIXES) and not name.startswith(".")
    ]
    names.sort()
    return names


def _folder_group(folder: str, origin: str = "", trusted: bool = False) -> FileGroup:
    absolute = os.path.abspath(folder)
    return FileGroup(absolute, os.path.join(folder, ""), list_data_names(folder), origin, trusted)


def _file_group(given: str) -> FileGroup:
    folder, name = os.path.split(given)
    return FileGroup(os.path.abspath(folder or "."), given[: len(given) - len(name)], [name], "")


def user_paths(data_paths: list[str], environ: dict[str, str] | None = None) -> list[str]:
    """The user's data paths in load order: the environment variable's, then --data's."""
    environ = dict(os.environ) if environ is None else environ
    from_env = [part for part in environ.get(DATA_ENV, "").split(os.pathsep) if part.strip()]
    return from_env + list(data_paths)


def shipped_group() -> FileGroup:
    folder, trusted = _shipped()
    return _folder_group(folder, SHIPPED, trusted)


def data_files(data_paths: list[str], environ: dict[str, str] | None = None) -> list[DataFile]:
    """Every data file to load, in order (shipped, then CLONAFACTS_DATA, then --data); a later
    file with the same id replaces an earlier one."""
    groups, problems = collect_groups(user_paths(data_paths, environ), data_paths)
    if problems:
        raise DataError(problems)
    return files_of([shipped_group(), *groups])


def collect_groups(
    paths: list[str], data_paths: list[str] | None = None
) -> tuple[list[FileGroup], list[Problem]]:
    """The file groups at `paths`, and a problem for each path that cannot be read."""
    groups: list[FileGroup] = []
    problems: list[Problem] = []
    for given in paths:
        try:
            if os.path.isdir(given):
                groups.append(_folder_group(given))
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
    """The groups' files in order, each path once however many paths name it. (The same file
    reached by two paths, a hard link or a linked folder, is found when it is read.)"""
    seen: set[str] = set()
    unique: list[DataFile] = []
    for data_file in (data_file for group in groups for data_file in group.files()):
        key = os.path.normcase(data_file.path)
        if key not in seen:
            seen.add(key)
            unique.append(data_file)
    return unique


def _source(given: str, data_paths: list[str]) -> str:
    return "--data" if given in data_paths else DATA_ENV
