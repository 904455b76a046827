"""clonafacts: an offline command-line reference for medication facts.

The Python API (see `clonafacts.api`) is re-exported here and imported on first use, so
`import clonafacts` stays cheap:

    import clonafacts
    with clonafacts.open_database() as db:
        print(db.section("withdrawal")["content"]["summary"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clonafacts._version import __version__

if TYPE_CHECKING:
    from clonafacts.api import Database, ValidationReport, open_database, validate
    from clonafacts.errors import (
        ClonafactsError,
        DataError,
        MissingSectionError,
        NoCardsError,
        NotFoundError,
        QueryError,
        StateError,
        UnknownMedicationError,
    )

_LAZY = {
    "Database": "clonafacts.api",
    "ValidationReport": "clonafacts.api",
    "open_database": "clonafacts.api",
    "validate": "clonafacts.api",
    "ClonafactsError": "clonafacts.errors",
    "DataError": "clonafacts.errors",
    "MissingSectionError": "clonafacts.errors",
    "NoCardsError": "clonafacts.errors",
    "NotFoundError": "clonafacts.errors",
    "QueryError": "clonafacts.errors",
    "StateError": "clonafacts.errors",
    "UnknownMedicationError": "clonafacts.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'clonafacts' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "ClonafactsError",
    "DataError",
    "Database",
    "MissingSectionError",
    "NoCardsError",
    "NotFoundError",
    "QueryError",
    "StateError",
    "UnknownMedicationError",
    "ValidationReport",
    "__version__",
    "open_database",
    "validate",
]
