"""A cache of the validated database, so a lookup skips YAML parsing and validation.

One file per set of data files, named by a checksum of their paths, sizes and modification
times (and the package version). Layout:

    line 1   header JSON: format, fingerprint, and [offset, length, crc32] of each part
    part     index: name -> [id, name as written], id -> [offset, length, crc32] of its data
    part     summaries, for `list`
    part     each medication's plain data, one JSON text after another

A lookup reads the header and the index, then seeks to one medication: its cost does not
grow with the number of medications beyond one stat per data file. Every part is checked
(crc32) before use; a stale, truncated or corrupt file is rebuilt, never trusted. Files are
written to a temporary name and renamed into place, so concurrent runs never see half a file;
when the cache folder cannot be written the tool simply works without it.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from clonafacts._version import __version__
from clonafacts.database import Database, Plain, build, load_files
from clonafacts.discovery import DataFile

CACHE_ENV = "CLONAFACTS_CACHE_DIR"
NO_CACHE_ENV = "CLONAFACTS_NO_CACHE"
CACHE_FORMAT = 1
MAX_KEPT = 8  # cache files kept; older ones are removed when a new one is written
_MAGIC = b"clonafacts-cache"


class CacheMiss(Exception):
    """The cache file is absent, stale or damaged."""


def cache_dir() -> Path | None:
    if os.environ.get(NO_CACHE_ENV):
        return None
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("clonafacts", appauthor=False))


def fingerprint(files: list[DataFile]) -> str:
    """What the cached content depends on: the code's version and every file's identity."""
    parts: list[Any] = [CACHE_FORMAT, __version__, _code_stamp()]
    for data_file in files:
        try:
            info = data_file.path.stat()
        except OSError:
            return ""  # cannot stat: load normally, and report the problem from there
        parts.append(
            [str(data_file.path), data_file.origin, info.st_size, info.st_mtime_ns, info.st_ino]
        )
    return json.dumps(parts, separators=(",", ":"))


def _code_stamp() -> int:
    # The model's shape is what the cache stores; a changed models.py (an editable install
    # during development) must not reuse data shaped by the old one.
    try:
        return (Path(__file__).parent / "models.py").stat().st_mtime_ns
    except OSError:
        return 0


def cached_database(files: list[DataFile]) -> Database:
    """The database for `files`, from the cache when it is fresh, else loaded and cached."""
    folder = cache_dir()
    stamp = fingerprint(files) if folder is not None else ""
    if folder is None or not stamp:
        return build(*load_files(files))
    path = folder / f"db-{zlib.crc32(stamp.encode()):08x}.cache"
    try:
        return _read(path, stamp, lambda: _load_and_store(files, folder, path, stamp))
    except (CacheMiss, OSError, ValueError, KeyError, TypeError, IndexError):
        return _load_and_store(files, folder, path, stamp)


def _load_and_store(files: list[DataFile], folder: Path, path: Path, stamp: str) -> Database:
    medications, origins = load_files(files)
    database = build(medications, origins)
    _write(folder, path, stamp, database, medications)
    return database


# Reading ------------------------------------------------------------------------------------


def _part(handle: BinaryIO, base: int, where: list[int]) -> Any:
    offset, length, checksum = where
    handle.seek(base + offset)
    raw = handle.read(length)
    if len(raw) != length or zlib.crc32(raw) != checksum:
        raise CacheMiss("damaged part")
    return json.loads(raw)


def _read(path: Path, stamp: str, rebuild: Callable[[], Database]) -> Database:
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
        if not first.startswith(_MAGIC + b" "):
            raise CacheMiss("not a cache file")
        header = json.loads(first[len(_MAGIC) + 1 :])
        if header.get("fingerprint") != stamp:
            raise CacheMiss("stale")
        base = handle.tell()
        index = _part(handle, base, header["index"])
    names: dict[str, list[str]] = index["names"]
    entries: dict[str, list[int]] = index["entries"]

    def fetch(medication_id: str) -> Plain:
        try:
            with path.open("rb") as handle:
                plain: Plain = _part(handle, base, entries[medication_id])
            if plain.get("id") != medication_id:
                raise CacheMiss("wrong entry")
            return plain
        except (CacheMiss, OSError, ValueError, KeyError):
            return rebuild().fetch(medication_id)

    def load_summaries() -> list[Plain]:
        try:
            with path.open("rb") as handle:
                return list(_part(handle, base, header["summaries"]))
        except (CacheMiss, OSError, ValueError, KeyError):
            return rebuild().summaries()

    return Database(names, list(entries), fetch, load_summaries)


# Writing ------------------------------------------------------------------------------------


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _write(
    folder: Path, path: Path, stamp: str, database: Database, medications: dict[str, Plain]
) -> None:
    """Write the cache file atomically; any failure just leaves the tool uncached."""
    import tempfile

    body = bytearray()

    def add(raw: bytes) -> list[int]:
        where = [len(body), len(raw), zlib.crc32(raw)]
        body.extend(raw)
        return where

    entries = {med_id: add(_encode(plain)) for med_id, plain in medications.items()}
    summaries = add(_encode(database.summaries()))
    index = add(_encode({"names": database.names, "entries": entries}))
    header = _encode(
        {"format": CACHE_FORMAT, "fingerprint": stamp, "index": index, "summaries": summaries}
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".cache")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(_MAGIC + b" " + header + b"\n")
                handle.write(body)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(folder, keep=path)
    except OSError:
        return


def _prune(folder: Path, keep: Path) -> None:
    try:
        found = sorted(folder.glob("db-*.cache"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [p for p in found if p != keep][MAX_KEPT - 1 :]:
            old.unlink(missing_ok=True)
    except OSError:
        return
