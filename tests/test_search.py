"""Search as a user meets it: word forms, every word matching, phrases and prefixes, ranking,
--limit, highlights, no hits, refused query syntax, --drug, and the fast path agreeing."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURE, FIXTURES, SHIPPED, Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import clonafacts
from clonafacts.api import Database
from clonafacts.cli import fastpath

#: A fictional medication (Searchazole) whose overview facts exist for these tests only.
SEARCH_DATA = FIXTURES / "search"
SEARCH_ARGS = ("--data", str(SEARCH_DATA), "--drug", "searchazole")
#: Every hit, so that `total` and the hit list can be compared.
ALL = ("--limit", "10000")
QUERY_HINT = "Search words must all match; see 'clonafacts search --help'."
REVERSE = "\x1b[1;7m"  # bold reverse video: how text output marks a match
RESET = "\x1b[0m"


def places(document: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    return [(hit["section"], hit["path"]) for hit in document["hits"]]


def matched(hit: Mapping[str, Any]) -> list[str]:
    return [hit["text"][start:end] for start, end in hit["highlights"]]


@pytest.fixture
def db() -> Iterator[Database]:
    with clonafacts.open_database() as database:
        yield database


@pytest.fixture
def search_db() -> Iterator[Database]:
    with clonafacts.open_database([str(SEARCH_DATA)]) as database:
        yield database


# ---------------------------------------------------------------------------------------------
# What is searched, in what forms.


def test_seizure_and_seizures_find_the_same_entries(cli: Cli) -> None:
    singular = cli.json("search", "seizure", *ALL)
    plural = cli.json("search", "seizures", *ALL)
    assert places(singular) == places(plural)
    texts = [hit["text"] for hit in singular["hits"]]
    # Both forms are really there: the stemmer, not the data, makes them meet.
    assert any(re.search(r"\bseizures\b", text, re.I) for text in texts)
    assert any(re.search(r"\bseizure\b", text, re.I) for text in texts)
    assert any(not re.search(r"\bseizures\b", text, re.I) for text in texts)


@pytest.mark.parametrize(
    ("words", "path", "field"),
    [
        pytest.param(["Klonopin"], "brands[0]", "Klonopin", id="brand"),
        pytest.param(["klonopin"], "brands[0]", "Klonopin", id="brand-lowercase"),
        pytest.param(["Clonazepam"], "name", "Clonazepam", id="name"),
        pytest.param(["C-IV"], "schedules[0]", "United States: Schedule IV (C-IV)", id="schedule"),
        pytest.param(
            ["benzodiazepine", "depressant"],
            "drug_class",
            "Benzodiazepine (central nervous system depressant)",
            id="class",
        ),
        pytest.param(["high-potency", "long-acting"], "summary", None, id="summary"),
    ],
)
def test_medication_header_is_searchable(
    cli: Cli, words: list[str], path: str, field: str | None
) -> None:
    # Every shipped benzodiazepine is Schedule IV; clonazepam's header is the one under test.
    document = cli.json("search", *words, "--drug", "clonazepam")
    assert (None, path) in places(document)
    hit = document["hits"][places(document).index((None, path))]
    summary = cli.json("overview")["medication"]["summary"]
    assert hit["text"] == (summary if field is None else field)
    assert hit["medication"] == {"id": "clonazepam", "name": "Clonazepam"}


def test_klonopin_finds_its_words_not_source_ids(cli: Cli) -> None:
    # Many facts cite sources called klonopin-...; source ids (and quotes) are not searched, so
    # only the brand and the two facts that name Klonopin in their own words are hits.
    document = cli.json("search", "Klonopin")
    assert places(document) == [
        (None, "brands[0]"),
        ("warnings", "major[8]"),
        ("warnings", "major[15]"),
    ]
    assert document["total"] == 3
    assert document["hits"][0]["sources"] == []
    assert [matched(hit) for hit in document["hits"]] == [["Klonopin"]] * 3


def test_schedule_hit_cites_its_source_and_highlights_c_iv(cli: Cli) -> None:
    (hit,) = cli.json("search", "C-IV", "--drug", "clonazepam")["hits"]
    assert hit["sources"] == ["klonopin-label-front"]
    assert matched(hit) == ["C-IV"]


# ---------------------------------------------------------------------------------------------
# Every word, phrases, prefixes, diacritics.


def test_every_word_must_match(cli: Cli) -> None:
    panic = places(cli.json("search", "panic", *SEARCH_ARGS))
    sleep = places(cli.json("search", "sleep", *SEARCH_ARGS))
    both = places(cli.json("search", "panic", "sleep", *SEARCH_ARGS))
    assert both == [("overview", "facts[0]")]
    assert set(both) == set(panic) & set(sleep)
    assert len(panic) == 2  # the other panic fact lacks "sleep"


def test_every_word_must_match_in_shipped_data(cli: Cli, db: Database) -> None:
    one = set(places(db.search(["seizures"], limit=10_000)))
    both = db.search(["seizures", "life-threatening"], limit=10_000)
    assert 0 < len(both["hits"]) < len(one)
    assert set(places(both)) <= one
    for hit in both["hits"]:
        assert re.search(r"\bseizures?\b", hit["text"], re.I), hit["text"]
        assert "life-threatening" in hit["text"].casefold()
    assert cli.json("search", "seizures", "life-threatening", *ALL) == both


@pytest.mark.parametrize(
    "words",
    [
        pytest.param(['"panic disorder"'], id="quoted-argument"),
        pytest.param(["panic disorder"], id="argument-with-space"),
        pytest.param(["panic   disorder"], id="argument-with-spaces"),
        pytest.param(['"PANIC DISORDER"'], id="any-case"),
    ],
)
def test_phrase_matches_adjacent_words_only(cli: Cli, words: list[str]) -> None:
    document = cli.json("search", *words, *SEARCH_ARGS)
    assert places(document) == [("overview", "facts[1]")]
    (hit,) = document["hits"]
    assert matched(hit) == ["panic disorder"]


def test_two_words_match_apart_where_the_phrase_does_not(cli: Cli) -> None:
    # Why the phrase tests mean something: facts[0] has both words, not side by side.
    apart = cli.json("search", "panic", "disorder", *SEARCH_ARGS)
    assert places(apart) == [("overview", "facts[1]"), ("overview", "facts[0]")]


def test_phrase_through_the_api(search_db: Database) -> None:
    found = search_db.search(['"panic disorder"'], drug="searchazole")
    assert places(found) == [("overview", "facts[1]")]
    assert search_db.search(["panic disorder"], drug="searchazole") == {
        **found,
        "query": ["panic disorder"],
    }


def test_api_query_string_is_split_into_words(search_db: Database) -> None:
    words = search_db.search(["panic", "disorder"], drug="searchazole")
    string = search_db.search("panic disorder", drug="searchazole")
    assert places(string) == places(words)


def test_prefix(cli: Cli) -> None:
    assert cli("search", "benzo").exit_code == 1  # no word is "benzo": only the prefix finds
    document = cli.json("search", "benzo*", *ALL)
    assert document["total"] == len(document["hits"]) > 0
    assert (None, "drug_class") in places(document)
    for hit in document["hits"]:
        assert matched(hit)
        assert all(word.casefold().startswith("benzo") for word in matched(hit)), hit


@pytest.mark.parametrize(
    "word",
    [
        pytest.param("cafe", id="plain"),
        pytest.param("CAFE", id="upper"),
        pytest.param("café", id="accented"),
        pytest.param("cafe\u0301", id="decomposed"),
    ],
)
def test_diacritics_are_ignored(cli: Cli, word: str) -> None:
    document = cli.json("search", word, *SEARCH_ARGS)
    assert places(document) == [("overview", "facts[2]")]
    assert matched(document["hits"][0]) == ["café"]


# ---------------------------------------------------------------------------------------------
# Ranking.


def test_more_and_denser_matches_rank_first(cli: Cli) -> None:
    document = cli.json("search", "quokka", *SEARCH_ARGS)
    assert places(document) == [("overview", "facts[3]"), ("overview", "facts[4]")]
    best, other = document["hits"]
    assert best["text"] == "Quokka quokka."
    assert best["score"] > other["score"] > 0


@pytest.mark.parametrize(
    "words",
    [
        pytest.param(["seizure"], id="seizure"),
        pytest.param(["benzo*"], id="prefix"),
        pytest.param(["clonazepam"], id="name"),
        pytest.param(["the"], id="common-word"),
    ],
)
def test_scores_descend(db: Database, words: list[str]) -> None:
    scores = [hit["score"] for hit in db.search(words, limit=10_000)["hits"]]
    assert len(scores) > 1
    assert scores == sorted(scores, reverse=True)


def test_same_search_same_output(cli: Cli) -> None:
    args = ("search", "the", *ALL, "--data", str(SEARCH_DATA))
    first, second = cli(*args, "--json"), cli(*args, "--json")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    assert cli(*args).stdout == cli(*args).stdout


def test_same_order_with_and_without_the_cache(db: Database) -> None:
    with clonafacts.open_database(cache=False) as fresh:
        assert fresh.search(["the"], limit=10_000) == db.search(["the"], limit=10_000)


# ---------------------------------------------------------------------------------------------
# --limit and total.


@pytest.mark.parametrize(
    "option", [pytest.param("--limit", id="long"), pytest.param("-n", id="short")]
)
def test_limit_keeps_the_best_and_counts_all(cli: Cli, option: str) -> None:
    everything = cli.json("search", "seizure", *ALL)
    total = everything["total"]
    assert total == len(everything["hits"]) > 3
    best = cli.json("search", "seizure", option, "3")
    assert best["total"] == total
    assert best["hits"] == everything["hits"][:3]
    text = cli("search", "seizure", option, "3")
    assert text.exit_code == 0, text.stderr
    assert text.stdout.splitlines()[0] == f"{total} matches, best 3 shown (--limit N for more)"
    markdown = cli("search", "seizure", option, "3", "--format", "markdown")
    assert f"\n{total} matches, best 3 shown.\n" in markdown.stdout


def test_limit_at_the_total_shows_no_more_hint(cli: Cli) -> None:
    total = cli.json("search", "seizure")["total"]
    result = cli("search", "seizure", "--limit", str(total))
    assert result.stdout.splitlines()[0] == f"{total} matches"


def test_default_limit_is_twenty(cli: Cli) -> None:
    document = cli.json("search", "the")
    assert document["total"] > 20
    assert len(document["hits"]) == 20


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("0", "Input should be greater than or equal to 1", id="zero"),
        pytest.param("-1", "Input should be greater than or equal to 1", id="negative"),
        pytest.param("10001", "Input should be less than or equal to 10000", id="too-many"),
        pytest.param(
            "two",
            "Input should be a valid integer, unable to parse string as an integer",
            id="word",
        ),
    ],
)
def test_bad_limit_is_a_usage_error(cli: Cli, value: str, message: str) -> None:
    result = cli("search", "seizure", "--limit", value)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: Invalid value for '--limit' / '-n': {message}",
        "Try 'clonafacts search --help' for help.",
    ]


def test_api_limit_out_of_range(db: Database) -> None:
    with pytest.raises(ValueError, match=r"^limit must be from 1 to 10,000, not 0$"):
        db.search(["seizure"], limit=0)


# ---------------------------------------------------------------------------------------------
# Highlights.


@pytest.mark.parametrize(
    ("words", "stem"),
    [
        pytest.param(["seizure"], "seizure", id="singular"),
        pytest.param(["seizures"], "seizure", id="plural"),
        pytest.param(["withdrawal"], "withdraw", id="withdrawal"),
        pytest.param(["SEIZURE", "disorders"], "", id="two-words"),
    ],
)
def test_highlights_point_at_the_matched_words(db: Database, words: list[str], stem: str) -> None:
    hits = db.search(words, limit=10_000)["hits"]
    assert hits
    for hit in hits:
        assert hit["highlights"] == sorted(hit["highlights"]), hit
        for start, end in hit["highlights"]:
            assert 0 <= start < end <= len(hit["text"])
        found = [word.casefold() for word in matched(hit)]
        assert found, hit
        if stem:
            assert all(word.startswith(stem) for word in found), hit
        else:  # each word of the query is marked somewhere
            assert any(word.startswith("seizure") for word in found), hit
            assert any(word.startswith("disorder") for word in found), hit


def test_text_output_marks_matches_in_reverse_video(cli: Cli) -> None:
    result = cli("search", "quokka", *SEARCH_ARGS, "--color", "always")
    assert result.exit_code == 0, result.stderr
    assert f"{REVERSE}Quokka{RESET} {REVERSE}quokka{RESET}." in result.stdout
    assert f"A single {REVERSE}quokka{RESET} is mentioned" in result.stdout
    plain = cli("search", "quokka", *SEARCH_ARGS, "--color", "never")
    assert "\x1b" not in plain.stdout
    assert "  Quokka quokka.\n" in plain.stdout


def test_markdown_bolds_matches(cli: Cli) -> None:
    result = cli("search", "quokka", *SEARCH_ARGS, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "- **Searchazole, overview**: **Quokka** **quokka**." in lines
    assert lines[:4] == ["# Search: quokka", "", "2 matches.", ""]


def test_markdown_bolds_a_phrase_whole(cli: Cli) -> None:
    result = cli("search", "panic disorder", *SEARCH_ARGS, "--format", "markdown")
    assert "- **Searchazole, overview**: It was once tried in **panic disorder**." in (
        result.stdout.splitlines()
    )


# ---------------------------------------------------------------------------------------------
# No hits.


@pytest.mark.parametrize(
    "options",
    [
        pytest.param((), id="text"),
        pytest.param(("--format", "markdown"), id="markdown"),
        pytest.param(("--color", "always"), id="text-colour"),
    ],
)
def test_no_hits_for_people(cli: Cli, options: tuple[str, ...]) -> None:
    result = cli("search", "zzzqqq", *options)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: no facts match 'zzzqqq'\n"


@pytest.mark.parametrize(
    ("options", "parse"),
    [
        pytest.param(("--json",), json.loads, id="json"),
        pytest.param(("--format", "json"), json.loads, id="format-json"),
        pytest.param(("--format", "yaml"), yaml.safe_load, id="yaml"),
    ],
)
def test_no_hits_for_scripts(cli: Cli, options: tuple[str, ...], parse: Any) -> None:
    result = cli("search", "zzzqqq", *options)
    assert result.exit_code == 1
    assert result.stderr == ""
    assert parse(result.stdout) == {
        "schema_version": 2,
        "kind": "search",
        "query": ["zzzqqq"],
        "total": 0,
        "hits": [],
    }


def test_no_hits_through_the_api(db: Database) -> None:
    assert db.search("zzzqqq") == {
        "schema_version": 2,
        "kind": "search",
        "query": ["zzzqqq"],
        "total": 0,
        "hits": [],
    }


# ---------------------------------------------------------------------------------------------
# Query syntax: refused with a message, or searched as text.


def _operator(word: str) -> str:
    return (
        f"Error: {word!r} is a search operator clonafacts does not support; every word must "
        f'match anyway (to search for the word itself, write "{word.lower()}")'
    )


@pytest.mark.parametrize(
    ("words", "first_line"),
    [
        pytest.param(["OR"], _operator("OR"), id="OR"),
        pytest.param(["AND"], _operator("AND"), id="AND"),
        pytest.param(["NEAR"], _operator("NEAR"), id="NEAR"),
        pytest.param(["NOT"], _operator("NOT"), id="NOT"),
        pytest.param(["seizure", "OR", "panic"], _operator("OR"), id="OR-between-words"),
        pytest.param(['"panic" OR'], _operator("OR"), id="OR-after-a-phrase"),
        pytest.param(
            ['"seizure'],
            "Error: unbalanced quote in '\"seizure': close the phrase with '\"'",
            id="unbalanced-quote",
        ),
        pytest.param(
            ['"panic" disorder"'],
            "Error: unbalanced quote in '\"panic\" disorder\"': close the phrase with '\"'",
            id="three-quotes",
        ),
        pytest.param(["^"], "Error: '^' has no letters or digits to search for", id="caret"),
        pytest.param([":"], "Error: ':' has no letters or digits to search for", id="colon"),
        pytest.param(["*"], "Error: '*' has no letters or digits to search for", id="star"),
        pytest.param(
            ['""'], "Error: '\"\"' has no letters or digits to search for", id="empty-phrase"
        ),
        pytest.param(
            ["se*zure"],
            "Error: '*' goes at the end of a word, as in 'seiz*', not in 'se*zure'",
            id="inner-star",
        ),
        pytest.param(
            ["seiz**"],
            "Error: '*' goes at the end of a word, as in 'seiz*', not in 'seiz**'",
            id="double-star",
        ),
    ],
)
def test_refused_query_syntax(cli: Cli, words: list[str], first_line: str) -> None:
    result = cli("search", *words)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [first_line, QUERY_HINT]


@pytest.mark.parametrize(
    "word",
    [
        pytest.param("seizure:", id="trailing-colon"),
        pytest.param("C-IV", id="hyphen"),
        pytest.param("NEAR(", id="near-paren"),
        pytest.param("or", id="lowercase-or"),
        pytest.param("Not", id="titlecase-not"),
        pytest.param("AND/OR", id="and-slash-or"),
        pytest.param("(seizure)", id="parentheses"),
        pytest.param("seizure^2", id="caret-inside"),
        pytest.param("col:seizure", id="column-filter"),
        pytest.param("{text}:seizure", id="column-set"),
        pytest.param("-seizure+", id="plus-minus"),
        pytest.param('seiz*"panic"', id="prefix-then-phrase"),
        pytest.param('"seizure OR panic"', id="OR-in-a-quoted-phrase"),
        pytest.param("panic OR", id="OR-in-an-argument-with-space"),
    ],
)
def test_syntax_inside_a_word_is_searched_as_text(cli: Cli, word: str) -> None:
    result = cli("search", "--", word) if word.startswith("-") else cli("search", word)
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr


def test_refused_query_through_the_api(db: Database) -> None:
    with pytest.raises(clonafacts.QueryError, match=r"^'OR' is a search operator"):
        db.search("OR")
    with pytest.raises(clonafacts.QueryError, match=r"^nothing to search for$"):
        db.search([])


# Anything a user could type as a word: no control characters (the CLI refuses those before
# searching) and no lone surrogates (see the undecodable-bytes test below).
WORDS = st.lists(
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12)
    | st.sampled_from(["OR", "NEAR", '"', "*", "seiz*", "panic disorder", '"a b"', "C-IV"]),
    min_size=1,
    max_size=4,
)
SHARED = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SHARED
@given(words=WORDS)
def test_any_words_exit_0_1_or_2(cli: Cli, words: list[str]) -> None:
    result = cli("search", *words)
    assert result.exit_code in (0, 1, 2), (words, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr


@SHARED
@given(words=WORDS)
def test_api_search_returns_a_document_or_raises_query_error(
    db: Database, words: list[str]
) -> None:
    try:
        document = db.search(words)
    except clonafacts.QueryError:
        return
    assert document["kind"] == "search"
    assert document["query"] == words
    assert len(document["hits"]) <= document["total"]


def test_api_nul_in_a_word_is_a_query_error_or_no_hits(db: Database) -> None:
    with contextlib.suppress(clonafacts.QueryError):
        db.search(["seizure\x00"])


def test_a_rejected_query_leaves_the_store_alone(db: Database) -> None:
    db.resolve("Klonopin")  # the store is written
    (store,) = Path(os.environ["CLONAFACTS_CACHE_DIR"]).glob("store-*")
    before = store.stat().st_ino
    with contextlib.suppress(Exception):  # what is raised is the test above's concern
        db.search(["seizure\x00"])
    assert store.stat().st_ino == before


def test_undecodable_word_is_not_an_internal_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "clonafacts", "search", os.fsdecode(b"caf\xe9")],
        capture_output=True,
        check=False,
    )
    assert done.returncode in (0, 1, 2), done.stderr
    assert b"internal error" not in done.stderr


# ---------------------------------------------------------------------------------------------
# --drug.


def test_drug_restricts_the_search(cli: Cli) -> None:
    data = ("--data", str(FIXTURE))
    everywhere = cli.json("search", "withdrawal", *data, *ALL)
    assert {hit["medication"]["id"] for hit in everywhere["hits"]} == {*SHIPPED, "examplazole"}
    ours = cli.json("search", "withdrawal", *data, *ALL, "--drug", "Testorin")
    shipped = cli.json("search", "withdrawal", *data, *ALL, "--drug", "KLONOPIN")
    assert {hit["medication"]["id"] for hit in ours["hits"]} == {"examplazole"}
    assert {hit["medication"]["id"] for hit in shipped["hits"]} == {"clonazepam"}
    others = [
        cli.json("search", "withdrawal", *data, *ALL, "--drug", med_id)["total"]
        for med_id in SHIPPED
        if med_id != "clonazepam"
    ]
    assert ours["total"] + shipped["total"] + sum(others) == everywhere["total"]
    assert ours["hits"] == [h for h in everywhere["hits"] if h["medication"]["id"] == "examplazole"]


def test_drug_through_the_api() -> None:
    with clonafacts.open_database([str(FIXTURE)]) as database:
        found = database.search("withdrawal", drug="EXZ-1")
    assert places(found) == [("withdrawal", "summary")]
    assert found["total"] == 1


def test_unknown_drug(cli: Cli) -> None:
    result = cli("search", "seizure", "--drug", "klonopn")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: no medication named 'klonopn'; did you mean 'Klonopin'?\n"


def test_unknown_drug_through_the_api(db: Database) -> None:
    with pytest.raises(clonafacts.UnknownMedicationError) as raised:
        db.search("seizure", drug="klonopn")
    assert raised.value.suggestions == ["Klonopin"]


# ---------------------------------------------------------------------------------------------
# The JSON output and the fast path.


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("seizure",), id="sections"),
        pytest.param(("Klonopin",), id="brand-null-section"),
        pytest.param(("C-IV",), id="schedule"),
        pytest.param(("seizure", "--limit", "2"), id="limited"),
        pytest.param(("zzzqqq",), id="no-hits"),
    ],
)
def test_search_json_matches_the_output_schema(cli: Cli, args: tuple[str, ...]) -> None:
    schema = json.loads(cli("schema", "output").stdout)
    result = cli("search", *args, "--json")
    assert result.exit_code in (0, 1)
    validator = Draft202012Validator(schema)
    assert [error.message for error in validator.iter_errors(json.loads(result.stdout))] == []


FAST_CASES = [
    ["search", "seizure", "--json"],
    ["search", "panic disorder", "-n", "2", "--color", "never"],
    ["search", "benzo*", "--format", "markdown"],
    ["search", "withdrawal", "--drug", "Klonopin", "-f", "yaml"],
]


@pytest.mark.parametrize("argv", [pytest.param(a, id=" ".join(a[1:])) for a in FAST_CASES])
def test_fast_path_prints_what_the_full_cli_prints(cli: Cli, argv: list[str]) -> None:
    assert fastpath.parse(argv) is not None  # the console script answers it without Typer
    fast = subprocess.run(
        [sys.executable, "-m", "clonafacts", *argv],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"COLUMNS": "100"},
    )
    full = cli(*argv)
    assert (fast.returncode, fast.stderr) == (0, "")
    assert full.exit_code == 0, full.stderr
    assert fast.stdout == full.stdout
