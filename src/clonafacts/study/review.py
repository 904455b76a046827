"""The quiz's review state and its scheduling (FSRS): which cards are due, which are new, and
what a rating does to a card. A library module: it never prints; an unusable state file is a
StateError.

The state is one SQLite file, `reviews.sqlite3`, in the user's data folder (platformdirs'
`user_data_dir`; CLONAFACTS_STATE_DIR overrides), keyed by the cards' stable keys, so that it
survives edits of the data:
- a changed card keeps its history (its key is the same);
- a card whose key the selection no longer produces is retired: kept, marked, neither shown nor
  counted (it comes back, history and all, if its key is produced again);
- a key never seen before is a new card.

The file's layout is versioned (`PRAGMA user_version`); MIGRATIONS bring an older file up to
date in one transaction, after a copy of it is kept as `reviews.sqlite3.bak-v<old>`. A file
from a newer clonafacts, a damaged file or a file that is not a state file is reported and
never replaced. Each rating is written in its own transaction (BEGIN IMMEDIATE): a killed quiz
loses at most the answer being given. WAL and a busy timeout let two quizzes share the file.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs

from clonafacts.errors import StateError
from clonafacts.store.closing import Closing
from clonafacts.store.userdata import data_folder, ready_folder
from clonafacts.study.cards import COMPARE, Card, CardsDocument

FILE_NAME = "reviews.sqlite3"
#: The layout of the state file this version writes (not the documents' schema_version).
STATE_VERSION = 2
#: How long to wait for another quiz that is writing the file, in seconds.
BUSY_TIMEOUT_S = 10.0
#: Retention is the share of the reviews of this many days rated Hard or better.
RETENTION_DAYS = 30

#: The ratings, by the key that gives them.
RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
#: The states of a card that has been reviewed (fsrs.State), by value.
STATES = {1: "learning", 2: "review", 3: "relearning"}

_SQLITE_HEADER = b"SQLite format 3\x00"
_TABLES = {
    "cards": {"key", "card", "due", "retired", "first_reviewed", "medications", "section"},
    "reviews": {"id", "key", "rating", "reviewed_at", "answer", "duration_ms"},
}


# The layout, version by version -------------------------------------------------------------


def _version_1(connection: sqlite3.Connection) -> None:
    """The state of each card reviewed at least once, and every review."""
    connection.execute(
        """CREATE TABLE cards (
            key TEXT PRIMARY KEY,
            card TEXT NOT NULL,             -- fsrs.Card.to_dict(), as JSON
            due TEXT NOT NULL,              -- UTC, fixed width: orders as text
            retired INTEGER NOT NULL DEFAULT 0,
            first_reviewed TEXT NOT NULL    -- UTC: counts the new cards of a day
        )"""
    )
    connection.execute("CREATE INDEX cards_due ON cards (due)")
    connection.execute(
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            reviewed_at TEXT NOT NULL,      -- UTC
            answer TEXT                     -- what the student typed, if anything
        )"""
    )
    connection.execute("CREATE INDEX reviews_key ON reviews (key)")
    connection.execute("CREATE INDEX reviews_reviewed_at ON reviews (reviewed_at)")


def _version_2(connection: sqlite3.Connection) -> None:
    """What a card belongs to (its medications and section), so that a card is retired only by
    a selection that would produce it; and how long each answer took."""
    connection.execute("ALTER TABLE cards ADD COLUMN medications TEXT")  # JSON list of ids
    connection.execute("ALTER TABLE cards ADD COLUMN section TEXT")
    connection.execute("ALTER TABLE reviews ADD COLUMN duration_ms INTEGER")
    # A medication's card key starts with its id and section; a contrast card's medications
    # are not in its key, and are filled in when a selection next produces it.
    rows = connection.execute("SELECT key FROM cards").fetchall()
    for (key,) in rows:
        parts = key.split("/")
        if parts[0] == COMPARE:
            connection.execute("UPDATE cards SET section = ? WHERE key = ?", (COMPARE, key))
        elif len(parts) > 1:
            connection.execute(
                "UPDATE cards SET medications = ?, section = ? WHERE key = ?",
                (json.dumps([parts[0]]), parts[1], key),
            )


#: MIGRATIONS[n] brings a file of version n to version n + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_version_1, _version_2)
assert len(MIGRATIONS) == STATE_VERSION


# Where the state lives --------------------------------------------------------------------


def state_folder() -> str:
    """The folder of the state file: CLONAFACTS_STATE_DIR, else the user's data folder."""
    return data_folder()


def state_path() -> str:
    return str(Path(state_folder()) / FILE_NAME)


def _ready_folder(path: str) -> None:
    ready_folder(path)


# Times ----------------------------------------------------------------------------------------


def utcnow() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A time as stored: UTC, to the microsecond, fixed width (text order is time order)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The start and end (UTC) of the local day that `now` falls in."""
    local = time.localtime(now.timestamp())
    start = time.mktime((local.tm_year, local.tm_mon, local.tm_mday, 0, 0, 0, 0, 0, -1))
    end = time.mktime((local.tm_year, local.tm_mon, local.tm_mday + 1, 0, 0, 0, 0, 0, -1))
    return datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)


# What the store answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reviewed:
    """A card's state after a rating."""

    key: str
    rating: int
    due: datetime
    state: str  # learning, review or relearning


@dataclass(frozen=True)
class Stats:
    """Progress on the cards of one selection (retired cards are not counted)."""

    cards: int  # in the selection
    seen: int  # reviewed at least once
    due_today: int  # due before the end of the local day (overdue ones included)
    new: int  # never reviewed
    new_today: int  # new cards first reviewed today, in any selection (what --new limits)
    next_due: datetime | None
    retention: float | None  # share of the last RETENTION_DAYS days' reviews rated Hard+
    recent_reviews: int  # reviews in the last RETENTION_DAYS days
    total_reviews: int
    seen_cards: list[tuple[str, datetime, str, int]]  # key, due, state, reviews; by due


@dataclass(frozen=True)
class _Row:
    key: str
    card: str
    due: str
    retired: bool
    first_reviewed: str
    medications: list[str] | None
    section: str | None


class ReviewStore(Closing):
    """The review state file, open. Use `ReviewStore.open()` in a `with` block."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self.connection = connection
        self.path = path
        self.scheduler = fsrs.Scheduler()

    # Opening --------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | None = None) -> ReviewStore:
        """Open (creating, or bringing up to date) the state file; StateError if it cannot be
        used as it is. `path` defaults to the file in state_folder()."""
        if path is None:
            folder = state_folder()
            _ready_folder(folder)
            path = str(Path(folder) / FILE_NAME)
        _check_file(path)
        try:
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as error:
            raise StateError(f"cannot open the review state {path}: {error}") from None
        store = cls(connection, path)
        try:
            store._prepare()
        except BaseException:
            connection.close()
            raise
        return store

    def _prepare(self) -> None:
        connection = self.connection
        with self._errors():
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            version = self._check()
            if version < STATE_VERSION:
                self._migrate()
            self._check_tables()
            if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                connection.execute("PRAGMA journal_mode = WAL")

    def _check(self) -> int:
        """The file's layout version, after checking it is a sound state file we can read."""
        try:
            result = [row[0] for row in self.connection.execute("PRAGMA quick_check")]
            version = int(self.connection.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.OperationalError as error:
            if _busy(error):
                raise
            raise self._damaged(str(error)) from None
        except sqlite3.DatabaseError as error:
            raise self._damaged(str(error)) from None
        if result != ["ok"]:
            raise self._damaged("it fails SQLite's integrity check: " + "; ".join(result[:3]))
        if version > STATE_VERSION:
            raise StateError(
                f"the review state {self.path} was written by a newer clonafacts (schema"
                f" {version}); this one reads up to {STATE_VERSION}. Upgrade clonafacts, or move"
                " the file away to start afresh."
            )
        if version == 0 and self._table_names():
            raise self._damaged("it is an SQLite database, but not a clonafacts review state")
        return version

    def _table_names(self) -> set[str]:
        rows = self.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return {row[0] for row in rows}

    def _check_tables(self) -> None:
        for table, columns in _TABLES.items():
            found = {row[1] for row in self.connection.execute(f"PRAGMA table_info({table})")}
            if not found:
                raise self._damaged(f"its table {table!r} is missing")
            if not columns <= found:
                missing = ", ".join(sorted(columns - found))
                raise self._damaged(f"its table {table!r} lacks {missing}")

    def _migrate(self) -> None:
        """Bring the file to STATE_VERSION in one transaction, keeping a copy of the old file
        (unless it was empty: a new file)."""
        connection = self.connection
        # Everything into the main file first (a no-op unless it is in WAL mode), so that
        # the copy is the file itself.
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("BEGIN IMMEDIATE")  # no other quiz writes until we are done
        try:
            # Another quiz may have migrated it while we waited for the lock.
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            if version < STATE_VERSION and (version > 0 or self._table_names()):
                self._backup(version)
            for migration in MIGRATIONS[version:]:
                migration(connection)
            connection.execute(f"PRAGMA user_version = {STATE_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _backup(self, version: int) -> None:
        """A copy of the file as it is, as `<file>.bak-v<version>` (written whole, or not at
        all): its very bytes, or when part of it is still in the write-ahead log (another
        program holds it open), a consistent copy through SQLite."""
        target = f"{self.path}.bak-v{version}"
        temporary = f"{target}.tmp-{os.getpid()}"
        try:
            wal = Path(f"{self.path}-wal")
            if wal.exists() and wal.stat().st_size > 0:
                source = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
                try:
                    copy = sqlite3.connect(temporary)
                    try:
                        source.backup(copy)
                    finally:
                        copy.close()
                finally:
                    source.close()
            else:
                shutil.copyfile(self.path, temporary)
            Path(temporary).replace(target)
        except (OSError, sqlite3.Error) as error:
            with suppress(OSError):
                Path(temporary).unlink()
            raise StateError(
                f"cannot keep a copy of the review state {self.path} before updating it"
                f" ({target}): {getattr(error, 'strerror', None) or error}"
            ) from None

    def _damaged(self, reason: str) -> StateError:
        return _damaged(self.path, reason)

    def _errors(self) -> AbstractContextManager[None]:
        return _sqlite_errors(self.path)

    def close(self) -> None:
        self.connection.close()

    # Reading --------------------------------------------------------------------------------

    def _rows(self) -> dict[str, _Row]:
        with self._errors():
            rows = self.connection.execute(
                "SELECT key, card, due, retired, first_reviewed, medications, section FROM cards"
            ).fetchall()
        return {
            row[0]: _Row(
                row[0],
                row[1],
                row[2],
                bool(row[3]),
                row[4],
                json.loads(row[5]) if row[5] else None,
                row[6],
            )
            for row in rows
        }

    def _new_today(self, now: datetime) -> int:
        start, end = day_bounds(now)
        with self._errors():
            row = self.connection.execute(
                "SELECT count(*) FROM cards WHERE retired = 0"
                " AND first_reviewed >= ? AND first_reviewed < ?",
                (stamp(start), stamp(end)),
            ).fetchone()
        return int(row[0])

    # Retiring -------------------------------------------------------------------------------

    def sync(self, document: CardsDocument) -> list[str]:
        """Bring the state in line with the cards the selection produces: each produced key
        is known by its medications and section, and un-retired if it was retired; a key the
        selection would produce but no longer does is retired. The keys retired, sorted."""
        produced = {card["key"]: card for card in document["cards"]}
        retire: list[str] = []
        update: list[tuple[str, str, str]] = []
        for key, row in self._rows().items():
            card = produced.get(key)
            if card is not None:
                medications = card["medications"]
                if row.retired or row.medications != medications or row.section != card["section"]:
                    update.append((json.dumps(medications), card["section"], key))
            elif not row.retired and _in_scope(row, document):
                retire.append(key)
        if retire or update:
            with self._transaction() as connection:
                connection.executemany(
                    "UPDATE cards SET retired = 0, medications = ?, section = ? WHERE key = ?",
                    update,
                )
                connection.executemany(
                    "UPDATE cards SET retired = 1 WHERE key = ?", [(key,) for key in retire]
                )
        return sorted(retire)

    # Scheduling -----------------------------------------------------------------------------

    def plan(
        self, document: CardsDocument, *, new: int, limit: int | None, now: datetime
    ) -> list[Card]:
        """This session's cards: the due ones, most overdue first; then new ones in the order
        of the selection, as many as `new` a day allows (counting the new cards first reviewed
        today, local day); at most `limit` in all."""
        rows = self._rows()
        current = stamp(now)
        due = sorted(
            (
                (rows[card["key"]].due, index, card)
                for index, card in enumerate(document["cards"])
                if card["key"] in rows and rows[card["key"]].due <= current
            ),
            key=lambda item: (item[0], item[1]),
        )
        chosen = [card for _, _, card in due]
        allowed = max(0, new - self._new_today(now))
        chosen += [card for card in document["cards"] if card["key"] not in rows][:allowed]
        return chosen if limit is None else chosen[:limit]

    def next_due(self, document: CardsDocument) -> datetime | None:
        """When the next card of the selection falls due (None: none has been reviewed)."""
        rows = self._rows()
        dues = [rows[card["key"]].due for card in document["cards"] if card["key"] in rows]
        return parse(min(dues)) if dues else None

    def record(
        self,
        card: Card,
        rating: int,
        *,
        now: datetime,
        answer: str | None = None,
        duration_ms: int | None = None,
    ) -> Reviewed:
        """Apply a rating (1 Again, 2 Hard, 3 Good, 4 Easy) to the card's latest state (another
        quiz may have reviewed it meanwhile) and log it, in one transaction."""
        if rating not in RATINGS:
            raise ValueError(f"a rating is 1 to 4, not {rating!r}")
        key = card["key"]
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT card, first_reviewed FROM cards WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                state, first = fsrs.Card(), stamp(now)
            else:
                state, first = fsrs.Card.from_dict(json.loads(row[0])), row[1]
                if state.last_review is not None and state.last_review > now:
                    now = state.last_review  # a clock that went back: never review backwards
            state, _ = self.scheduler.review_card(state, fsrs.Rating(rating), now)
            connection.execute(
                "INSERT INTO cards (key, card, due, retired, first_reviewed, medications,"
                " section) VALUES (?, ?, ?, 0, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                " card = excluded.card, due = excluded.due, retired = 0,"
                " medications = excluded.medications, section = excluded.section",
                (
                    key,
                    json.dumps(state.to_dict()),
                    stamp(state.due),
                    first,
                    json.dumps(card["medications"]),
                    card["section"],
                ),
            )
            connection.execute(
                "INSERT INTO reviews (key, rating, reviewed_at, answer, duration_ms)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, rating, stamp(now), answer, duration_ms),
            )
        return Reviewed(key, rating, state.due, STATES.get(int(state.state), "review"))

    # Progress -------------------------------------------------------------------------------

    def stats(self, document: CardsDocument, *, now: datetime) -> Stats:
        rows = self._rows()
        keys = [card["key"] for card in document["cards"]]
        seen = [rows[key] for key in keys if key in rows]
        _, end = day_bounds(now)
        since = stamp(now - timedelta(days=RETENTION_DAYS))
        with self._errors():
            counts = dict(self.connection.execute("SELECT key, count(*) FROM reviews GROUP BY key"))
            recent = self.connection.execute(
                "SELECT key, rating FROM reviews WHERE reviewed_at >= ?", (since,)
            ).fetchall()
        wanted = set(keys)
        ratings = [rating for key, rating in recent if key in wanted]
        states = {row.key: json.loads(row.card).get("state") for row in seen}
        return Stats(
            cards=len(keys),
            seen=len(seen),
            due_today=sum(1 for row in seen if row.due < stamp(end)),
            new=len(keys) - len(seen),
            new_today=self._new_today(now),
            next_due=parse(min(row.due for row in seen)) if seen else None,
            retention=(
                sum(1 for rating in ratings if rating >= 2) / len(ratings) if ratings else None
            ),
            recent_reviews=len(ratings),
            total_reviews=sum(counts.get(key, 0) for key in wanted),
            seen_cards=[
                (
                    row.key,
                    parse(row.due),
                    STATES.get(int(states[row.key] or 2), "review"),
                    counts.get(row.key, 0),
                )
                for row in sorted(seen, key=lambda row: (row.due, row.key))
            ],
        )

    # Writing --------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""
        connection = self.connection
        with self._errors():
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")


def _in_scope(row: _Row, document: CardsDocument) -> bool:
    """Whether the selection would produce this stored card if its data still had it."""
    sections = document["sections"]
    medications = set(document["medications"])
    if row.medications is None or row.section is None:
        return False  # not known (a contrast card of an older file): never retired blindly
    if sections is not None and row.section not in sections:
        return False
    if row.section == COMPARE and len(medications) < 2:
        return False
    return set(row.medications) <= medications


def _check_file(path: str) -> None:
    """Refuse, before SQLite touches it, a state file that is not a regular file, cannot be
    read and written, or is not an SQLite database at all."""
    try:
        info = Path(path).stat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise StateError(f"cannot use the review state {path}: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise StateError(f"cannot use the review state {path}: it is not a regular file")
    if not os.access(path, os.R_OK | os.W_OK):
        raise StateError(f"cannot use the review state {path}: it cannot be read and written")
    if info.st_size == 0:
        return  # an empty file is an empty database
    try:
        with Path(path).open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as error:
        raise StateError(f"cannot read the review state {path}: {error.strerror}") from None
    if header != _SQLITE_HEADER:
        raise _damaged(path, "it is not an SQLite database")


def _damaged(path: str, reason: str) -> StateError:
    return StateError(
        f"the review state {path} is damaged ({reason}); it was left as it is: move it away"
        " to start afresh"
    )


def _busy(error: sqlite3.Error) -> bool:
    return "locked" in str(error) or "busy" in str(error)


@contextmanager
def _sqlite_errors(path: str) -> Iterator[None]:
    """SQLite's errors as StateErrors that name the file."""
    try:
        yield
    except sqlite3.Error as error:
        if _busy(error):
            raise StateError(
                f"the review state {path} is busy: another quiz has held it for more than"
                f" {BUSY_TIMEOUT_S:g} seconds"
            ) from None
        if isinstance(error, sqlite3.OperationalError):
            raise StateError(f"cannot use the review state {path}: {error}") from None
        raise _damaged(path, str(error)) from None
