"""What the data files hold now, as one fingerprint: the store is current only if it was built
from data with the same fingerprint.

A user's file counts by a 128-bit hash of its bytes (XXH3-128), read on every run: file
metadata can stay the same while the content changes (a write through mmap, two file systems
swapped at one mount point, a path re-pointed at another file with the same inode and times).
Only the shipped data inside an installed package is counted by its metadata (size, times,
inode) with the package version: nobody edits it in place, and reading it would cost every
lookup for nothing.

Why XXH3-128 and not SHA-256: the hash tells an edited file from the one the store was built
from; it guards against accident, not an adversary (whoever can write the user's data files
can change the facts anyway), and a 128-bit hash makes an accidental match beyond reach. It
hashes a data file in about 0.4 us where SHA-256 takes 10 us, and every lookup hashes every
user file (tests/bench/startup.py measures the cost per file).
"""

from __future__ import annotations

import os
from collections.abc import Container
from typing import NamedTuple

from xxhash import xxh3_128, xxh3_128_digest

from clonafacts._version import __version__
from clonafacts.store.discovery import DataFile, UnreadableFile, is_installed, read_data_file

#: Changes when what the fingerprint covers changes.
FINGERPRINT_FORMAT = b"clonafacts-fingerprint-2"


def _separated(*parts: str) -> bytes:
    return b"\0".join(part.encode("utf-8", "surrogateescape") for part in parts) + b"\0"


def _metadata(info: os.stat_result) -> bytes:
    return b"%d:%d:%d:%d" % (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _code_stamp() -> bytes:
    """In a source checkout or an editable install, the code changes under one version
    number: a store built by other code must not be used, so the code's files count too."""
    if is_installed():
        return b""
    package = os.path.dirname(os.path.dirname(__file__))
    stamp = xxh3_128()
    for folder, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith(".py"):
                stamp.update(_separated(name) + _metadata(os.stat(os.path.join(folder, name))))
    return stamp.digest()


def code_identity() -> str:
    """What a store's content depends on besides the data: the fingerprint's format, the
    version, and in a source tree the code itself."""
    identity = xxh3_128(FINGERPRINT_FORMAT + b"\0" + __version__.encode() + b"\0")
    identity.update(_code_stamp())
    return identity.hexdigest()


class _Fingerprint:
    def __init__(self) -> None:
        self.hash = xxh3_128(code_identity().encode())

    def add(self, data_file: DataFile, identity: bytes) -> None:
        # One encode of the three names and a fixed-length identity: this runs for every user
        # file on every lookup.
        path, shown, origin = data_file.path, data_file.shown, data_file.origin
        self.hash.update(f"{path}\0{shown}\0{origin}\0".encode("utf-8", "surrogateescape"))
        self.hash.update(b"%d:%b" % (len(identity), identity))

    def hexdigest(self) -> str:
        return self.hash.hexdigest()


def fingerprint(files: list[DataFile]) -> str | None:
    """The fingerprint of the files as they are now; None when one cannot be read (loading
    them reports why)."""
    result = _Fingerprint()
    seen: set[tuple[int, int]] = set()
    try:
        for data_file in files:
            if data_file.trusted:
                info = os.stat(data_file.path)
                identity = b"stat:" + _metadata(info)
            else:
                raw, info = read_data_file(data_file.path)
                identity = b"xxh3-128:" + xxh3_128_digest(raw)
            if (info.st_dev, info.st_ino) in seen:
                continue  # the same file by a second path: loaded once
            seen.add((info.st_dev, info.st_ino))
            result.add(data_file, identity)
    except (OSError, UnreadableFile):
        return None
    return result.hexdigest()


class ReadFile(NamedTuple):
    """One data file as read for loading."""

    data_file: DataFile
    #: None when it could not be read (`problem` says why), or when it was read but its bytes
    #: were let go: a file whose medication is known needs no parsing (see `read_all`).
    raw: bytes | None
    problem: str  # why it could not be read; "" when it was
    identity: bytes  # what the fingerprint counts of it (its hash, or for shipped data its stat)

    def content(self) -> bytes:
        """Its bytes; read again if they were let go, to show where a problem found later in
        it is (a file to parse is read again whole by `read_all`, so that what is parsed is
        what the fingerprint counted). UnreadableFile if that fails now."""
        if self.raw is not None:
            return self.raw
        return read_data_file(self.data_file.path)[0]


class Contents(NamedTuple):
    """The files read once, for loading, and the fingerprint of exactly what was read."""

    files: list[ReadFile]
    fingerprint: str


def read_all(files: list[DataFile], let_go: Container[tuple[str, bytes]] = ()) -> Contents:
    """Read every file once. A file reached again by another path (a hard link, a linked
    folder) is left out: it is one file, loaded once.

    A file whose (path, identity) is in `let_go` (its medication is known from the store: it
    will not be parsed) keeps no bytes once hashed: after one of a thousand files changed,
    holding all their bytes doubled the run's peak memory.
    """
    read: list[ReadFile] = []
    result = _Fingerprint()
    seen: set[tuple[int, int]] = set()
    for data_file in files:
        try:
            raw, info = read_data_file(data_file.path)
        except UnreadableFile as error:
            read.append(ReadFile(data_file, None, str(error), b""))
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        identity = (
            b"stat:" + _metadata(info) if data_file.trusted else b"xxh3-128:" + xxh3_128_digest(raw)
        )
        result.add(data_file, identity)
        kept = None if (data_file.path, identity) in let_go else raw
        read.append(ReadFile(data_file, kept, "", identity))
    return Contents(read, result.hexdigest())
