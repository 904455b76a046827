"""The store: validated medications in SQLite, found by any name, searched with FTS5.

One store file per set of data paths, in the cache folder (folder.py), named by those paths;
inside, the fingerprint (snapshot.py) of the data it was built from. A store whose fingerprint
differs, whose application id or schema version is not ours, or that SQLite cannot read, is
not used: the data is loaded again and a new store built into a temporary file and renamed
into place, so concurrent runs never see half a store. Without a usable cache folder the same
store is built in memory. Every query takes parameters; no SQL is built from data.

The store is derived data. A store of another schema version is rebuilt from the data files
rather than migrated: there is nothing in it the data files do not hold. SQLite checks its own
structure but not the values in it, so every row carries a CRC-32 of its values (`crc`), checked
when it is read: a flipped bit on disk raises StoreDamaged and the store is rebuilt, never shown.

Tables, built for medications from any origin (curated files today; imported labels next):
    meta         key/value: fingerprint, version
    medications  number (load order), id, name, origin, head (JSON: the medication without its
                 sections), summary (JSON: what `list` shows)
    names        every name, brand, alias and id under its name key (names.py), with the
                 medication it belongs to; a key may belong to several medications
    sections     each medication's sections in order, as JSON documents
    entries      FTS5 over every fact, item, condition, step, parameter, summary, name, brand,
                 alias, class and schedule: porter stemming over unicode61, diacritics removed
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterator
from typing import Any, NamedTuple

from clonafacts._version import __version__
from clonafacts.documents import Plain, citable_entries, entry_text
from clonafacts.errors import UnknownMedicationError
from clonafacts.sections import SECTION_ORDER
from clonafacts.store.names import name_key, suggestions

APPLICATION_ID = 0x436C6661  # "Clfa": this file is a clonafacts store
STORE_VERSION = 1  # PRAGMA user_version: the schema below

#: What `list` shows of each medication, with its sections and origin.
SUMMARY_KEYS = ("id", "name", "brands", "aliases", "drug_class", "summary")
#: Highlight markers in search results: control characters, which no fact may contain.
MARK_START, MARK_END = "\x02", "\x03"

_SCHEMA = f"""
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {STORE_VERSION};
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE medications (
    number INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    origin TEXT NOT NULL,
    head TEXT NOT NULL,
    summary TEXT NOT NULL,
    crc INTEGER NOT NULL
);
CREATE TABLE names (
    key TEXT NOT NULL,
    medication INTEGER NOT NULL REFERENCES medications (number),
    written TEXT NOT NULL,
    crc INTEGER NOT NULL,
    PRIMARY KEY (key, medication)
) WITHOUT ROWID;
CREATE TABLE sections (
    medication INTEGER NOT NULL REFERENCES medications (number),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    crc INTEGER NOT NULL,
    PRIMARY KEY (medication, position)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE entries USING fts5 (
    text, medication UNINDEXED, section UNINDEXED, path UNINDEXED, sources UNINDEXED,
    crc UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


def _dumps(value: Any) -> str:
    # ASCII: a path with undecodable bytes (kept as surrogates) is stored as its escapes.
    return json.dumps(value, separators=(",", ":"))


def _uri(path: str, mode: str) -> str:
    """A SQLite URI for `path`, percent-encoded byte by byte (any file name works)."""
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/"
    encoded = "".join(chr(byte) if byte in safe else f"%{byte:02X}" for byte in os.fsencode(path))
    return f"file:{encoded}?mode={mode}"


class StoreDamaged(sqlite3.DatabaseError):
    """A row whose values do not match their checksum."""


def _crc(*values: object) -> int:
    return zlib.crc32("\0".join(map(str, values)).encode("utf-8", "surrogatepass"))


def _checked(row: Any, *values: object) -> None:
    """Raise StoreDamaged unless `row` (a fetched row ending in its crc) matches `values`."""
    if row[-1] != _crc(*values):
        raise StoreDamaged("a row of the store does not match its checksum")


class Hit(NamedTuple):
    medication_id: str
    medication_name: str
    section: str | None
    path: str
    marked: str  # the entry's text with each match between MARK_START and MARK_END
    sources: list[str]
    score: float


class Store:
    """Read access to a built store."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def close(self) -> None:
        self.connection.close()

    def resolve(self, name: str) -> int:
        """The number of the medication called `name` (id, name, brand or alias, any case)."""
        key = name_key(name)
        row = self.connection.execute(
            "SELECT medication, written, crc FROM names WHERE key = ? ORDER BY medication LIMIT 1",
            (key,),
        ).fetchone()
        if row is not None:
            _checked(row, key, row[0], row[1])
            return int(row[0])
        written = {}
        for found in self.connection.execute("SELECT key, medication, written, crc FROM names"):
            _checked(found, *found[:3])
            written[found[0]] = found[2]
        raise UnknownMedicationError(name, [written[found] for found in suggestions(key, written)])

    def medication_id(self, number: int) -> str:
        row = self.connection.execute(
            "SELECT id, head, summary, crc FROM medications WHERE number = ?", (number,)
        ).fetchone()
        _checked(row, number, *row[:3])
        return str(row[0])

    def medication(self, number: int, section: str | None = None) -> Plain:
        """A medication's plain data: every section, or only `section` (none if it has none)."""
        row = self.connection.execute(
            "SELECT id, head, summary, crc FROM medications WHERE number = ?", (number,)
        ).fetchone()
        _checked(row, number, *row[:3])
        medication: Plain = json.loads(row[1])
        if section is None:
            rows = self.connection.execute(
                "SELECT position, name, body, crc FROM sections WHERE medication = ?"
                " ORDER BY position",
                (number,),
            )
        else:
            rows = self.connection.execute(
                "SELECT position, name, body, crc FROM sections WHERE medication = ? AND name = ?",
                (number, section),
            )
        medication["sections"] = {}
        for found in rows:
            _checked(found, number, *found[:3])
            medication["sections"][found[1]] = json.loads(found[2])
        return medication

    def summaries(self) -> list[Plain]:
        rows = self.connection.execute(
            "SELECT number, id, head, summary, crc FROM medications ORDER BY number"
        )
        summaries = []
        for row in rows:
            _checked(row, *row[:4])
            summaries.append(json.loads(row[3]))
        return summaries

    def names(self) -> list[str]:
        """Every name, brand, alias and id as written, in load order."""
        rows = self.connection.execute(
            "SELECT key, medication, written, crc FROM names ORDER BY medication, written"
        )
        names = []
        for row in rows:
            _checked(row, *row[:3])
            names.append(row[2])
        return names

    def search(self, match: str, medication: int | None, limit: int) -> tuple[list[Hit], int]:
        """The best `limit` entries matching the FTS5 expression `match`, best first, and how
        many match in all."""
        where = "entries MATCH ?" + ("" if medication is None else " AND entries.medication = ?")
        parameters: tuple[Any, ...] = (match,) if medication is None else (match, medication)
        (total,) = self.connection.execute(
            f"SELECT count(*) FROM entries WHERE {where}", parameters
        ).fetchone()
        rows = self.connection.execute(
            "SELECT medications.id, medications.name, entries.section, entries.path,"
            " highlight(entries, 0, ?, ?), entries.sources, bm25(entries), entries.text,"
            " entries.medication, entries.crc"
            " FROM entries JOIN medications ON medications.number = entries.medication"
            f" WHERE {where} ORDER BY bm25(entries), entries.medication, entries.rowid LIMIT ?",
            (MARK_START, MARK_END, *parameters, limit),
        )
        hits = []
        for med_id, name, section, path, marked, sources, score, text, number, crc in rows:
            _checked((crc,), text, number, section, path, sources)
            if marked.replace(MARK_START, "").replace(MARK_END, "") != text:
                raise StoreDamaged("a search entry does not match its text")
            hits.append(Hit(med_id, name, section, path, marked, json.loads(sources), -score))
        return hits, int(total)


# Building -------------------------------------------------------------------------------------


def _search_rows(number: int, medication: Plain) -> Iterator[tuple[Any, ...]]:
    """(text, medication, section, path, sources, crc) for every searchable entry."""
    for text, med, section, path, sources in _searchable(number, medication):
        yield text, med, section, path, sources, _crc(text, med, section, path, sources)


def _searchable(number: int, medication: Plain) -> Iterator[tuple[str, int, str | None, str, str]]:
    yield medication["name"], number, None, "name", "[]"
    for key in ("brands", "aliases"):
        for index, value in enumerate(medication[key]):
            yield value, number, None, f"{key}[{index}]", "[]"
    yield medication["drug_class"], number, None, "drug_class", "[]"
    yield medication["summary"], number, None, "summary", "[]"
    for index, schedule in enumerate(medication["schedules"]):
        yield entry_text(schedule), number, None, f"schedules[{index}]", _dumps(schedule["sources"])
    for section, content in medication["sections"].items():
        yield content["summary"], number, section, "summary", "[]"
        for path, entry in citable_entries(content):
            yield entry_text(entry), number, section, path, _dumps(entry["sources"])


def _fill(
    connection: sqlite3.Connection,
    medications: dict[str, Plain],
    origins: dict[str, str],
    fingerprint: str,
) -> None:
    connection.executescript(_SCHEMA)
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("fingerprint", fingerprint), ("version", __version__)],
    )
    order = {name: position for position, name in enumerate(SECTION_ORDER)}
    for number, (med_id, medication) in enumerate(medications.items()):
        head = {key: value for key, value in medication.items() if key != "sections"}
        summary = {key: medication[key] for key in SUMMARY_KEYS}
        summary["sections"] = list(medication["sections"])
        summary["origin"] = origins[med_id]
        head_json, summary_json = _dumps(head), _dumps(summary)
        connection.execute(
            "INSERT INTO medications (number, id, name, origin, head, summary, crc)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                number,
                med_id,
                medication["name"],
                _dumps(origins[med_id]),
                head_json,
                summary_json,
                _crc(number, med_id, head_json, summary_json),
            ),
        )
        names = [med_id, medication["name"], *medication["brands"], *medication["aliases"]]
        keys = {name_key(name): name for name in reversed(names)}  # the first spelling wins
        connection.executemany(
            "INSERT INTO names (key, medication, written, crc) VALUES (?, ?, ?, ?)",
            [(key, number, name, _crc(key, number, name)) for key, name in keys.items()],
        )
        sections = [
            (order[name], name, _dumps(body)) for name, body in medication["sections"].items()
        ]
        connection.executemany(
            "INSERT INTO sections (medication, position, name, body, crc) VALUES (?, ?, ?, ?, ?)",
            [(number, *section, _crc(number, *section)) for section in sections],
        )
        connection.executemany(
            "INSERT INTO entries (text, medication, section, path, sources, crc)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            _search_rows(number, medication),
        )
    connection.execute("COMMIT")


def open_current(path: str, fingerprint: str) -> Store | None:
    """The store at `path` if it is ours, readable, and built from data with `fingerprint`;
    None otherwise (absent, stale, foreign or damaged: build a new one)."""
    try:
        connection = sqlite3.connect(_uri(path, "ro"), uri=True, isolation_level=None)
    except sqlite3.OperationalError:
        return None  # no store yet
    try:
        (application_id,) = connection.execute("PRAGMA application_id").fetchone()
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        if application_id == APPLICATION_ID and version == STORE_VERSION:
            row = connection.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            if row is not None and row[0] == fingerprint:
                return Store(connection)
    except sqlite3.DatabaseError:
        pass  # not a database, or a damaged one: rebuilt by the caller
    connection.close()
    return None


def in_memory(medications: dict[str, Plain], origins: dict[str, str]) -> Store:
    """A store built in memory, for runs without a usable cache folder."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    _fill(connection, medications, origins, "")
    return Store(connection)


def write(
    path: str, medications: dict[str, Plain], origins: dict[str, str], fingerprint: str
) -> bool:
    """Build the store into a temporary file beside `path` and move it into place; False when
    that could not be done (a full disk, a read-only folder): the caller works in memory."""
    import tempfile

    from clonafacts.store.folder import TEMPORARY_PREFIX

    folder = os.path.dirname(path)
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=folder, prefix=TEMPORARY_PREFIX, suffix=".sqlite3"
        )
        os.close(descriptor)
    except OSError:
        return False
    try:
        connection = sqlite3.connect(_uri(temporary, "rw"), uri=True, isolation_level=None)
        try:
            # A temporary file needs no journal: a build that fails is thrown away whole.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            _fill(connection, medications, origins, fingerprint)
        finally:
            connection.close()
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)  # on disk before it is renamed into place
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except (OSError, sqlite3.OperationalError):
        _remove(temporary)
        return False
    except BaseException:
        _remove(temporary)
        raise
    return True


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        return
