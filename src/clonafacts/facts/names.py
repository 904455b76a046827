"""Names that cannot impersonate each other: no invisible characters, no look-alike letters
from another script mixed into a name, and no two names that look the same.

"Look the same" follows Unicode's confusables data (UTS #39) through confusable_homoglyphs: a
name's skeleton replaces each letter that has a Latin look-alike by that letter, after the name
key's folding (store/names.py); two names with one skeleton look identical on screen.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

from clonafacts.errors import printable_name

# Characters that show as nothing: Unicode format characters (zero-width space and joiners,
# soft hyphen, byte order mark, bidi marks...) and the letters that are drawn blank.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def name_problem(name: str) -> str | None:
    """Why `name` could pass for another one, or None."""
    for char in name:
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES or char in _BLANK_LETTERS:
            return f"has an invisible character (U+{ord(char):04X}); names must show as written"
    letters = _bare(name)  # accents belong to no script of their own
    if letters.isascii():
        return None
    confusables = _confusables()
    if confusables.is_dangerous(letters):
        found = confusables.is_confusable(letters, greedy=True, preferred_aliases=["latin"])
        look_alikes = ", ".join(
            f"{printable_name(item['character'])} ({item['alias'].lower()}) looks like "
            f"{item['homoglyphs'][0]['c']!r}"
            for item in (found or [])[:3]
        )
        return f"mixes scripts with look-alike letters ({look_alikes}); write it in one script"
    return None


def skeleton(name: str) -> str:
    """What `name` looks like: equal skeletons look the same on screen."""
    shown = "".join(_latin(char) for char in _bare(name))
    return unicodedata.normalize("NFKC", shown.casefold()).strip()


def _bare(name: str) -> str:
    """The name decomposed, without its accents (combining marks)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


@cache
def _latin(char: str) -> str:
    if char.isascii():
        return char
    found = _confusables().is_confusable(char, greedy=True, preferred_aliases=["latin"])
    return str(found[0]["homoglyphs"][0]["c"]) if found else char


def _confusables() -> Any:
    """The confusables data, loaded only for a name that is not all ASCII: it takes tens of
    megabytes, which a thousand plain names should not pay for."""
    from confusable_homoglyphs import confusables

    return confusables
