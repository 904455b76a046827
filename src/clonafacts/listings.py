"""Remembered folder listings, so a warm lookup need not list a big user data folder.

Listing a folder of 1,000 files and picking out its data files takes about 0.5 ms, on top of
the 2.3 ms of one stat per file that the cache needs to see edits (tests/bench/startup.py). The
set of names in a folder can only change when the folder's own mtime and ctime change, so the
names are kept in the cache folder, keyed on the folder's identity (device, inode, mtime,
ctime), and reused while that identity holds.

A timestamp is coarse (a clock tick; a second or two on some file systems): a second change
within the same tick as the last one could leave the identity as it was. So a listing is only
remembered once the folder has been still for longer than cache.SETTLE_NS, the rule the cache
itself follows; any change after that is bound to move its timestamps. The file carries a
crc32 and is written atomically; anything unexpected in it means "not remembered", never an
error.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from clonafacts import cache as cache_module
from clonafacts._version import __version__
from clonafacts.discovery import Lister

LISTING_FORMAT = 1
REMEMBER_MIN = 64  # names; a smaller folder is listed faster than a file can be read
_MAGIC = b"clonafacts-listing"


def remembering(
    cache: Path | None, list_names: Callable[[str], list[str]], reuse: bool = True
) -> Lister | None:
    """A lister that remembers big folders' listings in `cache` (None: no cache, no lister).

    With `reuse` false it lists every folder afresh and remembers that listing instead.
    """
    if cache is None:
        return None
    return lambda folder: remembered_names(cache, folder, list_names, reuse)


def remembered_names(
    cache: Path, folder: str, list_names: Callable[[str], list[str]], reuse: bool = True
) -> list[str] | None:
    """The data file names of `folder` (absolute), from memory when the folder is unchanged.

    Returns None when the folder cannot be read: the caller lists it itself and reports.
    """
    try:
        info = os.stat(folder)  # before listing: a change during the listing moves it
    except OSError:
        return None
    identity = [info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns]
    path = cache / f"ls-{zlib.crc32(os.fsencode(folder)):08x}.json"
    remembered = _read(path, folder, identity) if reuse else None
    if remembered is not None:
        return remembered
    names = list_names(folder)
    settled = time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > cache_module.SETTLE_NS
    if len(names) >= REMEMBER_MIN and settled:
        _write(
            path,
            {
                "format": LISTING_FORMAT,
                "version": __version__,
                "folder": folder,
                "identity": identity,
                "names": names,
            },
        )
    return names


def _read(path: Path, folder: str, identity: list[int]) -> list[str] | None:
    try:
        raw = path.read_bytes()
        magic, checksum, body = raw.split(b" ", 2)
        if magic != _MAGIC or int(checksum, 16) != zlib.crc32(body):
            return None
        content = json.loads(body)
        names = content["names"]
        fits = (
            content["format"] == LISTING_FORMAT
            and content["version"] == __version__
            and content["folder"] == folder
            and content["identity"] == identity
            and isinstance(names, list)
            and all(isinstance(name, str) for name in names)
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return names if fits else None


def _write(path: Path, content: dict[str, object]) -> None:
    import tempfile

    body = json.dumps(content, separators=(",", ":")).encode()  # ASCII, undecodable names too
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(b"%s %08x %s" % (_MAGIC, zlib.crc32(body), body))
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return
    cache_module.prune(path.parent, keep=path, pattern="ls-*.json")
