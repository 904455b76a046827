"""How names compare: one key for a name however it is typed, and suggestions for a near miss."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def name_key(name: str) -> str:
    """The form names are indexed and looked up by: decomposed, accents dropped, case-folded
    and compatibility-normalised, so `KLONOPIN`, `klonopin`, a decomposed or full-width
    spelling, `café` and `cafe`, `ß` and `ss`, Turkish `İ` and `i` all meet."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return unicodedata.normalize("NFKC", bare.casefold()).strip()


def suggestions(typed: str, keys: Iterable[str], limit: int = 3) -> list[str]:
    """The keys closest to `typed` (already a name key), best first."""
    import difflib

    return difflib.get_close_matches(typed, list(keys), n=limit, cutoff=0.6)
