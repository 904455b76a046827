"""A cache of the validated database, so a lookup skips YAML parsing and validation.

One file per set of data files, named by a checksum of their paths, sizes and modification
times (and the package version). Layout:

    line 1   header JSON: format, the stamp's checksums, and [offset, length, crc32] of each part
    parts    the name index in buckets (name -> [id, name as written, where its data is]),
             the list of ids, the summaries for `list`, then each medication's plain data

A lookup reads the header, one small bucket of the name index and one medication, so its cost
does not grow with the number of medications beyond one stat per data file. Every part is
checked (crc32) before use; a stale, truncated or corrupt file is rebuilt, never trusted.
Files are written to a temporary name and renamed into place, so concurrent runs never see
half a file; when the cache folder cannot be written the tool works without it.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from clonafacts._version import __version__
from clonafacts.database import Database, build, load_files
from clonafacts.discovery import FileGroup, files_of
from clonafacts.documents import Plain

CACHE_ENV = "CLONAFACTS_CACHE_DIR"
NO_CACHE_ENV = "CLONAFACTS_NO_CACHE"
CACHE_FORMAT = 2
MAX_KEPT = 8  # cache files kept; older ones are removed when a new one is written
NAMES_PER_BUCKET = 16
MAX_BUCKETS = 4096
#: How long a data file must have been unchanged before a cache keyed on its times is written.
#: A timestamp is coarse (a clock tick; a second or two on some file systems): a file changed
#: just before it is stat'ed could change again within the same tick, keeping its size and
#: times, and a cache written then would never see that change.
SETTLE_NS = 2_000_000_000
_MAGIC = b"clonafacts-cache"
_DAMAGE = (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, OverflowError)

Where = list[int]  # [offset, length, crc32] of a part, from the end of the header line


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


Identities = tuple[tuple[int, int, int, int], ...]  # a group's (size, mtime, ctime, inode)s


def stamp(groups: list[FileGroup]) -> bytes | None:
    """What the cached content depends on: the code's version and every file's identity."""
    identities = _all_identities(groups)
    return None if identities is None else _key(groups, identities)


def _all_identities(groups: list[FileGroup]) -> list[Identities] | None:
    try:
        return [_identities(group) for group in groups]
    except OSError:
        return None  # load normally, and report the problem from there


def _key(groups: list[FileGroup], identities: list[Identities]) -> bytes:
    lines = [f"{CACHE_FORMAT}\t{__version__}\t{_code_stamp()}"]
    for group, files in zip(groups, identities, strict=True):
        # hash() of a tuple of ints is the same in every process (only str and bytes hashes
        # are salted); it is several times cheaper than formatting a line per file.
        lines.append(f"{group.folder}\t{group.shown}\t{group.origin}\t{hash(files)}")
        lines += group.names
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def _settled(groups: list[FileGroup], key: bytes, stamped_at: int) -> bool:
    """Whether a cache keyed on `key` may be written: every file is still as stamped, and none
    changed within SETTLE_NS before the stamp was taken (see SETTLE_NS)."""
    identities = _all_identities(groups)
    if identities is None or _key(groups, identities) != key:
        return False  # changed while it was loaded: the next run loads it again
    times = [max(mtime, ctime) for files in identities for _, mtime, ctime, _ in files]
    return stamped_at - max(times, default=0) > SETTLE_NS


def _identities(group: FileGroup) -> Identities:
    """Each file's size, mtime, ctime and inode, in the group's order.

    ctime too: an in-place edit that puts the old mtime back still changes it. The stat calls
    are most of a warm lookup's cost that grows with the number of files, so this stays lean:
    one open of the folder, stats relative to it, and each stat result dropped at once.
    """
    if os.stat not in os.supports_dir_fd:
        paths = [os.path.join(group.folder, name) for name in group.names]
        return tuple(
            [((s := os.stat(p)).st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino) for p in paths]
        )
    folder = os.open(group.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        return tuple(
            [
                (
                    (s := os.stat(name, dir_fd=folder)).st_size,
                    s.st_mtime_ns,
                    s.st_ctime_ns,
                    s.st_ino,
                )
                for name in group.names
            ]
        )
    finally:
        os.close(folder)


def _code_stamp() -> int:
    # The model's shape is what the cache stores; a changed models.py (an editable install
    # during development) must not reuse data shaped by the old one.
    try:
        return os.stat(os.path.join(os.path.dirname(__file__), "models.py")).st_mtime_ns
    except OSError:
        return 0


def _checksums(raw: bytes) -> list[int]:
    return [len(raw), zlib.crc32(raw), zlib.adler32(raw)]


def _bucket(name: str, buckets: int) -> int:
    return zlib.crc32(name.encode("utf-8", "surrogateescape")) % buckets


def cached_database(
    groups: list[FileGroup],
    folder: Path | None,
    relisted: Callable[[], list[FileGroup]] | None = None,
) -> Database:
    """The database of the groups' files: from the cache in `folder` (see cache_dir(); None
    for no cache) when fresh, else loaded and cached.

    `relisted` gives the groups again with every folder listed afresh; it is used when a file
    cannot be stat'ed, in case a remembered listing (listings.py) named a file that is gone.
    """
    if folder is None:
        return build(*load_files(files_of(groups)))
    stamped_at = time.time_ns()
    key = stamp(groups)
    if key is None and relisted is not None:
        groups = relisted()
        key = stamp(groups)
    if key is None:
        return build(*load_files(files_of(groups)))
    path = folder / f"db-{zlib.crc32(key):08x}.cache"

    def rebuild() -> Database:
        medications, origins = load_files(files_of(groups))
        database = build(medications, origins)
        if _settled(groups, key, stamped_at):
            _write(folder, path, key, database, medications)
        return database

    try:
        return _CachedDatabase.open(path, key, rebuild)
    except (CacheMiss, *_DAMAGE):
        return rebuild()


# Reading ------------------------------------------------------------------------------------


class _CacheFile:
    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        with path.open("rb") as handle:
            first = handle.readline(1 << 24)
            if not first.startswith(_MAGIC + b" "):
                raise CacheMiss("not a cache file")
            header = json.loads(first[len(_MAGIC) + 1 :])
            if not isinstance(header, dict):
                raise CacheMiss("damaged header")
            self.header: dict[str, Any] = header
            self.base = handle.tell()
        if self.header.get("format") != CACHE_FORMAT or self.header.get("stamp") != _checksums(key):
            raise CacheMiss("stale")

    def read(self, where: Where, handle: BinaryIO | None = None) -> Any:
        if handle is None:
            with self.path.open("rb") as opened:
                return self.read(where, opened)
        offset, length, checksum = where
        handle.seek(self.base + offset)
        raw = handle.read(length)
        if len(raw) != length or zlib.crc32(raw) != checksum:
            raise CacheMiss("damaged part")
        return json.loads(raw)


class _BucketedNames(Mapping[str, list[Any]]):
    """The name index, read one bucket at a time: a lookup touches one small part."""

    def __init__(self, cache: _CacheFile) -> None:
        self.cache = cache
        self.buckets: list[Where] = cache.header["buckets"]
        self.loaded: dict[int, dict[str, list[Any]]] = {}

    def _load(self, number: int) -> dict[str, list[Any]]:
        if number not in self.loaded:
            self.loaded[number] = self.cache.read(self.buckets[number])
        return self.loaded[number]

    def __getitem__(self, name: str) -> list[Any]:
        return self._load(_bucket(name, len(self.buckets)))[name]

    def __iter__(self) -> Iterator[str]:
        for number in range(len(self.buckets)):
            yield from self._load(number)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _CachedDatabase(Database):
    @classmethod
    def open(cls, path: Path, key: bytes, rebuild: Callable[[], Database]) -> Database:
        cache = _CacheFile(path, key)
        names = _BucketedNames(cache)
        fallback: list[Database] = []

        def rebuilt() -> Database:  # once per run, however many reads fail
            if not fallback:
                fallback.append(rebuild())
            return fallback[0]

        def fetch(medication_id: str) -> Plain:
            try:
                where = names[medication_id.casefold()]
                if where[0] != medication_id:
                    raise CacheMiss("wrong entry")
                plain: Plain = cache.read(where[2])
                if plain.get("id") != medication_id:
                    raise CacheMiss("wrong entry")
                return plain
            except (CacheMiss, *_DAMAGE):
                return rebuilt().fetch(medication_id)

        def part(name: str, fresh: Callable[[Database], Any]) -> Callable[[], Any]:
            def load() -> Any:
                try:
                    return cache.read(cache.header[name])
                except (CacheMiss, *_DAMAGE):
                    return fresh(rebuilt())

            return load

        return cls(
            names=_SafeNames(names, lambda: rebuilt().names),
            fetch=fetch,
            load_summaries=part("summaries", lambda db: db.summaries()),
            load_ids=part("ids", lambda db: db.ids()),
        )


class _SafeNames(Mapping[str, list[Any]]):
    """Name lookups that fall back to a rebuilt index when a bucket turns out damaged."""

    def __init__(
        self, names: Mapping[str, list[Any]], fresh: Callable[[], Mapping[str, list[Any]]]
    ) -> None:
        self.names = names
        self.fresh = fresh

    def __getitem__(self, name: str) -> list[Any]:
        try:
            return self.names[name][:2]
        except KeyError:
            raise
        except (CacheMiss, *_DAMAGE):
            return self.fresh()[name]

    def __iter__(self) -> Iterator[str]:
        try:
            return iter(list(self.names))
        except (CacheMiss, *_DAMAGE):
            return iter(self.fresh())

    def __len__(self) -> int:
        return sum(1 for _ in self)


# Writing ------------------------------------------------------------------------------------


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _write(
    folder: Path, path: Path, key: bytes, database: Database, medications: dict[str, Plain]
) -> None:
    """Write the cache file atomically; any failure just leaves the tool uncached."""
    import tempfile

    body = bytearray()

    def add(raw: bytes) -> Where:
        where = [len(body), len(raw), zlib.crc32(raw)]
        body.extend(raw)
        return where

    located = {med_id: add(_encode(plain)) for med_id, plain in medications.items()}
    count = min(MAX_BUCKETS, max(1, len(database.names) // NAMES_PER_BUCKET))
    buckets: list[dict[str, list[Any]]] = [{} for _ in range(count)]
    for name, (med_id, written) in database.names.items():
        buckets[_bucket(name, count)][name] = [med_id, written, located[med_id]]
    header = {
        "format": CACHE_FORMAT,
        "stamp": _checksums(key),
        "buckets": [add(_encode(bucket)) for bucket in buckets],
        "ids": add(_encode(database.ids())),
        "summaries": add(_encode(database.summaries())),
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".cache")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(_MAGIC + b" " + _encode(header) + b"\n")
                handle.write(body)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        prune(folder, keep=path)
    except OSError:
        return


def prune(folder: Path, keep: Path, pattern: str = "db-*.cache") -> None:
    """Keep the MAX_KEPT newest files matching `pattern` (`keep` among them); remove the rest."""
    try:
        found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [p for p in found if p != keep][MAX_KEPT - 1 :]:
            old.unlink(missing_ok=True)
    except OSError:
        return
