"""Reading openFDA's drug label files: the bulk download parts (`drug-label-0001-of-0013.json.zip`)
or their unzipped `.json`, streamed record by record with ijson, never loaded whole.

A part is `{"meta": {...}, "results": [record, ...]}`. A record that is not what openFDA writes
(a missing id or set id, a field of the wrong type, an impossible date) is skipped and counted
with its id; a file that is not such a part (not JSON, not a zip of them, no `results`) is a
LabelFileError naming the file, and the import changes nothing.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from clonafacts.errors import UNSAFE_CHARACTERS, LabelFileError
from clonafacts.labels.fields import OPENFDA_FIELDS, SECTION_FIELDS, TABLE_FIELDS

#: Longest text kept of one section string (a label section is tens of kilobytes; a string of
#: megabytes is not a label section).
MAX_TEXT_CHARS = 500_000
MAX_ID_CHARS = 100
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@dataclass(frozen=True)
class LabelRecord:
    """One label, as imported: its identity, its names, and its section texts (raw)."""

    id: str
    set_id: str
    version: int
    effective: str  # YYYY-MM-DD
    names: dict[str, list[str]]  # OPENFDA_FIELDS that the record has
    sections: dict[str, list[str]] = field(default_factory=dict)  # SECTION_FIELDS, TABLE_FIELDS

    @property
    def product_type(self) -> str:
        return (self.names.get("product_type") or [""])[0]


class Skipped(NamedTuple):
    """A record that was not imported, and why."""

    id: str | None
    reason: str


def parts(path: str) -> Iterator[tuple[str, IO[bytes], IO[bytes]]]:
    """The JSON streams in `path`: the file itself, or each `.json` member of a zip, with the
    name to report them by and the file underneath (whose position tells the progress)."""
    with _opened(path) as raw:
        if not zipfile.is_zipfile(raw):
            raw.seek(0)
            yield path, raw, raw
            return
        try:
            archive = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, OSError) as error:
            raise LabelFileError(path, f"not a readable zip file ({error})") from None
        with archive:
            members = [m for m in archive.infolist() if m.filename.endswith(".json")]
            if not members:
                raise LabelFileError(path, "the zip file holds no .json file")
            for member in members:
                try:
                    stream = archive.open(member)
                except (zipfile.BadZipFile, OSError, RuntimeError) as error:
                    raise LabelFileError(f"{path}:{member.filename}", str(error)) from None
                with stream:
                    yield f"{path}:{member.filename}", stream, raw


def _opened(path: str) -> IO[bytes]:
    try:
        return Path(path).open("rb")
    except OSError as error:
        raise LabelFileError(path, error.strerror or str(error)) from None


def read(name: str, stream: IO[bytes]) -> Iterator[LabelRecord | Skipped]:
    """Every record of one part, in order. Raises LabelFileError when the stream is not an
    openFDA part (then nothing of it may be kept)."""
    import ijson

    seen = 0
    try:
        for item in ijson.items(stream, "results.item", use_float=True):
            seen += 1
            yield record(item)
    except ijson.JSONError as error:
        raise LabelFileError(name, f"not valid JSON ({_short(error)})") from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise LabelFileError(name, f"cannot be read ({_short(error)})") from None
    if not seen:
        _check_empty_part(name, stream)


def _check_empty_part(name: str, stream: IO[bytes]) -> None:
    """A part with no records is fine when it has a `results` array; anything else is not a
    part."""
    import ijson

    try:
        stream.seek(0)
        for prefix, event, _ in ijson.parse(stream):
            if prefix == "results" and event == "start_array":
                return
    except (ijson.JSONError, OSError, ValueError) as error:
        raise LabelFileError(name, f"not valid JSON ({_short(error)})") from None
    raise LabelFileError(name, 'not an openFDA drug label file: it has no "results" array')


def _short(error: BaseException) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


def record(item: Any) -> LabelRecord | Skipped:
    """A record checked field by field: what openFDA writes, or Skipped with the reason."""
    if not isinstance(item, dict):
        return Skipped(None, "a record that is not a JSON object")
    raw_id = item.get("id")
    label_id = raw_id if isinstance(raw_id, str) and 0 < len(raw_id) <= MAX_ID_CHARS else None
    if label_id is None:
        return Skipped(None, "no id")
    set_id = item.get("set_id")
    if not isinstance(set_id, str) or not 0 < len(set_id) <= MAX_ID_CHARS:
        return Skipped(label_id, "no set_id")
    version = item.get("version", "1")
    if not (isinstance(version, str) and version.isdigit() and len(version) <= 9):
        return Skipped(label_id, "version is not a number")
    date = item.get("effective_time")
    found = _DATE.match(date) if isinstance(date, str) else None
    if found is None or not _real_date(*found.groups()):
        return Skipped(label_id, "effective_time is not a date (YYYYMMDD)")
    block = item.get("openfda", {})
    if not isinstance(block, dict):
        return Skipped(label_id, "openfda is not an object")
    names: dict[str, list[str]] = {}
    for key in OPENFDA_FIELDS:
        values = block.get(key)
        if values is None:
            continue
        if not _strings(values):
            return Skipped(label_id, f"openfda.{key} is not a list of strings")
        names[key] = [_clean_line(value) for value in values if value.strip()]
    sections: dict[str, list[str]] = {}
    for key in (*SECTION_FIELDS, *TABLE_FIELDS):
        values = item.get(key)
        if values is None:
            continue
        if not _strings(values):
            return Skipped(label_id, f"{key} is not a list of strings")
        sections[key] = [value[:MAX_TEXT_CHARS] for value in values if value.strip()]
    year, month, day = found.groups()
    return LabelRecord(
        id=label_id,
        set_id=set_id,
        version=int(version),
        effective=f"{year}-{month}-{day}",
        names=names,
        sections=sections,
    )


def _strings(values: Any) -> bool:
    return isinstance(values, list) and all(isinstance(value, str) for value in values)


def _real_date(year: str, month: str, day: str) -> bool:
    import datetime

    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


_CONTROL = re.compile(f"[{UNSAFE_CHARACTERS}]+")


def _clean_line(text: str) -> str:
    """A name as one line of text: no control characters, single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())[:200]
