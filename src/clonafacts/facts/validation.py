"""Validate one parsed data file: the pydantic model, then the checks that span the file.

Every problem is located in the YAML file (line:column) and all of a file's problems are
reported together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from clonafacts.documents import Plain
from clonafacts.errors import Problem, printable_name
from clonafacts.facts.models import SAFE_LINE, SAFE_TEXT, Medication, control_character_message
from clonafacts.facts.names import name_problem, skeleton
from clonafacts.facts.yamlfile import PathKey, YamlDocument

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _got(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def dotted(loc: PathKey) -> str:
    """`('sections', 'withdrawal', 'facts', 2)` -> `sections.withdrawal.facts[2]`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


# Pydantic's wording for limits, rephrased in the voice of the other messages.
_ROUGH: dict[str, Any] = {
    "string_too_long": lambda e: (
        f"text is too long ({len(e['input']):,} characters; at most {e['ctx']['max_length']:,})"
    ),
    "string_too_short": lambda e: "must not be empty",
    "too_short": lambda e: f"needs at least {_plural(e['ctx']['min_length'], 'entry')}".replace(
        "entrys", "entries"
    ),
    "too_long": lambda e: f"has too many entries (at most {e['ctx']['max_length']:,})",
    "less_than_equal": lambda e: f"must be at most {e['ctx']['le']}, not {e['input']!r}",
    "greater_than_equal": lambda e: f"must be at least {e['ctx']['ge']}, not {e['input']!r}",
    "literal_error": lambda e: f"must be one of {e['ctx']['expected']}, not {e['input']!r}",
}


def describe(error: Any) -> str:
    """A short message for one pydantic error, phrased for data authors."""
    kind, loc = error["type"], tuple(error["loc"])
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}" + (f" in {dotted(loc[:-1])}" if loc[:-1] else "")
    where = dotted(loc)
    if kind == "missing":
        parent = dotted(loc[:-1])
        return f"missing required key {loc[-1]!r}" + (f" in {parent}" if parent else "")
    if kind in _TYPE_NAMES:
        expected = _TYPE_NAMES[kind]
        what = f"{where}: " if where else "the top level: "
        if kind in ("model_type", "dict_type") and not where:
            return f"the top level must be a mapping (one medication), not {_got(error['input'])}"
        return f"{what}expected {expected}, got {_got(error['input'])}"
    message = _ROUGH.get(kind, lambda error: str(error["msg"]))(error)
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind == "string_pattern_mismatch" and error["ctx"]["pattern"] in (SAFE_TEXT, SAFE_LINE):
        message = control_character_message(error["input"])
    elif kind == "string_pattern_mismatch" and ("url" in loc[-1:]):
        message = "must be an http:// or https:// address with no spaces"
    elif kind == "string_pattern_mismatch":
        message = "must be a lowercase slug such as 'klonopin-label' (letters, digits, hyphens)"
    return f"{where}: {message}" if where else message


def to_plain(medication: Medication) -> Plain:
    """The JSON-ready data of a validated medication; absent sections are left out."""
    plain = medication.model_dump(by_alias=True)
    plain["sections"] = {name: body for name, body in plain["sections"].items() if body is not None}
    return plain


def validate_data(data: Any) -> Plain | None:
    """The plain data of the medication in `data` when it has no problem at all; None
    otherwise (then `validate_document` says what and where)."""
    try:
        medication = Medication.model_validate(data)
    except ValidationError:
        return None
    plain = to_plain(medication)
    return None if any(True for _ in cross_checks(plain)) else plain


def validate_document(doc: YamlDocument) -> tuple[Medication | None, list[Problem]]:
    """The medication in `doc`, or None and every problem found in it."""
    try:
        medication = Medication.model_validate(doc.data)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            line, column = doc.locate(tuple(item["loc"]))
            problems.append(Problem(doc.path, describe(item), line, column))
        return None, sorted(problems, key=_in_file_order)
    problems = [
        Problem(doc.path, message, *doc.locate(loc))
        for loc, message in cross_checks(to_plain(medication))
    ]
    return (None if problems else medication), sorted(problems, key=_in_file_order)


def _in_file_order(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)


def cross_checks(medication: Plain) -> Iterator[tuple[PathKey, str]]:
    """Checks that span the file (on its validated, plain data): unique source ids, citations
    that resolve, no empty section, no name used twice."""
    known: set[str] = set()
    for index, source in enumerate(medication["sources"]):
        if source["id"] in known:
            yield ("sources", index, "id"), f"duplicate source id {source['id']!r}"
        known.add(source["id"])
    for loc, entry in _citing_entries(medication):
        cited = entry["sources"]
        for index, source_id in enumerate(cited):
            if source_id not in known:
                yield (
                    (*loc, "sources", index),
                    (f"cites unknown source {source_id!r}; list it under sources"),
                )
        quoted: set[str] = set()
        for index, quote in enumerate(entry.get("quotes", [])):
            at = (*loc, "quotes", index, "source")
            if quote["source"] not in cited:
                yield at, f"quotes {quote['source']!r}, which this entry does not cite"
            elif quote["source"] in quoted:
                yield at, f"a second quote from {quote['source']!r}; give one"
            quoted.add(quote["source"])
    for name, body in medication["sections"].items():
        if not any(value for key, value in body.items() if key not in ("title", "summary")):
            yield ("sections", name), f"section {name!r} is empty: give it facts"
    names: dict[str, str] = {}
    for field, singular in (("name", "name"), ("brands", "brand"), ("aliases", "alias")):
        value = medication[field]
        for index, entry in enumerate([value] if isinstance(value, str) else value):
            where: PathKey = (field,) if field == "name" else (field, index)
            problem = name_problem(entry)
            if problem is not None:
                yield where, f"{printable_name(entry)} {problem}"
            look = skeleton(entry)
            if look in names:
                yield where, f"{printable_name(entry)} is already used as {names[look]}"
            names[look] = (
                "the name" if field == "name" else f"the {singular} {printable_name(entry)}"
            )


def _citing_entries(medication: Plain) -> Iterator[tuple[PathKey, Plain]]:
    """Every entry that cites sources (a fact, item, step, schedule...), located."""
    stack: list[tuple[PathKey, Any]] = [
        (("schedules",), medication["schedules"]),
        (("sections",), medication["sections"]),
    ]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sources" and isinstance(value, list):
                    yield loc, node
                elif isinstance(value, dict | list) and key != "quotes":
                    stack.append(((*loc, key), value))
        elif isinstance(node, list):
            stack.extend(
                ((*loc, index), value)
                for index, value in enumerate(node)
                if isinstance(value, dict | list)
            )
