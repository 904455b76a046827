"""The interactive quiz, as a student uses it: the installed `clonafacts quiz` driven through a
pseudo-terminal (answers, single-key ratings, q and Ctrl-C), its review state in a folder of
the test's own, and `quiz --stats` to see what was saved."""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pexpect
import pytest

CLONAFACTS = str(Path(sys.executable).parent / "clonafacts")  # the installed console script
QUIZ_DATA = Path(__file__).parent / "fixtures" / "quiz"  # quizolam, a fictional medication
TIMEOUT = 10

#: Four cards: quizolam's pharmacokinetic parameters, in the order the quiz offers them.
MEDICATION = ("quizolam", "--section", "pharmacokinetics")
SELECTION = (*MEDICATION, "--data", str(QUIZ_DATA))
KEY = "quizolam/pharmacokinetics/parameters/"
CARDS = [
    (KEY + "bioavailability", "Quizolam: oral bioavailability?", "about 90%"),
    (KEY + "time_to_peak", "Quizolam: time to peak plasma level?", "within 1 to 4 hours"),
    (KEY + "protein_binding", "Quizolam: plasma protein binding?", "about 85%"),
    (KEY + "excretion", "Quizolam: excreted unchanged in urine?", "under 2%"),
]
FRONTS = [front for _, front, _ in CARDS]
ANSWER_PROMPT = "Your answer (Enter to reveal): "
RATE_PROMPT = "Rate 1 Again, 2 Hard, 3 Good, 4 Easy (q quits): "
NOT_A_TERMINAL = (
    "Error: the quiz is interactive: run it in a terminal\n"
    "For cards to print or import into Anki, use 'clonafacts cards'.\n"
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of every run of one test: its own state and cache, plain output."""
    chosen = {k: v for k, v in os.environ.items() if not k.startswith("CLONAFACTS_")}
    chosen.update(
        CLONAFACTS_STATE_DIR=str(tmp_path / "state"),
        CLONAFACTS_CACHE_DIR=str(tmp_path / "cache"),
        COLUMNS="100",
        NO_COLOR="1",
        TERM="xterm",
    )
    return chosen


def state_file(env: dict[str, str]) -> Path:
    return Path(env["CLONAFACTS_STATE_DIR"]) / "reviews.sqlite3"


class Quiz:
    """One `clonafacts quiz` in a pseudo-terminal."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.child = pexpect.spawn(
            CLONAFACTS,
            ["quiz", *args],
            env=env,
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(50, 100),
        )

    def card(self) -> tuple[int, int, str]:
        """Wait for the next card: (its number, the session's cards, its front)."""
        self.child.expect_exact(ANSWER_PROMPT)
        found = re.search(r"Card (\d+) of (\d+) [^\r\n]*\r?\n(.*?)\r?\n", self.child.before)
        assert found, self.child.before
        return int(found[1]), int(found[2]), found[3].strip()

    def answer(self, text: str = "") -> str:
        """Answer (Enter alone reveals); what was revealed, up to the rating prompt."""
        self.child.sendline(text)
        self.child.expect_exact(RATE_PROMPT)
        return str(self.child.before)

    def rate(self, key: str) -> str:
        """Press one key (no Enter); the line that confirms the rating."""
        self.child.send(key)
        self.child.expect(r"(Again|Hard|Good|Easy) · due again ([^\r\n]*)\r?\n")
        return str(self.child.after)

    def review(self, rating: str, text: str = "") -> str:
        """A whole card: its front, answered and rated."""
        _, _, front = self.card()
        self.answer(text)
        self.rate(rating)
        return front

    def end(self) -> tuple[int, str]:
        """Wait for the session to end: its exit status and what it showed last."""
        self.child.expect(pexpect.EOF)
        rest = str(self.child.before)
        self.child.close()
        return self.child.exitstatus, rest


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """clonafacts with pipes, not a terminal."""
    return subprocess.run(
        [CLONAFACTS, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 3,
        check=False,
    )


@functools.cache
def _output_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = subprocess.run(
        [CLONAFACTS, "schema", "output"], capture_output=True, text=True, check=True
    ).stdout
    return Draft202012Validator(json.loads(schema))


def stats(env: dict[str, str], *args: str) -> dict[str, Any]:
    """`quiz --stats --json`, checked against `clonafacts schema output` every time."""
    done = run(env, "quiz", *(args or SELECTION), "--stats", "--json")
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    errors = [error.message for error in _output_validator().iter_errors(document)]
    assert errors == []
    return document


def due_times(document: dict[str, Any]) -> dict[str, datetime]:
    return {card["key"]: datetime.fromisoformat(card["due"]) for card in document["seen_cards"]}


def summary(output: str) -> str:
    found = re.search(r"Reviewed [^\r\n]*", output)
    assert found, output
    return found[0]


# A session ------------------------------------------------------------------------------


def test_a_session_answers_rates_quits_and_resumes(env: dict[str, str]) -> None:
    quiz = Quiz(env, *SELECTION)
    assert quiz.card() == (1, 4, FRONTS[0])
    revealed = quiz.answer()  # Enter alone: the answer, its source and the source's words
    assert "Answer: about 90%" in revealed
    assert "Source: Fixture Pharma. Quizolam tablets, Testland prescribing information." in revealed
    assert "“The absolute bioavailability of quizolam is about 90%.”" in revealed
    quiz.child.send("x")  # not a rating: ignored
    assert quiz.rate("3").startswith("Good · due again in 10 minutes")

    assert quiz.card() == (2, 4, FRONTS[1])
    revealed = quiz.answer("one hour")  # a typed answer, beside the right one
    assert re.search(r"Your answer +Answer", revealed)
    assert re.search(r"one hour +within 1 to 4 hours", revealed)
    assert quiz.rate("4").startswith("Easy · due again in ")

    assert quiz.card() == (3, 4, FRONTS[2])
    quiz.answer("q")  # at the answer, q is an answer; at the rating, it quits
    quiz.child.send("q")
    status, output = quiz.end()
    assert status == 0
    assert "Session ended; progress saved." in output
    assert re.fullmatch(
        r"Reviewed 2 cards, 2 correct\. Next card due in (9|10) minutes \(\d\d:\d\d\)\.",
        summary(output).strip(),
    )

    now = datetime.now(UTC)
    first = stats(env)
    assert (first["seen"], first["new"], first["total_reviews"]) == (2, 2, 2)
    assert first["retention"] == 1.0
    due = due_times(first)
    assert set(due) == {CARDS[0][0], CARDS[1][0]}
    assert all(when > now for when in due.values())
    assert due[CARDS[1][0]] > now + timedelta(days=1)  # Easy: days away

    # The next session shows only the cards not yet rated: those rated Good and Easy wait.
    quiz = Quiz(env, *SELECTION)
    assert quiz.card() == (1, 2, FRONTS[2])
    quiz.answer()
    assert quiz.rate("1").startswith("Again · due again in 1 minute")
    assert quiz.review("2") == FRONTS[3]
    status, output = quiz.end()
    assert status == 0
    assert summary(output).startswith("Reviewed 2 cards, 1 correct. Next card due in 1 minute")

    # The schedule moved on: every card seen, each due in the future, the reviews counted.
    second = stats(env)
    assert (second["seen"], second["new"], second["total_reviews"]) == (4, 0, 4)
    assert second["retention"] == 0.75
    assert second["due_today"] >= 3  # Again, Hard and Good come back within minutes
    assert all(when > now for when in due_times(second).values())
    assert due_times(second)[CARDS[0][0]] == due[CARDS[0][0]]  # untouched since

    # Nothing due now: said so, with when the next card is.
    quiz = Quiz(env, *SELECTION)
    status, output = quiz.end()
    assert status == 0
    assert re.search(r"Nothing due\. Next card due in \d+ minutes? \(\d\d:\d\d\)\.", output)


def test_the_review_log_keeps_the_typed_answers(env: dict[str, str]) -> None:
    quiz = Quiz(env, *SELECTION, "--limit", "2")
    quiz.review("3", "ninety percent")
    quiz.review("2")
    assert quiz.end()[0] == 0
    with sqlite3.connect(state_file(env)) as connection:
        rows = connection.execute("SELECT key, rating, answer FROM reviews ORDER BY id").fetchall()
    assert rows == [(CARDS[0][0], 3, "ninety percent"), (CARDS[1][0], 2, None)]


def test_stats_as_text(env: dict[str, str]) -> None:
    quiz = Quiz(env, *SELECTION, "--limit", "1")
    quiz.review("4")
    assert quiz.end()[0] == 0
    done = run(env, "quiz", *SELECTION, "--stats")
    assert done.returncode == 0, done.stderr
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    assert lines[0] == "Quiz progress: quizolam · pharmacokinetics"
    assert "Cards       4" in lines
    assert "Seen        1" in lines
    assert "Due today   0" in lines
    assert "New         3 (1 new card started today)" in lines
    assert "Retention   100% of 1 review rated Hard or better (last 30 days)" in lines
    assert "Reviews     1" in lines
    assert f"State file  {state_file(env)}" in lines


def test_stats_before_any_review(env: dict[str, str]) -> None:
    document = stats(env)
    assert document == {
        "schema_version": 2,
        "kind": "quiz-stats",
        "medications": ["quizolam"],
        "sections": ["pharmacokinetics"],
        "state_file": str(state_file(env)),
        "cards": 4,
        "seen": 0,
        "due_today": 0,
        "new": 4,
        "new_today": 0,
        "next_due": None,
        "retention": None,
        "reviews_last_30_days": 0,
        "total_reviews": 0,
        "seen_cards": [],
    }


# How many cards -------------------------------------------------------------------------


def test_new_limits_the_new_cards_of_a_day(env: dict[str, str]) -> None:
    quiz = Quiz(env, *SELECTION, "--new", "2")
    assert quiz.card() == (1, 2, FRONTS[0])
    quiz.answer()
    quiz.rate("3")
    assert quiz.review("4") == FRONTS[1]
    status, output = quiz.end()  # the session ends by itself after its last card
    assert status == 0
    assert summary(output).startswith("Reviewed 2 cards, 2 correct.")

    # Today's two new cards are done: the next session has none.
    quiz = Quiz(env, *SELECTION, "--new", "2")
    status, output = quiz.end()
    assert status == 0
    assert "Nothing due. Next card due in " in output
    assert "2 new cards wait: at most 2 new cards a day (--new)." in output
    # A higher limit lets one more in.
    quiz = Quiz(env, *SELECTION, "--new", "3")
    assert quiz.card() == (1, 1, FRONTS[2])


def test_limit_caps_the_session(env: dict[str, str]) -> None:
    quiz = Quiz(env, *SELECTION, "--limit", "1")
    assert quiz.card() == (1, 1, FRONTS[0])
    quiz.answer()
    quiz.rate("2")
    status, output = quiz.end()
    assert status == 0
    assert summary(output).startswith("Reviewed 1 card, 1 correct.")
    assert stats(env)["seen"] == 1


def test_new_zero_and_nothing_reviewed(env: dict[str, str]) -> None:
    status, output = Quiz(env, *SELECTION, "--new", "0").end()
    assert status == 0
    assert "Nothing due. No card has been reviewed yet." in output
    assert "4 new cards wait: at most 0 new cards a day (--new)." in output


# Ending ---------------------------------------------------------------------------------


def test_ctrl_c_ends_the_session_with_progress_saved(env: dict[str, str]) -> None:
    quiz = Quiz(env, *SELECTION)
    quiz.review("3")
    quiz.card()
    quiz.answer()
    quiz.child.sendintr()  # at the rating prompt (single keys): that card is not rated
    status, output = quiz.end()
    assert status == 0
    assert "Interrupted; progress saved." in output
    assert summary(output).startswith("Reviewed 1 card, 1 correct.")
    document = stats(env)
    assert (document["seen"], document["total_reviews"]) == (1, 1)

    quiz = Quiz(env, *SELECTION)  # the unrated card comes back, first of the new ones
    assert quiz.card() == (1, 3, FRONTS[1])
    quiz.child.sendintr()  # at the answer prompt
    status, output = quiz.end()
    assert status == 0
    assert summary(output).startswith("Reviewed 0 cards, 0 correct.")
    assert stats(env)["total_reviews"] == 1


def test_the_terminal_is_restored_after_ctrl_c_at_the_rating(env: dict[str, str]) -> None:
    """The rating reads single keys (no echo, no line editing); the shell gets its terminal
    back as it was, echo and line editing on."""
    shell = f"{CLONAFACTS} quiz {' '.join(SELECTION)}; echo status=$?; stty -a"
    child = pexpect.spawn(
        "bash", ["-c", shell], env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(50, 100)
    )
    child.expect_exact(ANSWER_PROMPT)
    child.sendline("")
    child.expect_exact(RATE_PROMPT)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    after = child.before.split("status=")[1]
    assert after.startswith("0")
    flags = after.split()
    assert "icanon" in flags
    assert "echo" in flags


def test_end_of_input_at_the_answer_ends_the_session(env: dict[str, str]) -> None:
    quiz = Quiz(env, *SELECTION)
    quiz.review("4")
    quiz.card()
    quiz.child.sendeof()
    status, output = quiz.end()
    assert status == 0
    assert summary(output).startswith("Reviewed 1 card, 1 correct.")


def test_not_a_terminal(env: dict[str, str]) -> None:
    done = run(env, "quiz", *SELECTION)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", NOT_A_TERMINAL)
    assert not Path(env["CLONAFACTS_STATE_DIR"]).exists()  # nothing was written


def test_two_quizzes_at_once_both_save(env: dict[str, str]) -> None:
    one, two = Quiz(env, *SELECTION), Quiz(env, *SELECTION)
    assert one.card()[2] == two.card()[2] == FRONTS[0]
    one.answer()
    two.answer()
    one.rate("1")
    two.rate("3")
    one.review("4")
    two.review("4")
    one.card()
    one.answer()
    one.child.send("q")
    two.card()
    two.child.sendintr()
    assert one.end()[0] == two.end()[0] == 0
    document = stats(env)
    assert (document["seen"], document["total_reviews"]) == (2, 4)


# The state file -------------------------------------------------------------------------


def _quiz_once(env: dict[str, str]) -> None:
    quiz = Quiz(env, *SELECTION, "--limit", "1")
    quiz.review("3")
    assert quiz.end()[0] == 0


def _refused(env: dict[str, str], message: str) -> None:
    """Both the quiz and its stats exit 6 with `message`, the file as it was."""
    path = state_file(env)
    before = path.read_bytes()
    done = run(env, "quiz", *SELECTION, "--stats")
    assert (done.returncode, done.stdout) == (6, "")
    assert done.stderr == f"Error: {message}\n"
    quiz = Quiz(env, *SELECTION)
    status, output = quiz.end()
    assert status == 6
    assert "Error: the review state" in output
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["reviews.sqlite3"]


def test_a_damaged_state_file_is_reported_and_left_alone(env: dict[str, str]) -> None:
    path = state_file(env)
    path.parent.mkdir()
    path.write_bytes(b"\x00garbage, not a database\xff" * 40)
    _refused(
        env,
        f"the review state {path} is damaged (it is not an SQLite database); it was left as"
        " it is: move it away to start afresh",
    )


def test_a_state_file_without_its_tables_is_damaged(env: dict[str, str]) -> None:
    path = state_file(env)
    path.parent.mkdir()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 2")
        connection.execute("CREATE TABLE reviews (id INTEGER PRIMARY KEY)")
    connection.close()
    _refused(
        env,
        f"the review state {path} is damaged (its table 'cards' is missing); it was left as"
        " it is: move it away to start afresh",
    )


def test_a_truncated_state_file_is_damaged(env: dict[str, str]) -> None:
    _quiz_once(env)
    path = state_file(env)
    for extra in path.parent.glob("reviews.sqlite3-*"):  # the WAL, checkpointed at close
        extra.unlink()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + b"\xff" * (len(data) // 2))
    done = run(env, "quiz", *SELECTION, "--stats")
    assert done.returncode == 6
    assert done.stderr.startswith(f"Error: the review state {path} is damaged (")
    assert done.stderr.endswith("move it away to start afresh\n")


def test_a_state_file_of_a_newer_clonafacts(env: dict[str, str]) -> None:
    _quiz_once(env)
    path = state_file(env)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 99")
    connection.close()
    _refused(
        env,
        f"the review state {path} was written by a newer clonafacts (schema 99); this one"
        " reads up to 2. Upgrade clonafacts, or move the file away to start afresh.",
    )


def test_an_older_state_file_is_copied_then_migrated(env: dict[str, str]) -> None:
    """A file of version 1 (no medications, section or answer times yet) is kept as
    reviews.sqlite3.bak-v1, then brought up to date with its history."""
    path = state_file(env)
    path.parent.mkdir()
    due = datetime.now(UTC) + timedelta(days=3)
    reviewed = datetime.now(UTC) - timedelta(days=1)
    card = {
        "card_id": 1,
        "state": 2,
        "step": None,
        "stability": 4.0,
        "difficulty": 5.0,
        "due": due.isoformat(),
        "last_review": reviewed.isoformat(),
    }
    with sqlite3.connect(path) as connection:
        connection.executescript(
            """
            CREATE TABLE cards (key TEXT PRIMARY KEY, card TEXT NOT NULL, due TEXT NOT NULL,
                retired INTEGER NOT NULL DEFAULT 0, first_reviewed TEXT NOT NULL);
            CREATE INDEX cards_due ON cards (due);
            CREATE TABLE reviews (id INTEGER PRIMARY KEY, key TEXT NOT NULL,
                rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
                reviewed_at TEXT NOT NULL, answer TEXT);
            CREATE INDEX reviews_key ON reviews (key);
            CREATE INDEX reviews_reviewed_at ON reviews (reviewed_at);
            PRAGMA user_version = 1;
            """
        )
        connection.execute(
            "INSERT INTO cards VALUES (?, ?, ?, 0, ?)",
            (
                CARDS[0][0],
                json.dumps(card),
                due.isoformat(timespec="microseconds"),
                reviewed.isoformat(timespec="microseconds"),
            ),
        )
        connection.execute(
            "INSERT INTO reviews (key, rating, reviewed_at, answer) VALUES (?, 3, ?, 'ninety')",
            (CARDS[0][0], reviewed.isoformat(timespec="microseconds")),
        )
    connection.close()
    original = path.read_bytes()

    document = stats(env)
    assert (document["seen"], document["total_reviews"], document["new_today"]) == (1, 1, 0)
    assert due_times(document)[CARDS[0][0]] == due.replace(microsecond=0)

    backup = path.with_name("reviews.sqlite3.bak-v1")
    assert backup.read_bytes() == original
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (2,)
        assert connection.execute("SELECT medications, section FROM cards").fetchall() == [
            ('["quizolam"]', "pharmacokinetics")
        ]
    connection.close()
    # The card reviewed yesterday waits for its day; the quiz starts with the others.
    quiz = Quiz(env, *SELECTION)
    assert quiz.card() == (1, 3, FRONTS[1])


def test_an_unusable_state_folder(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    env["CLONAFACTS_STATE_DIR"] = str(tmp_path / "a-file" / "state")
    done = run(env, "quiz", *SELECTION, "--stats")
    assert done.returncode == 6
    assert done.stderr == (
        f"Error: cannot use the state folder {tmp_path / 'a-file' / 'state'}: Not a directory\n"
    )
    env["CLONAFACTS_STATE_DIR"] = str(tmp_path / "a-file")
    done = run(env, "quiz", *SELECTION, "--stats")
    assert done.returncode == 6
    assert done.stderr == (
        f"Error: cannot use the state folder {tmp_path / 'a-file'}: it is not a folder\n"
    )


# When the data changes --------------------------------------------------------------------


def test_a_card_no_longer_in_the_data_is_retired(env: dict[str, str], tmp_path: Path) -> None:
    fixture = (QUIZ_DATA / "quizolam.yaml").read_text(encoding="utf-8")
    cut = fixture.index("      - name: Excreted unchanged in urine")
    mine = tmp_path / "quizolam.yaml"  # quizolam without its excretion card
    mine.write_text(fixture[:cut], encoding="utf-8")

    quiz = Quiz(env, *SELECTION)
    for _ in CARDS:
        quiz.review("4")
    assert quiz.end()[0] == 0
    assert stats(env)["seen"] == 4

    def retired() -> dict[str, int]:
        with sqlite3.connect(state_file(env)) as connection:
            rows = dict(connection.execute("SELECT key, retired FROM cards").fetchall())
        connection.close()
        return rows

    document = stats(env, *MEDICATION, "--data", str(mine))
    assert (document["cards"], document["seen"], document["total_reviews"]) == (3, 3, 3)
    assert CARDS[3][0] not in due_times(document)
    assert retired() == {key: key == CARDS[3][0] for key, _, _ in CARDS}
    # Another selection (another section) retires nothing of this one.
    stats(env, "quizolam", "--section", "overview", "--data", str(mine))
    assert sum(retired().values()) == 1
    # With the whole file the card is back, with its history.
    document = stats(env)
    assert (document["cards"], document["seen"], document["total_reviews"]) == (4, 4, 4)
    assert not any(retired().values())
