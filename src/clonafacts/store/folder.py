"""The cache folder that holds the stores: where it is, whether it is safe to use, and keeping
it tidy.

A store decides what a lookup prints, so it is used only from a folder that belongs to the
user running the command and that nobody else can write to; a store file must be a regular
file of the same user that others cannot write. Anything else is ignored with a warning, and
the lookup is answered from the data files.
"""

from __future__ import annotations

import os
import stat
import time
from typing import NamedTuple

CACHE_ENV = "CLONAFACTS_CACHE_DIR"
NO_CACHE_ENV = "CLONAFACTS_NO_CACHE"
STORE_PATTERN = ("store-", ".sqlite3")
TEMPORARY_PREFIX = ".tmp-"
MAX_KEPT = 8  # stores kept (one per set of data paths); the least recently built go first
#: A temporary file older than this is the leftover of a build that was killed.
LEFTOVER_AGE_S = 3600
#: Files of earlier versions' caches, removed when a store is written.
_EARLIER = (("db-", ".cache"), ("ls-", ".json"))


class CacheFolder(NamedTuple):
    path: str | None  # None: work without a store file
    warning: str | None = None  # why a configured folder is not used


def cache_folder() -> CacheFolder:
    """The cache folder to use, created (private) if it does not exist yet."""
    if os.environ.get(NO_CACHE_ENV):
        return CacheFolder(None)
    path = os.environ.get(CACHE_ENV)
    if not path:
        from platformdirs import user_cache_dir

        path = user_cache_dir("clonafacts", appauthor=False)
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except OSError:
        return CacheFolder(None)  # cannot be made or reached: work without it, as documented
    problem = unsafe(info, "folder")
    if problem is not None:
        return CacheFolder(None, f"not using the cache folder {path}: {problem}")
    return CacheFolder(path)


def unsafe(info: os.stat_result, what: str) -> str | None:
    """Why a cache folder or store file with this stat must not be trusted, or None."""
    if not hasattr(os, "geteuid"):  # pragma: no cover - Windows has no owners to compare
        return None
    if info.st_uid != os.geteuid():
        return f"the {what} belongs to another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"other users can write to the {what}"
    return None


def store_problem(path: str) -> str | None:
    """Why the store file at `path` must not be used, or None (also when it does not exist)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return "the store is not a regular file"
    return unsafe(info, "store file")


def tidy(folder: str, keep: str) -> None:
    """Remove leftovers of killed builds, earlier versions' caches, and all but the MAX_KEPT
    most recently built stores (`keep` among them). Best effort: a file another run removes
    first, or one that cannot be removed, is left to the next tidy."""
    now = time.time()
    stores: list[tuple[float, str]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                try:
                    if name.startswith(TEMPORARY_PREFIX):
                        if now - entry.stat(follow_symlinks=False).st_mtime > LEFTOVER_AGE_S:
                            os.unlink(entry.path)
                    elif any(name.startswith(a) and name.endswith(b) for a, b in _EARLIER):
                        os.unlink(entry.path)
                    elif name.startswith(STORE_PATTERN[0]) and name.endswith(STORE_PATTERN[1]):
                        stores.append((entry.stat(follow_symlinks=False).st_mtime, entry.path))
                except OSError:
                    continue
        stores.sort(reverse=True)
        for _, path in [item for item in stores if item[1] != keep][MAX_KEPT - 1 :]:
            os.unlink(path)
    except OSError:
        return
