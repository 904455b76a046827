"""The Python API: what the command line itself uses, for scripts that would rather import than
shell out. Every result is the document the JSON output prints.

    import clonafacts

    with clonafacts.open_database() as db:           # the shipped data; data_paths for more
        for symptom in db.section("withdrawal", "Klonopin")["content"]["symptoms"]:
            print(symptom["name"])
        for hit in db.search("seizure*")["hits"]:
            print(hit["medication"]["name"], hit["section"], hit["text"])

Errors are the domain exceptions of `clonafacts.errors` (all `ClonafactsError`): DataError for a
data file that does not load, UnknownMedicationError, MissingSectionError, QueryError.

The data flow: store.discovery finds the data files; store.snapshot fingerprints them; a store
built from the same fingerprint (store.sqlite, in the folder store.folder chose) answers at
once; otherwise facts.loading validates the files and a new store is built.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, NamedTuple, NoReturn, TypeVar, cast

from xxhash import xxh3_128

from clonafacts import documents
from clonafacts.documents import (
    ComparisonDocument,
    ListDocument,
    MedicationDocument,
    Plain,
    SearchDocument,
    SearchHit,
    SectionDocument,
    SourcesDocument,
)
from clonafacts.errors import (
    DataError,
    IncompleteError,
    LabelOnlyError,
    LabelStoreBusyError,
    NoCardsError,
    NoLabelsError,
    Problem,
    UnknownLabelError,
    UnknownMedicationError,
)
from clonafacts.sections import DEFAULT_DRUG, SECTION_ORDER
from clonafacts.store import discovery, folder, sqlite
from clonafacts.store.closing import Closing
from clonafacts.store.query import fts_query, split
from clonafacts.store.snapshot import code_identity, fingerprint, read_all

if TYPE_CHECKING:  # study mode and imported labels are loaded when used
    from types import ModuleType

    from clonafacts.labels.store import ImportSummary, Label, LabelStore
    from clonafacts.study.cards import CardsDocument

#: Where search hits may come from.
ORIGINS = ("curated", "label", "all")
#: Search hits shown when no --limit is given.
DEFAULT_LIMIT = 20
MAX_LIMIT = 10_000

T = TypeVar("T")


def open_database(data_paths: Sequence[str] = (), *, cache: bool = True) -> Database:
    """The shipped data and the user's (CLONAFACTS_DATA, then `data_paths`), read through the
    store in the cache folder (`cache=False`: built in memory for this process only)."""
    return Database(data_paths, cache=cache)


class Database(Closing):
    """Medications by any name; sections, search, listing. Opened on first use."""

    def __init__(self, data_paths: Sequence[str] = (), *, cache: bool = True) -> None:
        self.data_paths = list(data_paths)
        self.cache = cache
        #: Why the cache was not used (a folder or store file others could have written).
        self.warnings: list[str] = []
        self._store: sqlite.Store | None = None
        self._path: str | None = None  # the store file, when one is used
        self._rebuilt = False  # whether this run already rebuilt a damaged store
        self._label_store: LabelStore | None = None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._label_store is not None:
            self._label_store.close()
            self._label_store = None

    # Lookups ------------------------------------------------------------------------------------

    def section(
        self,
        section: str,
        drug: str = DEFAULT_DRUG,
        *,
        label: bool = False,
        set_id: str | None = None,
    ) -> SectionDocument:
        """One section of a medication (`withdrawal`, ...), found by any of its names: curated
        facts, else an imported label's text. `label`: the label's text even for a curated
        medication; `set_id`: that label."""
        if section not in SECTION_ORDER:
            raise ValueError(f"no section {section!r}; the sections are {SECTION_ORDER}")
        if label or set_id is not None:
            found = self._label(drug, set_id)
        else:
            try:
                return self._query(
                    lambda store: documents.section_document(
                        store.medication(store.resolve(drug), section), section
                    )
                )
            except UnknownMedicationError as unknown:
                found = self._label_instead(drug, unknown)
        return cast(SectionDocument, label_documents().section_document(found, section))

    def lookup(
        self,
        command: str,
        drug: str = DEFAULT_DRUG,
        *,
        label: bool = False,
        set_id: str | None = None,
    ) -> SectionDocument | MedicationDocument:
        """What a lookup command shows: a section (`withdrawal`, ...), or `all`."""
        if command == "all":
            return self.medication(drug, label=label, set_id=set_id)
        return self.section(command, drug, label=label, set_id=set_id)

    def medication(
        self, drug: str = DEFAULT_DRUG, *, label: bool = False, set_id: str | None = None
    ) -> MedicationDocument:
        """Every section of a medication, in order (`clonafacts all`)."""
        if label or set_id is not None:
            found = self._label(drug, set_id)
        else:
            try:
                return self._query(
                    lambda store: documents.medication_document(
                        store.medication(store.resolve(drug))
                    )
                )
            except UnknownMedicationError as unknown:
                found = self._label_instead(drug, unknown)
        return cast(MedicationDocument, label_documents().medication_document(found))

    # Imported labels ------------------------------------------------------------------------------

    def _labels(self) -> LabelStore | None:
        """The store of imported labels; None when nothing was ever imported."""
        if self._label_store is None:
            from clonafacts.store.userdata import LABELS_FILE, data_folder

            if not os.path.exists(os.path.join(data_folder(), LABELS_FILE)):
                return None  # never imported: the label modules are not even loaded
            from clonafacts.labels.store import LabelStore

            self._label_store = LabelStore.open()
        return self._label_store

    def _label(self, drug: str, set_id: str | None) -> Label:
        labels = self._labels()
        if labels is None:
            raise NoLabelsError()
        return labels.resolve(drug, set_id)

    def _curated_only(self, unknown: UnknownMedicationError) -> NoReturn:
        """Raise `unknown`; or, for a name only imported labels have, say that this asks for
        curated facts (compare, cards, quiz, a curated search)."""
        labels = self._labels()
        if labels is not None and labels.has_name(unknown.name):
            raise LabelOnlyError(unknown.name) from None
        raise unknown

    def _label_instead(self, drug: str, unknown: UnknownMedicationError) -> Label:
        """The label called `drug`, for a name no curated medication has; else the error,
        with the suggestions of both."""
        labels = self._labels()
        if labels is None:
            raise unknown
        try:
            return labels.resolve(drug)
        except UnknownMedicationError as also:
            suggested = _either(unknown.suggestions, also.suggestions)
            raise UnknownMedicationError(drug, suggested, unknown.known) from None

    def label_names(self, prefix: str, limit: int = 200) -> list[str]:
        """Imported labels' names that start with `prefix` (any case), as written: for
        completion, fast with any number of labels."""
        labels = self._labels()
        return [] if labels is None else labels.names_starting(prefix, limit)

    def label_count(self) -> int:
        """How many labels are imported."""
        labels = self._labels()
        return 0 if labels is None else labels.count()

    def label_listing(self, name: str | None = None) -> Iterator[Plain]:
        """Every imported label (or those called `name`), as `list --labels` shows them, one by
        one as they are read."""
        labels = self._labels()
        if labels is None:
            return
        for set_id, label_name, brand, manufacturer, effective, application in labels.listing(name):
            yield {
                "set_id": set_id,
                "name": label_name,
                "brand": brand,
                "manufacturer": manufacturer,
                "effective": effective,
                "application": application,
            }

    def import_openfda(
        self,
        paths: Sequence[str],
        *,
        include_otc: bool = False,
        progress: Callable[[int, int, int], None] | None = None,
    ) -> ImportSummary:
        """Import openFDA drug label files (parts as downloaded, `.json.zip` or `.json`, or
        folders of them) into the label store, in one transaction: all or nothing.
        `progress(records, bytes read, bytes in all)` is called as records are read."""
        from clonafacts.labels import openfda
        from clonafacts.labels.store import LabelStore, pack

        files = _label_files(paths)
        reading = _Reading(total=sum(os.path.getsize(path) for path in files))

        def records() -> Iterator[tuple[openfda.LabelRecord | openfda.Skipped, bytes | None]]:
            # Packed here, in the reading thread: compressing is a good part of the work.
            for path in files:
                for name, stream, raw in openfda.parts(path):
                    reading.file = raw
                    for found in openfda.read(name, stream):
                        packed = pack(found) if isinstance(found, openfda.LabelRecord) else None
                        yield found, packed
                reading.done += os.path.getsize(path)
                reading.file = None

        def advance(count: int) -> None:
            if progress is not None:
                progress(count, reading.position(), reading.total)

        store = LabelStore.open(create=True)
        assert store is not None
        with store, _read_ahead(records()) as ahead:
            return store.import_records(ahead, include_otc=include_otc, progress=advance)

    def sources(self, drug: str = DEFAULT_DRUG) -> SourcesDocument:
        """A medication's references in full, each with what cites it (for a labelled
        medication that is not curated, its label)."""
        try:
            return self._query(
                lambda store: documents.sources_document(store.medication(store.resolve(drug)))
            )
        except UnknownMedicationError as unknown:
            found = self._label_instead(drug, unknown)
        return cast(SourcesDocument, label_documents().sources_document(found))

    def compare(self, names: str | Sequence[str], section: str | None = None) -> ComparisonDocument:
        """Medications side by side, each named by any of its names or by a class they belong
        to (`benzodiazepines`): the default rows (class, schedule, labelled indications,
        half-life...), or with `section` that section's structured fields."""
        wanted = [names] if isinstance(names, str) else list(names)
        if section is not None and section not in SECTION_ORDER:
            raise ValueError(f"no section {section!r}; the sections are {SECTION_ORDER}")

        try:
            return self._query(
                lambda store: documents.comparison_document(_medications(store, wanted), section)
            )
        except UnknownMedicationError as unknown:
            self._curated_only(unknown)

    def cards(
        self, names: Sequence[str] = (), sections: Sequence[str] | None = None
    ) -> CardsDocument:
        """Study cards of the medications called `names` (any name, or a class; none: every
        medication), of every section or of `sections` (section names, or `compare` for the
        cards that contrast medications)."""
        from clonafacts.study.cards import COMPARE, cards_document

        for section in sections or ():
            if section not in (*SECTION_ORDER, COMPARE):
                raise ValueError(f"no section {section!r}; the sections are {SECTION_ORDER}")

        def run(store: sqlite.Store) -> CardsDocument:
            if names:
                medications = _medications(store, names)
            else:
                medications = [store.medication(number) for number in store.numbers()]
            document = cards_document(medications, sections)
            if not document["cards"]:
                chosen = ", ".join(sections or ()) or "any section"
                raise NoCardsError(f"no study cards: the data has nothing to ask from {chosen}")
            return document

        try:
            return self._query(run)
        except UnknownMedicationError as unknown:
            self._curated_only(unknown)

    def resolve(self, name: str) -> str:
        """The id of the medication called `name` (id, name, brand or alias, in any case)."""
        return self._query(lambda store: store.medication_id(store.resolve(name)))

    def listing(self) -> ListDocument:
        """Every medication with its brands, class, sections and origin."""
        summaries = self._query(lambda store: store.summaries())
        try:
            return documents.list_document(summaries, self.label_count())
        except LabelStoreBusyError as busy:
            partial = documents.list_document(summaries)
            raise IncompleteError(partial, f"imported labels not counted: {busy}") from None

    def names(self) -> list[str]:
        """Every name, brand, alias and id, as written (for completion)."""
        return self._query(lambda store: store.names())

    def search(
        self,
        query: str | Sequence[str],
        *,
        drug: str | None = None,
        limit: int = DEFAULT_LIMIT,
        origin: str = "all",
    ) -> SearchDocument:
        """The entries that match every word of `query`, best first (bm25), at most `limit`.

        Words match their other forms (seizure, seizures); "quoted phrases" match in order;
        a word ending in * matches as a prefix. A query string is split at spaces outside
        quotes; a sequence gives the words as a shell would (a word with spaces is a phrase).
        `origin`: `curated` facts, imported `label` text, or `all` (curated hits first, then
        the labels': their scores come from different indexes and do not compare).
        """
        words = split(query) if isinstance(query, str) else list(query)
        match = fts_query(words)
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be from 1 to {MAX_LIMIT:,}, not {limit}")
        if origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}, not {origin!r}")
        hits: list[SearchHit] = []
        total = 0
        not_curated: UnknownMedicationError | None = None  # `drug`, when no curated one has it
        if origin in ("curated", "all"):

            def run(store: sqlite.Store) -> tuple[list[sqlite.Hit], int]:
                number = None if drug is None else store.resolve(drug)
                return store.search(match, number, limit)

            try:
                found, total = self._query(run)
                hits = [_hit(hit, "curated") for hit in found]
            except UnknownMedicationError as unknown:
                if origin == "curated":
                    self._curated_only(unknown)
                if self._labels() is None:
                    raise
                not_curated = unknown
        if origin in ("label", "all"):
            try:
                found_labels, counted = self._label_hits(
                    match, drug, limit - len(hits), origin, not_curated
                )
            except LabelStoreBusyError as busy:
                if origin == "label":
                    raise
                # The curated hits stand; the labels' could not be searched: said, not hidden.
                partial = documents.search_document(words, hits, total)
                raise IncompleteError(partial, f"label text not searched: {busy}") from None
            hits += found_labels
            total += counted
        return documents.search_document(words, hits, total)

    def _label_hits(
        self,
        match: str,
        drug: str | None,
        limit: int,
        origin: str,
        not_curated: UnknownMedicationError | None,
    ) -> tuple[list[SearchHit], int]:
        """The labels' part of a search: its best `limit` hits, and how many match."""
        labels = self._labels()
        if labels is None:
            if origin == "label":
                raise NoLabelsError()
            return [], 0
        if drug is not None and (origin == "label" or not_curated) and not labels.has_name(drug):
            # Neither a label nor (with --origin all) a curated medication has that name.
            curated = not_curated.suggestions if not_curated else []
            unknown_as = UnknownLabelError if origin == "label" else UnknownMedicationError
            raise unknown_as(drug, _either(curated, labels.suggest(drug)))
        from clonafacts.labels.documents import field_section

        found, counted = labels.search(match, limit, drug)
        hits = [
            _hit(
                sqlite.Hit(set_id, name, field_section(field), field, marked, ["label"], -bm),
                "label",
            )
            for set_id, name, field, marked, bm in found
        ]
        return hits, counted

    # The store ----------------------------------------------------------------------------------

    def _query(self, ask: Callable[[sqlite.Store], T]) -> T:
        store = self._open()
        try:
            return ask(store)
        except sqlite3.DatabaseError:
            if self._rebuilt:
                raise  # a store just built from the data fails too: a bug, not damage
            # The store file is damaged: SQLite found it malformed or missing what the query
            # names, or a row failed its checksum. Build it again from the data files and
            # answer from the new one.
            store.close()
            self._rebuilt = True
            self._store = self._build(self._path, reuse=False)
            return ask(self._store)

    def _open(self) -> sqlite.Store:
        if self._store is None:
            self._store = self._open_store()
        return self._store

    def _open_store(self) -> sqlite.Store:
        files = discovery.data_files(self.data_paths)
        where = folder.cache_folder() if self.cache else folder.CacheFolder(None)
        if where.warning:
            self.warnings.append(where.warning + "; answering from the data files")
        if where.path is None:
            return self._build(None)
        path = os.path.join(where.path, store_name(self.data_paths))
        problem = folder.store_problem(path)
        if problem is not None:
            self.warnings.append(f"not using {path}: {problem}; answering from the data files")
            return self._build(None)
        self._path = path
        current = fingerprint(files)
        if current is not None:
            store = sqlite.open_current(path, current)
            if store is not None:
                return store
        return self._build(path, files)

    def _build(
        self,
        path: str | None,
        files: list[discovery.DataFile] | None = None,
        reuse: bool = True,
    ) -> sqlite.Store:
        """Load and validate the data files, and build a store from them: at `path` when it
        can be written (then the store file answers), else in memory. With `reuse`, the
        medications of files unchanged since the store at `path` was built are taken from it
        rather than parsed again, and that store is updated rather than written anew."""
        from clonafacts.facts.loading import Loaded, load_contents

        files = discovery.data_files(self.data_paths) if files is None else files
        code = code_identity()
        known = sqlite.known_files(path, code) if path is not None and reuse else {}
        contents = read_all(files, let_go=known)
        new = sum((read.data_file.path, read.identity) not in known for read in contents.files)
        if known and not sqlite.worth_updating(new, len(contents.files)):
            known = {}  # so much changed that writing the store anew is quicker
            contents = read_all(files)  # every file is parsed: read them again, bytes kept
        loaded = load_contents(contents, known)

        def build_of(loaded: Loaded) -> sqlite.Build:
            defined = zip(contents.files, loaded.defines, strict=True)
            return sqlite.Build(
                loaded.medications,
                loaded.origins,
                [(read.data_file.path, read.identity, med_id) for read, med_id in defined],
                loaded.parsed,
                contents.fingerprint,
                code,
            )

        if path is not None and sqlite.write(path, build_of(loaded), update=bool(known)):
            folder.tidy(os.path.dirname(path), keep=path)
            store = sqlite.open_current(path, contents.fingerprint)
            if store is not None:
                return store
        if known:  # the known medications came without their sections: load them whole
            contents = read_all(files)
            loaded = load_contents(contents)
        return sqlite.in_memory(build_of(loaded))


def store_name(data_paths: Sequence[str]) -> str:
    """The store file for a set of data paths (the shipped data's folder, CLONAFACTS_DATA's
    and --data's paths): one per set, so switching between them does not rebuild each time,
    while adding or removing a file in them updates the same store."""
    named = xxh3_128()
    for path in [discovery.shipped_folder(), *discovery.user_paths(list(data_paths))]:
        named.update(os.path.abspath(path).encode("utf-8", "surrogateescape") + b"\0")
    prefix, suffix = folder.STORE_PATTERN
    return f"{prefix}{named.hexdigest()[:20]}{suffix}"


@contextmanager
def _read_ahead(items: Iterator[T], depth: int = 64) -> Iterator[Iterator[T]]:
    """`items`, read in a thread of their own up to `depth` ahead: the files are unzipped and
    parsed while the store indexes (SQLite and zlib let go of the GIL). An error in the
    reading thread is raised in the caller's; leaving stops the reader."""
    import queue
    import threading

    buffer: queue.Queue[tuple[str, Any]] = queue.Queue(depth)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                buffer.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
        except BaseException as error:  # handed to the caller, who raises it
            put("error", error)
            return
        put("end", None)

    def taken() -> Iterator[T]:
        while True:
            kind, value = buffer.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value

    reader = threading.Thread(target=read, name="clonafacts-read-ahead", daemon=True)
    reader.start()
    try:
        yield taken()
    finally:
        stop.set()
        reader.join(timeout=5)


class _Reading:
    """Where an import is, in bytes: the files read before, and the one being read."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.file: IO[bytes] | None = None

    def position(self) -> int:
        if self.file is None or self.file.closed:
            return self.done
        return self.done + self.file.tell()


def label_documents() -> ModuleType:
    from clonafacts.labels import documents as label_docs

    return label_docs


def _label_files(paths: Sequence[str]) -> list[str]:
    """The files to import: each path, or a folder's `.json` and `.zip` files in name order."""
    from clonafacts.errors import LabelFileError

    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            try:
                names = sorted(os.listdir(path))
            except OSError as error:
                raise LabelFileError(path, error.strerror or str(error)) from None
            found = [
                os.path.join(path, name)
                for name in names
                if name.endswith((".json", ".zip")) and os.path.isfile(os.path.join(path, name))
            ]
            if not found:
                raise LabelFileError(path, "the folder holds no .json or .zip file")
            files += found
        elif os.path.isfile(path):
            files.append(path)
        elif os.path.exists(path):
            # A device or a pipe: a part must be a file (a zip is read by seeking).
            raise LabelFileError(path, "not a regular file or folder")
        else:
            raise LabelFileError(path, "no such file or folder")
    return files


def _medications(store: sqlite.Store, names: Sequence[str]) -> list[Plain]:
    """The medications called `names`, each by any of its names or by a class it belongs to;
    each once, in the order named."""
    numbers: dict[int, None] = {}
    for name in names:
        try:
            numbers.setdefault(store.resolve(name), None)
        except UnknownMedicationError:
            members = store.class_members(name)
            if not members:
                raise
            numbers.update(dict.fromkeys(members))
    return [store.medication(number) for number in numbers]


def _either(curated: list[str], labelled: list[str]) -> list[str]:
    """The suggestions for a name neither the curated data nor the labels have: both's, once."""
    return list(dict.fromkeys([*curated, *labelled]))[:3]


def _hit(hit: sqlite.Hit, origin: str) -> SearchHit:
    """A search hit as documented: the plain text, and where the matches are in it."""
    text: list[str] = []
    highlights: list[list[int]] = []
    length = 0
    for index, part in enumerate(hit.marked.split(sqlite.MARK_START)):
        matched, _, rest = part.partition(sqlite.MARK_END) if index else ("", "", part)
        if matched:
            highlights.append([length, length + len(matched)])
        text += [matched, rest]
        length += len(matched) + len(rest)
    return {
        "medication": {"id": hit.medication_id, "name": hit.medication_name},
        "origin": origin,
        "section": hit.section,
        "path": hit.path,
        "text": "".join(text),
        "highlights": highlights,
        "score": round(hit.score, 4),
        "sources": hit.sources,
    }


# Validation -------------------------------------------------------------------------------------


class ValidationReport(NamedTuple):
    files: list[discovery.DataFile]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def document(self) -> documents.ValidationDocument:
        """The result as the document `validate --json` prints."""
        return documents.validation_document(
            [data_file.shown for data_file in self.files],
            [
                {"path": p.path, "line": p.line, "column": p.column, "message": p.message}
                for p in self.problems
            ],
        )

    def summary(self) -> str:
        checked = f"checked {_count(len(self.files), 'data file')}"
        if self.ok:
            return f"{checked}: all valid"
        bad = len({problem.path for problem in self.problems})
        return f"{checked}: {_count(len(self.problems), 'problem')} in {_count(bad, 'file')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def validate(paths: Sequence[str] = (), data_paths: Sequence[str] = ()) -> ValidationReport:
    """Check the given files and folders, or with none, everything a lookup would load."""
    from clonafacts.facts.loading import load_contents

    if paths:
        groups, problems = discovery.collect_groups(list(paths))
        # A folder named on purpose that holds no data is most likely a typo: say so.
        problems += [
            Problem(group.shown, "no .yaml or .yml files in this folder")
            for group in groups
            if not group.names
        ]
        files = discovery.files_of(groups)
    else:
        groups, problems = discovery.collect_groups(
            discovery.user_paths(list(data_paths)), list(data_paths)
        )
        files = discovery.files_of([discovery.shipped_group(), *groups])
    contents = read_all(files)
    try:
        load_contents(contents)
    except DataError as error:
        problems += error.problems
    # Each file once, however many paths reach it (a hard link, a linked folder).
    return ValidationReport([read.data_file for read in contents.files], problems)


__all__ = [
    "DEFAULT_LIMIT",
    "Database",
    "ValidationReport",
    "open_database",
    "validate",
]
