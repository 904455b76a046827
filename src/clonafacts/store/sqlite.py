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
    meta         key/value: fingerprint, code (what built it: version and, in a source tree,
                 the code's files)
    files        each data file read: path, identity (what the fingerprint counts of it), and
                 the medication it defines here; an unchanged file's medication is reused when
                 the next store is built
    medications  number (stable), position (load order), id, name, origin, head (JSON: the
                 medication without its sections), summary (JSON: what `list` shows)
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
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from clonafacts.documents import SUMMARY_KEYS, Plain, entry_text
from clonafacts.errors import LIST_ALL_AT_MOST, UnknownMedicationError
from clonafacts.sections import SECTION_ORDER
from clonafacts.store.names import name_key, suggestions

APPLICATION_ID = 0x436C6661  # "Clfa": this file is a clonafacts store
STORE_VERSION = 1  # PRAGMA user_version: the schema below

#: Highlight markers in search results: control characters, which no fact may contain.
MARK_START, MARK_END = "\x02", "\x03"

_SCHEMA = f"""
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {STORE_VERSION};
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE files (
    position INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    identity BLOB NOT NULL,
    medication TEXT
);
CREATE TABLE medications (
    number INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
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
    PRIMARY KEY (key, medication, written)
) WITHOUT ROWID;
CREATE TABLE sections (
    medication INTEGER NOT NULL REFERENCES medications (number),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    crc INTEGER NOT NULL,
    PRIMARY KEY (medication, position)
) WITHOUT ROWID;
CREATE INDEX medications_in_order ON medications (position);
CREATE VIRTUAL TABLE entries USING fts5 (
    text, medication UNINDEXED, section UNINDEXED, path UNINDEXED, sources UNINDEXED,
    crc UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


def _ids(joined: str) -> list[str]:
    """Source ids stored joined by commas (ids are slugs: they hold none)."""
    return joined.split(",") if joined else []


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
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes (from a file name, say) name nothing here
            raise UnknownMedicationError(name, []) from None
        row = self.connection.execute(
            "SELECT medication, written, crc FROM names WHERE key = ? ORDER BY medication LIMIT 1",
            (key,),
        ).fetchone()
        if row is not None:
            _checked(row, key, row[0], row[1])
            return int(row[0])
        written: dict[str, str] = {}
        for found in self.connection.execute(
            "SELECT key, medication, written, crc FROM names"
            " ORDER BY (SELECT position FROM medications WHERE number = medication)"
        ):
            _checked(found, *found[:3])
            written.setdefault(found[0], found[2])
        close = [written[found] for found in suggestions(key, written)]
        known: list[str] = []
        if not close:
            rows = self.connection.execute(
                "SELECT name FROM medications ORDER BY position LIMIT ?", (LIST_ALL_AT_MOST + 1,)
            ).fetchall()
            known = [found for (found,) in rows] if len(rows) <= LIST_ALL_AT_MOST else []
        raise UnknownMedicationError(name, close, known)

    def class_members(self, name: str) -> list[int]:
        """The medications of the class called `name` (in any case), in load order."""
        key = name_key(name)
        members = []
        for row in self.connection.execute(
            "SELECT number, id, head, summary, crc FROM medications ORDER BY position"
        ):
            _checked(row, *row[:4])
            if any(name_key(found) == key for found in json.loads(row[2]).get("classes", [])):
                members.append(int(row[0]))
        return members

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

    def numbers(self) -> list[int]:
        """Every medication's number, in load order."""
        rows = self.connection.execute("SELECT number FROM medications ORDER BY position")
        return [row[0] for row in rows]

    def summaries(self) -> list[Plain]:
        rows = self.connection.execute(
            "SELECT number, id, head, summary, crc FROM medications ORDER BY position"
        )
        summaries = []
        for row in rows:
            _checked(row, *row[:4])
            summaries.append(json.loads(row[3]))
        return summaries

    def names(self) -> list[str]:
        """Every name, brand, alias and id as written, in load order."""
        rows = self.connection.execute(
            "SELECT names.key, names.medication, names.written, names.crc FROM names"
            " JOIN medications ON medications.number = names.medication"
            " ORDER BY medications.position, names.written"
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
            f" WHERE {where} ORDER BY bm25(entries), medications.position, entries.rowid LIMIT ?",
            (MARK_START, MARK_END, *parameters, limit),
        )
        hits = []
        for med_id, name, section, path, marked, sources, score, text, number, crc in rows:
            _checked((crc,), text, number, section, path, sources)
            if marked.replace(MARK_START, "").replace(MARK_END, "") != text:
                raise StoreDamaged("a search entry does not match its text")
            hits.append(Hit(med_id, name, section, path, marked, _ids(sources), -score))
        return hits, int(total)


# Building -------------------------------------------------------------------------------------


def _search_rows(number: int, medication: Plain) -> Iterator[tuple[Any, ...]]:
    """(text, medication, section, path, sources, crc) for every searchable entry."""
    for text, med, section, path, sources in _searchable(number, medication):
        yield text, med, section, path, sources, _crc(text, med, section, path, sources)


def _searchable(number: int, medication: Plain) -> Iterator[tuple[str, int, str | None, str, str]]:
    yield medication["name"], number, None, "name", ""
    for key in ("brands", "aliases"):
        for index, value in enumerate(medication[key]):
            yield value, number, None, f"{key}[{index}]", ""
    yield medication["drug_class"], number, None, "drug_class", ""
    yield medication["summary"], number, None, "summary", ""
    for index, schedule in enumerate(medication["schedules"]):
        yield (
            entry_text(schedule),
            number,
            None,
            f"schedules[{index}]",
            ",".join(schedule["sources"]),
        )
    for section, content in medication["sections"].items():
        yield content["summary"], number, section, "summary", ""
        for path, entry in section_entries(content):
            yield entry_text(entry), number, section, path, ",".join(entry["sources"])


def section_entries(content: Plain) -> Iterator[tuple[str, Plain]]:
    """The citable entries of a section, with their paths: what documents.citable_entries finds,
    for the shape every section has (a field holds an entry or a list of them), walked in a
    fraction of the time; a store build walks every entry of every file. A test holds the two
    equal over every section of the shipped data."""
    for key, value in content.items():
        if type(value) is list:
            for index, entry in enumerate(value):
                if type(entry) is dict and "sources" in entry:
                    yield f"{key}[{index}]", entry
        elif type(value) is dict and "sources" in value:
            yield key, value


class Build(NamedTuple):
    """What a store is built from: validated medications and the files they came from."""

    medications: dict[str, Plain]  # by id, in load order
    origins: dict[str, str]  # by id
    files: list[tuple[str, bytes, str | None]]  # (path, identity, id it defines) per file read
    changed: set[str]  # ids whose data is new since the store this one may update
    fingerprint: str
    code: str  # what built it (see snapshot.code_identity)


def _fill(connection: sqlite3.Connection, build: Build) -> None:
    """Create the schema and write everything, in one transaction."""
    connection.executescript(_SCHEMA)
    connection.execute("BEGIN")
    _insert(connection, build, enumerate(build.medications))
    _finish(connection, build)
    connection.execute("COMMIT")


def _update(connection: sqlite3.Connection, build: Build) -> None:
    """Bring a copy of the previous store up to `build`: the rows of medications that are new,
    changed or gone are replaced; the rest stay as they are. One transaction."""
    connection.execute("BEGIN")
    numbers = dict(connection.execute("SELECT id, number FROM medications"))
    stale = [med_id for med_id in numbers if med_id in build.changed or med_id not in build.origins]
    for med_id in stale:
        number = (numbers.pop(med_id),)
        connection.execute("DELETE FROM names WHERE medication = ?", number)
        connection.execute("DELETE FROM sections WHERE medication = ?", number)
        connection.execute("DELETE FROM entries WHERE medication = ?", number)
        connection.execute("DELETE FROM medications WHERE number = ?", number)
    following = max(numbers.values(), default=-1) + 1
    fresh = [med_id for med_id in build.medications if med_id not in numbers]
    _insert(connection, build, enumerate(fresh, start=following))
    connection.executemany(
        "UPDATE medications SET position = ? WHERE id = ?",
        [(position, med_id) for position, med_id in enumerate(build.medications)],
    )
    connection.execute("DELETE FROM files")
    connection.execute("DELETE FROM meta")
    _finish(connection, build)
    connection.execute("COMMIT")


def _finish(connection: sqlite3.Connection, build: Build) -> None:
    connection.executemany(
        "INSERT INTO files (position, path, identity, medication) VALUES (?, ?, ?, ?)",
        [(position, _dumps(path), *rest) for position, (path, *rest) in enumerate(build.files)],
    )
    connection.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("fingerprint", build.fingerprint), ("code", build.code)],
    )


def _insert(
    connection: sqlite3.Connection, build: Build, numbered: Iterable[tuple[int, str]]
) -> None:
    order = {name: position for position, name in enumerate(SECTION_ORDER)}
    positions = {med_id: position for position, med_id in enumerate(build.medications)}
    for number, med_id in numbered:
        medication = build.medications[med_id]
        head = {key: value for key, value in medication.items() if key != "sections"}
        summary = {key: medication[key] for key in SUMMARY_KEYS}
        summary["sections"] = list(medication["sections"])
        summary["origin"] = build.origins[med_id]
        head_json, summary_json = _dumps(head), _dumps(summary)
        connection.execute(
            "INSERT INTO medications (number, position, id, name, origin, head, summary, crc)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                number,
                positions[med_id],
                med_id,
                medication["name"],
                _dumps(build.origins[med_id]),
                head_json,
                summary_json,
                _crc(number, med_id, head_json, summary_json),
            ),
        )
        names = [med_id, medication["name"], *medication["brands"], *medication["aliases"]]
        keyed = {(name_key(name), name): None for name in names}  # each spelling once
        connection.executemany(
            "INSERT INTO names (key, medication, written, crc) VALUES (?, ?, ?, ?)",
            [(key, number, name, _crc(key, number, name)) for key, name in keyed],
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


def open_current(path: str, fingerprint: str) -> Store | None:
    """The store at `path` if it is ours, readable, and built from data with `fingerprint`;
    None otherwise (absent, stale, foreign or damaged: build a new one)."""
    try:
        connection = sqlite3.connect(_uri(path, "ro"), uri=True, isolation_level=None)
    except sqlite3.OperationalError:
        return None  # no store yet
    try:
        if _ours(connection):
            row = connection.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            if row is not None and row[0] == fingerprint:
                return Store(connection)
    except sqlite3.DatabaseError:
        pass  # not a database, or a damaged one: rebuilt by the caller
    connection.close()
    return None


#: The tables every store has; one missing means a damaged store, not a query to fail.
TABLES = (
    *("meta", "files", "medications", "names", "sections", "entries"),
    *(f"entries_{part}" for part in ("data", "idx", "content", "docsize", "config")),
)


def _ours(connection: sqlite3.Connection) -> bool:
    """Whether the database is a store of this schema version, with all its tables."""
    (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if application_id != APPLICATION_ID or version != STORE_VERSION:
        return False
    names = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    return names.issuperset(TABLES)


def known_files(path: str, code: str) -> dict[tuple[str, bytes], Plain]:
    """The medications of the store at `path`, without their sections (what checks across
    files need: id, names, class...), by the (path, identity) of the file each came from, when
    that store was built by the same code: files unchanged since need no parsing, and their
    rows stay as they are when the store is updated. Empty when there is no such store, or it
    cannot be read whole."""
    try:
        connection = sqlite3.connect(_uri(path, "ro"), uri=True, isolation_level=None)
    except sqlite3.OperationalError:
        return {}
    try:
        if not _ours(connection):
            return {}
        row = connection.execute("SELECT value FROM meta WHERE key = 'code'").fetchone()
        if row is None or row[0] != code:
            return {}
        heads: dict[str, Plain] = {}
        for row in connection.execute("SELECT number, id, head, summary, crc FROM medications"):
            _checked(row, *row[:4])
            heads[row[1]] = json.loads(row[2])
        known: dict[tuple[str, bytes], Plain] = {}
        for file_path, identity, med_id in connection.execute(
            "SELECT path, identity, medication FROM files WHERE medication IS NOT NULL"
        ):
            if med_id in heads:
                known[(json.loads(file_path), identity)] = heads[med_id]
        return known
    except (sqlite3.DatabaseError, ValueError):
        return {}  # damaged (SQLite, a checksum, or JSON): build from the files alone
    finally:
        connection.close()


def in_memory(build: Build) -> Store:
    """A store built in memory, for runs without a usable cache folder."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    _fill(connection, build)
    return Store(connection)


#: An update rewrites the rows of changed medications; past this share of them, a whole new
#: store is quicker to write.
UPDATE_AT_MOST = 0.25


def worth_updating(changed: int, medications: int) -> bool:
    """Whether a store with `changed` of `medications` new or changed is updated in place of
    being written anew."""
    return changed <= UPDATE_AT_MOST * max(medications, 1)


def write(path: str, build: Build, update: bool = False) -> bool:
    """Write the store into a temporary file beside `path` and move it into place; False when
    that could not be done (a full disk, a read-only folder): the caller works in memory.

    With `update`, the store at `path` (built by the same code: its medications were known) is
    copied and brought up to date; the caller has checked it is worth it. The medications it
    keeps may then be given without their sections: their rows are not written again.
    """
    import shutil
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
    updating = update and worth_updating(len(build.changed), len(build.medications))
    try:
        if updating:
            shutil.copyfile(path, temporary)
        connection = sqlite3.connect(_uri(temporary, "rw"), uri=True, isolation_level=None)
        try:
            # A temporary file needs no journal: a build that fails is thrown away whole.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            if updating:
                _update(connection, build)
            else:
                _fill(connection, build)
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
    except sqlite3.DatabaseError:
        _remove(temporary)
        if updating:  # the copy was damaged after all: the caller builds from the files
            return False
        raise
    except BaseException:
        _remove(temporary)
        raise
    return True


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        return
