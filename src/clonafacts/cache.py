"""Placeholder until the index cache lands: load every file."""

from __future__ import annotations

from clonafacts.database import Database, build, load_files
from clonafacts.discovery import DataFile


def cached_database(files: list[DataFile]) -> Database:
    return build(*load_files(files))
