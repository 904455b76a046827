"""The data model and its JSON Schemas: strict, bounded, and true to the shipped data."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from clonafacts.facts.limits import (
    MAX_FACT_CHARS,
    MAX_ITEMS,
    MAX_LINE_CHARS,
    MAX_NAME_CHARS,
    MAX_SOURCES_PER_FACT,
)
from clonafacts.facts.models import Fact, Medication, Source
from clonafacts.facts.schemas import data_schema, output_schema
from clonafacts.facts.validation import describe
from clonafacts.store.discovery import shipped_data_dir

SHIPPED = shipped_data_dir() / "clonazepam.yaml"
FIXTURE = Path(__file__).parent / "fixtures" / "valid" / "examplazole.yaml"


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    return data


def example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return data


def refused(data: Any) -> list[dict[str, Any]]:
    """The errors pydantic gives for `data`, which must not validate."""
    with pytest.raises(ValidationError) as caught:
        Medication.model_validate(data)
    return [dict(error) for error in caught.value.errors(include_url=False)]


def error_types(data: Any) -> set[tuple[tuple[Any, ...], str]]:
    return {(tuple(error["loc"]), error["type"]) for error in refused(data)}


# --------------------------------------------------------------------------------------------
# JSON Schemas


def test_data_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = data_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_shipped_data_validates_against_the_data_schema() -> None:
    validator = jsonschema.Draft202012Validator(data_schema())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(shipped())]
    assert errors == []


def test_fixture_validates_against_the_data_schema() -> None:
    jsonschema.Draft202012Validator(data_schema()).validate(example())


@pytest.mark.parametrize(
    "where",
    [
        pytest.param((), id="top-level"),
        pytest.param(("sources", 0), id="source"),
        pytest.param(("sections", "withdrawal"), id="section"),
        pytest.param(("sections", "withdrawal", "symptoms", 1), id="item"),
    ],
)
def test_data_schema_refuses_unknown_keys(where: tuple[Any, ...]) -> None:
    data = example()
    node: Any = data
    for part in where:
        node = node[part]
    node["dose"] = "2 mg"
    validator = jsonschema.Draft202012Validator(data_schema())
    assert not validator.is_valid(data)


def test_data_schema_refuses_what_the_model_refuses() -> None:
    data = example()
    data["sources"][0]["year"] = "2024"
    assert not jsonschema.Draft202012Validator(data_schema()).is_valid(data)
    data = example()
    data["id"] = "Examplazole Label"
    assert not jsonschema.Draft202012Validator(data_schema()).is_valid(data)


def test_output_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = output_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schemas_are_json_serialisable() -> None:
    import json

    for schema in (data_schema(), output_schema()):
        assert json.loads(json.dumps(schema)) == schema


# --------------------------------------------------------------------------------------------
# Strictness of the model


def test_shipped_and_fixture_data_validate() -> None:
    assert Medication.model_validate(shipped()).id == "clonazepam"
    assert Medication.model_validate(example()).id == "examplazole"


@pytest.mark.parametrize(
    ("where", "key"),
    [
        pytest.param((), "dose", id="top-level"),
        pytest.param(("sources", 0), "isbn", id="source"),
        pytest.param(("sections",), "dosing", id="sections"),
        pytest.param(("sections", "overview"), "colour", id="section"),
        pytest.param(("sections", "overview", "facts", 0), "note", id="fact"),
    ],
)
def test_unknown_keys_are_refused(where: tuple[Any, ...], key: str) -> None:
    data = example()
    node: Any = data
    for part in where:
        node = node[part]
    node[key] = "anything"
    assert error_types(data) == {((*where, key), "extra_forbidden")}


@pytest.mark.parametrize(
    ("where", "value", "kind"),
    [
        pytest.param(("sources", 0, "year"), "2020", "int_type", id="year-as-text"),
        pytest.param(("sources", 0, "year"), 2020.0, "int_type", id="year-as-float"),
        pytest.param(("name",), 12, "string_type", id="name-as-number"),
        pytest.param(("sections", "overview", "facts", 0, "key"), "yes", "bool_type", id="bool"),
        pytest.param(("sections", "overview", "facts", 0, "key"), 1, "bool_type", id="bool-int"),
        pytest.param(("brands",), "Testorin", "list_type", id="brands-as-text"),
    ],
)
def test_types_are_not_coerced(where: tuple[Any, ...], value: Any, kind: str) -> None:
    data = example()
    node: Any = data
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    assert error_types(data) == {(where, kind)}


@pytest.mark.parametrize(
    ("where", "limit"),
    [
        pytest.param(("name",), MAX_NAME_CHARS, id="name"),
        pytest.param(("brands", 0), MAX_NAME_CHARS, id="brand"),
        pytest.param(("summary",), MAX_LINE_CHARS, id="summary"),
        pytest.param(("sources", 0, "title"), MAX_LINE_CHARS, id="source-title"),
        pytest.param(("sections", "overview", "facts", 0, "text"), MAX_FACT_CHARS, id="fact"),
        pytest.param(("sections", "withdrawal", "symptoms", 0, "name"), MAX_NAME_CHARS, id="item"),
    ],
)
def test_text_limits(where: tuple[Any, ...], limit: int) -> None:
    def with_text(text: str) -> dict[str, Any]:
        data = example()
        node: Any = data
        for part in where[:-1]:
            node = node[part]
        node[where[-1]] = text
        return data

    Medication.model_validate(with_text("x" * limit))
    assert error_types(with_text("x" * (limit + 1))) == {(where, "string_too_long")}


def test_empty_and_blank_text_is_refused() -> None:
    for blank in ("", "   "):
        data = example()
        data["summary"] = blank
        assert error_types(data) == {(("summary",), "string_too_short")}


def test_list_limits() -> None:
    data = example()
    data["brands"] = [f"Brand{n}" for n in range(MAX_ITEMS + 1)]
    assert error_types(data) == {(("brands",), "too_long")}
    data = example()
    fact = data["sections"]["overview"]["facts"][0]
    fact["sources"] = ["test-handbook"] * (MAX_SOURCES_PER_FACT + 1)
    assert error_types(data) == {(("sections", "overview", "facts", 0, "sources"), "too_long")}


@pytest.mark.parametrize(
    ("text", "code_point", "position"),
    [
        pytest.param("a\x1bb", "U+001B", 2, id="escape"),
        pytest.param("a\x00", "U+0000", 2, id="nul"),
        pytest.param("tab\there", "U+0009", 4, id="tab"),
        pytest.param("del\x7f", "U+007F", 4, id="del"),
        pytest.param("c1\x9b", "U+009B", 3, id="c1-csi"),
        pytest.param("abc\u202edef", "U+202E", 4, id="bidi-override"),
        pytest.param("\u2066isolate", "U+2066", 1, id="bidi-isolate"),
    ],
)
def test_control_characters_are_refused(text: str, code_point: str, position: int) -> None:
    data = example()
    data["sections"]["overview"]["facts"][0]["text"] = text
    errors = refused(data)
    # Checked by a pattern (in pydantic's Rust core); describe() words it for data authors.
    assert [(tuple(e["loc"]), e["type"]) for e in errors] == [
        (("sections", "overview", "facts", 0, "text"), "string_pattern_mismatch")
    ]
    assert describe(errors[0]) == (
        "sections.overview.facts[0].text: "
        f"control character {code_point} at position {position} is not allowed"
    )


def test_control_characters_are_refused_in_names_and_lines() -> None:
    data = example()
    data["name"] = "Exampla\u202ezole"
    data["summary"] = "a\x1bb"
    assert error_types(data) == {
        (("name",), "string_pattern_mismatch"),
        (("summary",), "string_pattern_mismatch"),
    }


def test_newlines_are_allowed_in_text() -> None:
    data = example()
    data["sections"]["overview"]["facts"][0]["text"] = "one line\nand another"
    Medication.model_validate(data)


def test_a_fact_needs_at_least_one_source() -> None:
    data = example()
    data["sections"]["overview"]["facts"][0]["sources"] = []
    assert error_types(data) == {(("sections", "overview", "facts", 0, "sources"), "too_short")}
    with pytest.raises(ValidationError):
        Fact.model_validate({"text": "A claim.", "sources": []})


def test_a_medication_needs_at_least_one_source() -> None:
    data = example()
    data["sources"] = []
    assert error_types(data) == {(("sources",), "too_short")}


@pytest.mark.parametrize(
    "bad_id", ["Klonopin Label", "klonopin_label", "Klonopin", "-label", "label-", "a--b", ""]
)
def test_bad_slug_ids_are_refused(bad_id: str) -> None:
    data = example()
    data["sources"][0]["id"] = bad_id
    data["sections"]["overview"]["facts"][0]["sources"] = [bad_id]
    assert error_types(data) == {
        (("sources", 0, "id"), "string_pattern_mismatch"),
        (("sections", "overview", "facts", 0, "sources", 0), "string_pattern_mismatch"),
    }


def test_bad_medication_id_is_refused() -> None:
    data = example()
    data["id"] = "Examplazole"
    assert error_types(data) == {(("id",), "string_pattern_mismatch")}


def test_good_slugs_are_accepted() -> None:
    Source.model_validate({"id": "klonopin-label-2023", "title": "T", "kind": "label"})


def test_a_medication_needs_a_section() -> None:
    data = example()
    data["sections"] = {}
    errors = refused(data)
    assert [(tuple(e["loc"]), e["type"]) for e in errors] == [(("sections",), "value_error")]
    assert errors[0]["msg"] == "Value error, a medication needs at least one section"


def test_unknown_section_is_refused() -> None:
    data = example()
    data["sections"]["dosing"] = copy.deepcopy(data["sections"]["overview"])
    assert error_types(data) == {(("sections", "dosing"), "extra_forbidden")}


def test_source_kind_and_year_are_checked() -> None:
    data = example()
    data["sources"][0]["kind"] = "blog"
    data["sources"][0]["year"] = 1066
    assert error_types(data) == {
        (("sources", 0, "kind"), "literal_error"),
        (("sources", 0, "year"), "greater_than_equal"),
    }


def test_models_are_frozen() -> None:
    medication = Medication.model_validate(example())
    with pytest.raises(ValidationError):
        medication.name = "Other"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Round trip


def test_shipped_medication_round_trips_through_json_mode() -> None:
    medication = Medication.model_validate(shipped())
    dumped = medication.model_dump(mode="json")
    again = Medication.model_validate(dumped)
    assert again == medication
    assert again.model_dump(mode="json") == dumped


def test_fixture_round_trips_through_json_mode() -> None:
    medication = Medication.model_validate(example())
    assert Medication.model_validate(medication.model_dump(mode="json")) == medication
