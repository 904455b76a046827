"""The quiz in the terminal: a card's front, the student's answer (Enter, or typed words shown
beside the right one), the back with its sources, and a rating read as a single key (1 Again,
2 Hard, 3 Good, 4 Easy; q quits). One Rich console writes to stdout; the review state and the
scheduling are clonafacts.study.review's.

Ending a session: `q` at the rating, Ctrl-D at the answer, or Ctrl-C anywhere. Each rating is
saved as it is given, so ending loses only the card on screen; the summary is shown and the
command exits 0 (Ctrl-C included: it is the documented way to stop, not a failure).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from clonafacts.errors import printable

# Imported with the module, not when a key is awaited: Ctrl-C during an import is swallowed by
# the import machinery (printed as an ignored exception), and the quiz would hang on.
try:
    import termios
    import tty
except ImportError:  # pragma: no cover - not a POSIX system
    termios = None  # type: ignore[assignment]
    tty = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from rich.console import Console

    from clonafacts.study.cards import Card, CardsDocument
    from clonafacts.study.review import ReviewStore, Stats

#: The keys of the rating prompt that end the session.
QUIT_KEYS = ("q", "Q")
ANSWER_PROMPT = "Your answer (Enter to reveal): "
RATE_PROMPT = "Rate 1 Again, 2 Hard, 3 Good, 4 Easy (q quits): "


def interactive() -> bool:
    """Whether the quiz can run: stdin and stdout are both terminals."""
    try:
        return (
            sys.stdin is not None
            and sys.stdout is not None
            and (sys.stdin.isatty() and sys.stdout.isatty())
        )
    except (OSError, ValueError):  # closed, or detached by the host
        return False


def _console() -> Console:
    from rich.console import Console

    from clonafacts.cli.output import color_wanted, width

    # As everywhere in clonafacts: NO_COLOR (or TERM=dumb) means plain text, no styles at all.
    plain = not color_wanted("auto")
    return Console(
        highlight=False,
        markup=False,
        emoji=False,
        width=width(),
        color_system=None if plain else "auto",
    )


# The session ----------------------------------------------------------------------------------


@dataclass
class _Session:
    reviewed: int = 0
    correct: int = 0  # rated Hard, Good or Easy


class _Quit(Exception):
    """The student ended the session."""


def run(document: CardsDocument, *, new: int, limit: int | None) -> None:
    """One session: due cards first (most overdue first), then up to `new` new cards a day,
    at most `limit` cards in all. Returns normally however the session ends (q, Ctrl-D or
    Ctrl-C): the ratings given are saved; the card on screen is not."""
    from clonafacts.study.review import ReviewStore, utcnow

    console = _console()
    with ReviewStore.open() as store:
        store.sync(document)
        now = utcnow()
        cards = store.plan(document, new=new, limit=limit, now=now)
        if not cards:
            _nothing_due(console, store, document, new, now)
            return
        session = _Session()
        ended = ""
        try:
            for number, card in enumerate(cards, 1):
                _review(console, store, card, number, len(cards), session)
        except _Quit:
            ended = "Session ended; progress saved."
        except KeyboardInterrupt:
            ended = "Interrupted; progress saved."
        _summary(console, store, document, session, ended)


def _review(
    console: Console,
    store: ReviewStore,
    card: Card,
    number: int,
    total: int,
    session: _Session,
) -> None:
    from rich.rule import Rule
    from rich.text import Text

    from clonafacts.study.review import RATINGS, utcnow

    console.print()
    console.print(
        Rule(Text(f"Card {number} of {total} · {printable(card['deck'])} · {card['section']}"))
    )
    console.print(Text(printable(card["front"]), style="bold"))
    started = time.monotonic()
    try:
        answer = console.input(Text(ANSWER_PROMPT, style="dim"))
    except EOFError:
        console.print()
        raise _Quit from None
    duration_ms = int((time.monotonic() - started) * 1000)
    answer = answer.strip()
    _reveal(console, card, answer)
    console.print(Text(RATE_PROMPT, style="bold"), end="")
    rating = _read_rating()
    if rating is None:
        console.print(Text("quit"))
        raise _Quit
    reviewed = store.record(
        card, rating, now=utcnow(), answer=answer or None, duration_ms=duration_ms
    )
    session.reviewed += 1
    session.correct += rating >= 2
    line = Text(RATINGS[rating], style="bold")
    line.append(f" · due again {when(reviewed.due, utcnow())}", style="dim")
    console.print(line)


def _reveal(console: Console, card: Card, answer: str) -> None:
    from rich.table import Table
    from rich.text import Text

    if answer:
        table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, expand=False)
        table.add_column("Your answer", style="italic", ratio=1)
        table.add_column("Answer", style="bold green", ratio=1)
        table.add_row(Text(printable(answer)), Text(printable(card["back"])))
        console.print(table)
    else:
        line = Text("Answer: ", style="dim")
        line.append(printable(card["back"]), style="bold green")
        console.print(line)
    for source in card["sources"]:
        line = Text("Source: ", style="dim")
        line.append(printable(source["citation"]))
        console.print(line)
        if source["quote"]:
            console.print(Text(f"  “{printable(source['quote'])}”", style="italic"))


def _read_rating() -> int | None:
    """A rating from a single key (1 to 4), or None for q (or the end of input); other keys
    are ignored."""
    while True:
        key = read_key()
        if key in ("", *QUIT_KEYS):
            return None
        if key in ("1", "2", "3", "4"):
            return int(key)


def read_key() -> str:
    """One key press, read without Enter (cbreak); the terminal's settings are restored
    whatever happens. "" at the end of input."""
    sys.stdout.flush()
    descriptor = sys.stdin.fileno()
    if termios is None or tty is None:  # pragma: no cover - not POSIX: a line, its first key
        return sys.stdin.readline()[:1]
    saved = termios.tcgetattr(descriptor)
    try:
        tty.setcbreak(descriptor)
        data = os.read(descriptor, 1)
    finally:
        termios.tcsetattr(descriptor, termios.TCSADRAIN, saved)
    return data.decode("ascii", "replace")


def _summary(
    console: Console,
    store: ReviewStore,
    document: CardsDocument,
    session: _Session,
    ended: str,
) -> None:
    from rich.text import Text

    from clonafacts.study.review import utcnow

    console.print()
    if ended:
        console.print(Text(ended, style="dim"))
    cards = "card" if session.reviewed == 1 else "cards"
    line = f"Reviewed {session.reviewed} {cards}, {session.correct} correct."
    next_due = store.next_due(document)
    if next_due is not None:
        line += f" Next card due {when(next_due, utcnow())}."
    console.print(Text(line, style="bold"))


def _nothing_due(
    console: Console, store: ReviewStore, document: CardsDocument, new: int, now: datetime
) -> None:
    from rich.text import Text

    next_due = store.next_due(document)
    if next_due is None:
        console.print(Text("Nothing due. No card has been reviewed yet."))
    else:
        console.print(Text(f"Nothing due. Next card due {when(next_due, now)}."))
    unseen = store.stats(document, now=now).new
    if unseen:
        console.print(
            Text(
                f"{unseen} new {'card waits' if unseen == 1 else 'cards wait'}: at most"
                f" {new} new cards a day (--new).",
                style="dim",
            )
        )


# Times ------------------------------------------------------------------------------------


def when(moment: datetime, now: datetime) -> str:
    """A due time for a person: "now", "in 10 minutes (14:38)", "in 3 days (2026-12-01
    09:00)" — the clock time local."""
    delta = moment - now
    if delta <= timedelta(seconds=30):
        return "now"
    seconds = delta.total_seconds()
    if seconds < 3600:
        amount = _count(max(1, round(seconds / 60)), "minute")
    elif seconds < 86400:
        amount = _count(round(seconds / 3600), "hour")
    else:
        amount = _count(round(seconds / 86400), "day")
    local, today = moment.astimezone(), now.astimezone().date()
    if local.date() == today:
        clock = local.strftime("%H:%M")
    elif local.date() == today + timedelta(days=1):
        clock = local.strftime("tomorrow %H:%M")
    else:
        clock = local.strftime("%Y-%m-%d %H:%M")
    return f"in {amount} ({clock})"


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


# Statistics -------------------------------------------------------------------------------


def stats_document(document: CardsDocument, stats: Stats, path: str) -> dict[str, Any]:
    """The `quiz --stats --json` document."""
    from clonafacts.documents import SCHEMA_VERSION

    def moment(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat(timespec="seconds")

    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "quiz-stats",
        "medications": list(document["medications"]),
        "sections": document["sections"],
        "state_file": path,
        "cards": stats.cards,
        "seen": stats.seen,
        "due_today": stats.due_today,
        "new": stats.new,
        "new_today": stats.new_today,
        "next_due": moment(stats.next_due),
        "retention": None if stats.retention is None else round(stats.retention, 4),
        "reviews_last_30_days": stats.recent_reviews,
        "total_reviews": stats.total_reviews,
        "seen_cards": [
            {"key": key, "due": moment(due), "state": state, "reviews": reviews}
            for key, due, state, reviews in stats.seen_cards
        ],
    }


def show_stats(document: CardsDocument, *, json_: bool) -> None:
    """`quiz --stats`: progress on the selection's cards, as text or as JSON."""
    from clonafacts.study.review import ReviewStore, utcnow

    with ReviewStore.open() as store:
        store.sync(document)
        now = utcnow()
        stats = store.stats(document, now=now)
        path = store.path
    if json_:
        from clonafacts.cli.output import emit

        emit(json.dumps(stats_document(document, stats, path), indent=2) + "\n")
        return
    _show_stats_text(document, stats, path, now)


def _show_stats_text(document: CardsDocument, stats: Stats, path: str, now: datetime) -> None:
    from rich.table import Table
    from rich.text import Text

    console = _console()
    selection = ", ".join(document["medications"])
    if document["sections"] is not None:
        selection += " · " + ", ".join(document["sections"])
    console.print(Text(f"Quiz progress: {printable(selection)}", style="bold"))
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    if stats.retention is None:
        retention = "none yet (no reviews in the last 30 days)"
    else:
        retention = f"{stats.retention:.0%} of {_count(stats.recent_reviews, 'review')} rated"
        retention += " Hard or better (last 30 days)"
    rows = [
        ("Cards", str(stats.cards)),
        ("Seen", str(stats.seen)),
        ("Due today", str(stats.due_today)),
        ("New", f"{stats.new} ({_count(stats.new_today, 'new card')} started today)"),
        ("Retention", retention),
        ("Reviews", str(stats.total_reviews)),
        ("Next due", "—" if stats.next_due is None else when(stats.next_due, now)),
        ("State file", printable(path)),
    ]
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
