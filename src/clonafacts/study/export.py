"""The exports of study cards: an Anki package (.apkg, built with genanki) and an Anki text file
(tab-separated, with the headers Anki reads so it imports with no choices to make).

Both give each note a GUID derived from its card's stable key, so importing a newer export
updates the notes a student already has (keeping their review history) instead of adding
duplicates. Anki updates a note only when the imported one is newer: a note's modification
time is its medication's `updated` date, never the clock, so the same data gives the same
bytes, and changed data (with a newer `updated`) gives newer notes.
"""

from __future__ import annotations

import datetime
import html
import itertools
import os
import sqlite3
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from clonafacts.render.layout import DISCLAIMER
from clonafacts.study.cards import TAG_ROOT, Card, CardsDocument

if TYPE_CHECKING:
    import genanki

#: The parent deck; each medication's deck is under it (`clonafacts::Diazepam`).
PARENT_DECK = TAG_ROOT
#: The modification time of a note whose medication has no `updated` date (2024-01-01 UTC).
FALLBACK_TIME = 1_704_067_200

# Note type ids are fixed forever: Anki knows a note type by its id, and a new id would make a
# second note type with the same name in the student's collection.
BASIC_MODEL_ID = 1_739_402_117
CLOZE_MODEL_ID = 1_739_402_118

_CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; }
.sources { margin-top: 1.5em; font-size: 14px; color: #555; }
.sources q { font-style: italic; }
.note { margin-top: 1em; font-size: 12px; color: #777; }"""
_SOURCES = '<div class="sources">{{Sources}}</div>'


def note_guid(card: Card) -> str:
    """The Anki GUID of a card's note: from its stable key, the way genanki derives them."""
    import genanki

    guid: str = genanki.guid_for(TAG_ROOT, card["key"])
    return guid


def note_time(card: Card) -> int:
    """Seconds since the epoch: midnight UTC of the card's `updated` date."""
    if not card["updated"]:
        return FALLBACK_TIME
    day = datetime.date.fromisoformat(card["updated"])
    moment = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    return int(moment.timestamp())


def deck_name(card: Card) -> str:
    return f"{PARENT_DECK}::{card['deck']}"


def sources_html(card: Card) -> str:
    """The answer's sources in full, each with its quote where the data has one."""
    items = []
    for source in card["sources"]:
        item = html.escape(source["citation"])
        if source["url"]:
            url = html.escape(source["url"])
            item += f' <a href="{url}">{url}</a>'
        if source["quote"]:
            item += f"<br><q>{html.escape(source['quote'])}</q>"
        items.append(f"<li>{item}</li>")
    listed = f"<ul>{''.join(items)}</ul>" if items else ""
    return f'{listed}<div class="note">{html.escape(DISCLAIMER)}</div>'


def _text_html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _cloze_html(cloze: str) -> str:
    # The {{c1::...}} markers hold no characters html.escape changes.
    return _text_html(cloze)


# The Anki package ---------------------------------------------------------------------------------


def _models() -> tuple[genanki.Model, genanki.Model]:
    import genanki

    basic = genanki.Model(
        BASIC_MODEL_ID,
        "clonafacts Basic",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Sources"}, {"name": "Key"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Back}}' + _SOURCES,
            }
        ],
        css=_CSS,
    )
    cloze = genanki.Model(
        CLOZE_MODEL_ID,
        "clonafacts Cloze",
        fields=[{"name": "Text"}, {"name": "Sources"}, {"name": "Key"}],
        templates=[
            {"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}" + _SOURCES}
        ],
        css=_CSS,
        model_type=genanki.Model.CLOZE,
    )
    return basic, cloze


def _deck_id(name: str) -> int:
    # Stable, and clear of the ids Anki gives decks it makes itself (epoch milliseconds).
    return 1 << 30 | zlib.crc32(name.encode("utf-8")) >> 2


def apkg_bytes(document: CardsDocument) -> bytes:
    """The Anki package of the cards: byte for byte the same for the same cards."""
    import genanki

    basic, cloze = _models()
    decks: dict[str, genanki.Deck] = {}
    times: dict[str, int] = {}
    for card in document["cards"]:
        name = deck_name(card)
        deck = decks.setdefault(name, genanki.Deck(_deck_id(name), name))
        sources = sources_html(card)
        if card["cloze"] is None:
            fields = [_text_html(card["front"]), _text_html(card["back"]), sources, card["key"]]
            model = basic
        else:
            fields = [_cloze_html(card["cloze"]), sources, card["key"]]
            model = cloze
        guid = note_guid(card)
        times[guid] = note_time(card)
        deck.add_note(genanki.Note(model=model, fields=fields, tags=card["tags"], guid=guid))
    newest = max(times.values(), default=FALLBACK_TIME)
    with tempfile.TemporaryDirectory(prefix="clonafacts-apkg-") as folder:
        database = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(database)
        try:
            cursor = connection.cursor()
            genanki.Package(list(decks.values())).write_to_db(
                cursor, newest, itertools.count(newest * 1000)
            )
            # genanki gives every note one time; each note takes its own medication's.
            cursor.executemany(
                "UPDATE notes SET mod = ? WHERE guid = ?",
                [(time, guid) for guid, time in times.items()],
            )
            cursor.execute(
                "UPDATE cards SET mod = (SELECT mod FROM notes WHERE notes.id = cards.nid)"
            )
            connection.commit()
        finally:
            connection.close()
        collection = database.read_bytes()
    return _zipped([("collection.anki2", collection), ("media", b"{}")])


def _zipped(members: Iterable[tuple[str, bytes]]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            # A fixed date: the same cards give the same bytes.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


# The Anki text file -------------------------------------------------------------------------------

#: Anki's stock note types, which every collection has: the text file's notes use them.
TSV_NOTETYPES = {"basic": "Basic", "cloze": "Cloze"}


def tsv_text(document: CardsDocument) -> str:
    """Tab-separated notes with Anki's file headers: GUID, note type, deck, two fields, tags.

    Basic notes fill Front and Back (the sources below the answer); cloze notes Text and Back
    Extra (the sources)."""
    lines = [
        "#separator:tab",
        "#html:true",
        "#guid column:1",
        "#notetype column:2",
        "#deck column:3",
        "#tags column:6",
    ]
    for card in document["cards"]:
        if card["cloze"] is None:
            first = _text_html(card["front"])
            second = _text_html(card["back"]) + "<br>" + sources_html(card)
        else:
            first = _cloze_html(card["cloze"])
            second = sources_html(card)
        row = [
            note_guid(card),
            TSV_NOTETYPES[card["type"]],
            deck_name(card),
            first,
            second,
            " ".join(card["tags"]),
        ]
        lines.append("\t".join(_tsv_field(field) for field in row))
    return "\n".join(lines) + "\n"


def _tsv_field(text: str) -> str:
    # HTML fields: a tab or line break of their own would start a new column or row.
    return text.replace("\t", " ").replace("\r", " ").replace("\n", "<br>")


def write_file(path: str, data: bytes) -> None:
    """Write `data` to `path` whole or not at all: a temporary file beside it, renamed into
    place. Raises OSError (the caller names the file).

    What is not a regular file (/dev/null, a FIFO, a terminal, /dev/stdout) is written
    directly: a rename would put a file in the device's place. A symbolic link is followed, so
    the file it names is replaced and the link stays a link."""
    given = Path(path)
    try:
        kind = given.stat().st_mode
    except FileNotFoundError:
        kind = None
    if kind is not None and not (stat.S_ISREG(kind) or stat.S_ISDIR(kind)):
        with given.open("wb") as device:
            device.write(data)
        return
    target = Path(os.path.realpath(path))
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=".clonafacts-", suffix=".part")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(0o666 & ~_umask())  # as a file the user made (mkstemp's is private)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
