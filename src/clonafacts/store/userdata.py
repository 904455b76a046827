"""The user's data folder: what clonafacts keeps that cannot be rebuilt from data files (the
quiz's review state, imported labels). platformdirs' user_data_dir; CLONAFACTS_STATE_DIR
overrides. Like the cache folder, it must be the user's own and not writable by others."""

from __future__ import annotations

import os
import stat

from clonafacts.errors import StateError

STATE_ENV = "CLONAFACTS_STATE_DIR"
#: The imported labels' store in the data folder (labels/store.py).
LABELS_FILE = "labels.sqlite3"


def data_folder() -> str:
    """CLONAFACTS_STATE_DIR, else the user's data folder."""
    path = os.environ.get(STATE_ENV)
    if not path:
        from platformdirs import user_data_dir

        path = user_data_dir("clonafacts", appauthor=False)
    return path


def ready_folder(path: str) -> None:
    """Create the folder (private) if need be; refuse one that is not ours or that cannot be
    written (StateError)."""
    from clonafacts.store.folder import unsafe

    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except FileExistsError:  # makedirs met a file (or a device) where the folder would be
        raise StateError(f"cannot use the state folder {path}: it is not a folder") from None
    except OSError as error:
        raise StateError(f"cannot use the state folder {path}: {error.strerror or error}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise StateError(f"cannot use the state folder {path}: it is not a folder")
    problem = unsafe(info, "folder")
    if problem is not None:
        raise StateError(f"not using the state folder {path}: {problem}")
    if not os.access(path, os.W_OK | os.X_OK):
        raise StateError(f"cannot write to the state folder {path}")
