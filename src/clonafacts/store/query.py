"""A user's search words as an FTS5 query: words, "quoted phrases" and prefix* only.

Every term reaches FTS5 inside double quotes, so nothing a user types is read as FTS5 syntax;
the operators FTS5 would otherwise see (AND, OR, NOT, NEAR) and quotes that do not pair up are
refused with a message instead of being guessed at.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from clonafacts.errors import QueryError, printable

OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
_TERM = re.compile(r'"([^"]*)"|([^\s"]+)')
_WORD = re.compile(r'(?:[^\s"]+|"[^"]*"?)+')
_SEARCHABLE = re.compile(r"[^\W_]")  # a letter or digit: all the tokenizer keeps


class Term(NamedTuple):
    text: str
    prefix: bool = False

    def fts(self) -> str:
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + " *" if self.prefix else quoted


def terms(words: list[str]) -> list[Term]:
    """The terms of a query given as command-line words. A word holding spaces (quoted in the
    shell) is a phrase; within a word, "double quotes" make a phrase and a final * a prefix."""
    found: list[Term] = []
    for word in words:
        _check_text(word)
        # One form for what looks the same: a decomposed accent, full-width letters.
        word = unicodedata.normalize("NFKC", word)
        if '"' not in word and len(word.split()) > 1:
            found.append(_checked(Term(" ".join(word.split())), word))
            continue
        if word.count('"') % 2:
            raise QueryError(f"unbalanced quote in {word!r}: close the phrase with '\"'")
        for match in _TERM.finditer(word):
            phrase, bare = match.groups()
            if phrase is not None:
                found.append(_checked(Term(" ".join(phrase.split())), match.group()))
            elif bare in OPERATORS:
                raise QueryError(
                    f"{bare!r} is a search operator clonafacts does not support; every word "
                    f'must match anyway (to search for the word itself, write "{bare.lower()}")'
                )
            elif bare.endswith("*") and "*" not in bare[:-1]:
                found.append(_checked(Term(bare[:-1], prefix=True), bare))
            elif "*" in bare:
                raise QueryError(f"'*' goes at the end of a word, as in 'seiz*', not in {bare!r}")
            else:
                found.append(_checked(Term(bare), bare))
    if not found:
        raise QueryError("nothing to search for")
    return found


def split(query: str) -> list[str]:
    """A query typed as one string, split into words at spaces outside "double quotes"."""
    return _WORD.findall(query)


def _check_text(word: str) -> None:
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(f"{printable(word)!r} is not valid text (undecodable bytes)") from None
    if printable(word) != word:
        raise QueryError(f"{printable(word)!r} contains a control character")


def _checked(term: Term, written: str) -> Term:
    if not _SEARCHABLE.search(term.text):
        raise QueryError(f"{written!r} has no letters or digits to search for")
    return term


def fts_query(words: list[str]) -> str:
    """The FTS5 MATCH expression: every term must match."""
    return " AND ".join(term.fts() for term in terms(words))
