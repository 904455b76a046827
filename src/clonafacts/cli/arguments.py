"""Checks on free-text arguments, shared by the CLI and its fast path."""

from __future__ import annotations

from clonafacts.errors import printable

MAX_ARGUMENT_CHARS = 200


def argument_problem(value: str) -> str | None:
    """What is wrong with a free-text argument, or None."""
    if not value.strip():
        return "must not be empty"
    if len(value) > MAX_ARGUMENT_CHARS:
        return f"is too long ({len(value):,} characters; at most {MAX_ARGUMENT_CHARS})"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid text (it holds bytes that are not UTF-8)"
    if printable(value) != value:
        return f"contains a control character: '{printable(value)}'"
    return None
