"""Loading data: the YAML reader's locations, validation messages, user data and `validate`.

Every medication written here is fictional, except the user files that deliberately reuse the
id `clonazepam` or the brand `Klonopin` to test replacing and name clashes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import SHIPPED, SHIPPED_ORIGINS, clonazepam_replaced_by

from clonafacts.errors import Problem
from clonafacts.facts.validation import validate_document
from clonafacts.facts.yamlfile import YamlDocument, YamlFileError, load, parse

# --------------------------------------------------------------------------------------------
# Helpers


def medication(
    med_id: str = "examplazole",
    name: str = "Examplazole",
    brands: str = "[Testorin]",
    fact: str = "Examplazole exists only in this test suite.",
) -> str:
    """A small valid fictional medication file; `fact` is its one withdrawal fact."""
    return f"""\
id: {med_id}
name: {name}
brands: {brands}
drug_class: fictional test compound
summary: A made-up medication for loading tests.
sources:
  - id: test-handbook
    title: The Test Fixture Handbook
    kind: textbook
sections:
  withdrawal:
    title: Stopping
    summary: Invented withdrawal facts.
    risks:
      - text: {fact}
        sources: [test-handbook]
"""


def problems_of(text: str, shown: str = "med.yaml") -> list[str]:
    """Every problem validate_document finds in `text`, as the CLI prints them."""
    medication_, problems = validate_document(parse(text, shown))
    assert medication_ is None, "expected the document to be invalid"
    return [str(problem) for problem in problems]


def list_json(cli: Any, *args: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    medications: list[dict[str, Any]] = cli.json("list", *args, env=env)["medications"]
    return medications


def error_lines(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------
# clonafacts.facts.yamlfile: plain data and where each part stood


LOCATED = """\
# a comment line first, so nothing starts at line 1
id: examplazole
brands: [Testorin, "EXZ 1"]
sections:
  withdrawal:
    symptoms:
      - name: Jitters
        key: true
      - name: 5
"""


def test_parse_builds_plain_data() -> None:
    doc = parse(LOCATED, "med.yaml")
    assert isinstance(doc, YamlDocument)
    assert doc.path == "med.yaml"
    assert doc.data == {
        "id": "examplazole",
        "brands": ["Testorin", "EXZ 1"],
        "sections": {"withdrawal": {"symptoms": [{"name": "Jitters", "key": True}, {"name": 5}]}},
    }


def test_parse_records_value_locations() -> None:
    doc = parse(LOCATED, "med.yaml")
    assert doc.locations[()] == (2, 1)
    assert doc.locations[("id",)] == (2, 5)
    assert doc.locations[("brands",)] == (3, 9)
    assert doc.locations[("brands", 0)] == (3, 10)
    assert doc.locations[("brands", 1)] == (3, 20)
    assert doc.locations[("sections", "withdrawal")] == (6, 5)
    assert doc.locations[("sections", "withdrawal", "symptoms")] == (7, 7)
    assert doc.locations[("sections", "withdrawal", "symptoms", 1)] == (9, 9)
    assert doc.locations[("sections", "withdrawal", "symptoms", 1, "name")] == (9, 15)
    assert doc.locations[("sections", "withdrawal", "symptoms", 0, "key")] == (8, 14)


def test_parse_records_key_locations() -> None:
    doc = parse(LOCATED, "med.yaml")
    assert doc.key_locations[("id",)] == (2, 1)
    assert doc.key_locations[("brands",)] == (3, 1)
    assert doc.key_locations[("sections",)] == (4, 1)
    assert doc.key_locations[("sections", "withdrawal")] == (5, 3)
    assert doc.key_locations[("sections", "withdrawal", "symptoms")] == (6, 5)
    assert doc.key_locations[("sections", "withdrawal", "symptoms", 0, "key")] == (8, 9)
    # List items have no key.
    assert ("brands", 0) not in doc.key_locations


def test_locate_picks_the_deepest_existing_path() -> None:
    doc = parse(LOCATED, "med.yaml")
    # A list item: its own value.
    assert doc.locate(("brands", 1)) == (3, 20)
    # Past the end of the file's data: the deepest part that exists.
    assert doc.locate(("brands", 7)) == (3, 9)
    assert doc.locate(("sections", "withdrawal", "symptoms", 1, "detail")) == (9, 9)
    assert doc.locate(("sections", "withdrawal", "symptoms", 5, "name")) == (7, 7)
    assert doc.locate(("sections", "mechanism", "chain")) == (5, 3)
    # A key that exists is shown at the key itself.
    assert doc.locate(("sections", "withdrawal", "symptoms", 0, "key")) == (8, 9)
    # Nothing of the path exists: the top-level mapping.
    assert doc.locate(("nothing", "here")) == (2, 1)
    assert doc.locate(()) == (2, 1)


def test_load_reads_a_file_and_names_it(write_data: Any) -> None:
    path = write_data(LOCATED)
    doc = load(path)
    assert doc.path == str(path)
    assert doc.data["id"] == "examplazole"
    assert load(path, "shown-name.yaml").path == "shown-name.yaml"


def test_load_reports_yaml_errors_with_a_location(write_data: Any) -> None:
    path = write_data("id: a\nid: b\n")
    with pytest.raises(YamlFileError) as caught:
        load(path, "dup.yaml")
    assert caught.value.problem == Problem("dup.yaml", "duplicate key 'id'", 2, 1)


def test_load_of_a_fixture_file(fixture_data: Path) -> None:
    doc = load(fixture_data / "examplazole.yaml")
    medication_, problems = validate_document(doc)
    assert problems == []
    assert medication_ is not None
    assert medication_.id == "examplazole"


# --------------------------------------------------------------------------------------------
# Validation errors: path:line:column: message, at the right node

DEEP_TYPE_ERROR = """\
id: examplazole
name: Examplazole
drug_class: x
summary: y
sources:
  - id: a
    title: T
    kind: textbook
sections:
  withdrawal:
    title: W
    summary: S
    symptoms:
      - name: Jitters
        sources: [a]
      - name: 5
        sources: [a]
"""


def test_wrong_type_deep_inside() -> None:
    assert problems_of(DEEP_TYPE_ERROR) == [
        "med.yaml:16:9: sections.withdrawal.symptoms[1].name: expected text, got the number 5"
    ]


def test_unknown_key_points_at_the_key() -> None:
    text = DEEP_TYPE_ERROR.replace("name: 5", "name: Shakes").replace(
        "    summary: S\n", "    summary: S\n    colour: red\n"
    )
    assert problems_of(text) == ["med.yaml:13:5: unknown key 'colour' in sections.withdrawal"]


def test_unknown_top_level_key() -> None:
    text = medication() + "dose: 2 mg\n"
    assert problems_of(text) == ["med.yaml:17:1: unknown key 'dose'"]


def test_missing_key_points_at_the_parent_mapping() -> None:
    text = DEEP_TYPE_ERROR.replace("      - name: 5\n", "      - detail: no name here\n")
    assert problems_of(text) == [
        "med.yaml:16:9: missing required key 'name' in sections.withdrawal.symptoms[1]"
    ]


def test_missing_top_level_key() -> None:
    text = medication().replace("summary: A made-up medication for loading tests.\n", "")
    assert problems_of(text) == ["med.yaml:1:1: missing required key 'summary'"]


def test_all_problems_of_a_file_are_reported_at_once() -> None:
    text = DEEP_TYPE_ERROR.replace("    summary: S\n", "    summary: S\n    colour: red\n").replace(
        "      - name: Jitters\n", "      - detail: no name here\n"
    )
    assert problems_of(text) == [
        "med.yaml:13:5: unknown key 'colour' in sections.withdrawal",
        "med.yaml:15:9: missing required key 'name' in sections.withdrawal.symptoms[0]",
        "med.yaml:17:9: sections.withdrawal.symptoms[1].name: expected text, got the number 5",
    ]


def test_the_top_level_must_be_a_mapping() -> None:
    assert problems_of("- just\n- a list\n") == [
        "med.yaml:1:1: the top level must be a mapping (one medication), not a list"
    ]


# --------------------------------------------------------------------------------------------
# Checks that span a file

CROSS = """\
id: examplazole
name: Examplazole
drug_class: x
summary: y
sources:
  - id: handbook
    title: T
    kind: textbook
  - id: review
    title: R
    kind: review
sections:
  withdrawal:
    title: W
    summary: S
    symptoms:
      - name: Jitters
        sources: [handbook, reveiw]
"""


def test_uncited_source_id_is_located_at_the_bad_id() -> None:
    assert problems_of(CROSS) == [
        "med.yaml:18:29: cites unknown source 'reveiw'; list it under sources"
    ]


def test_duplicate_source_id() -> None:
    text = CROSS.replace("  - id: review\n", "  - id: handbook\n").replace(
        "[handbook, reveiw]", "[handbook]"
    )
    assert problems_of(text) == ["med.yaml:9:5: duplicate source id 'handbook'"]


def test_empty_section() -> None:
    text = CROSS.replace("reveiw", "review") + (
        "  overview:\n    title: Overview\n    summary: Nothing to say.\n"
    )
    assert problems_of(text) == ["med.yaml:19:3: section 'overview' is empty: give it facts"]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(
            "brands: [examplazole]\n",
            "med.yaml:3:10: 'examplazole' is already used as the name",
            id="brand-equals-name-other-case",
        ),
        pytest.param(
            "brands: [Testorin]\naliases: [TESTORIN]\n",
            "med.yaml:4:11: 'TESTORIN' is already used as the brand 'Testorin'",
            id="alias-equals-brand",
        ),
        pytest.param(
            "brands: [Testorin, testorin]\n",
            "med.yaml:3:20: 'testorin' is already used as the brand 'Testorin'",
            id="brand-twice",
        ),
    ],
)
def test_duplicate_names_within_a_file(names: str, expected: str) -> None:
    text = CROSS.replace("reveiw", "review").replace(
        "name: Examplazole\n", "name: Examplazole\n" + names
    )
    assert problems_of(text) == [expected]


# --------------------------------------------------------------------------------------------
# User data: --data and CLONAFACTS_DATA


def test_data_file(cli: Any, write_data: Any) -> None:
    path = write_data(medication(fact="Only the user's file says this."))
    document = cli.json("withdrawal", "Testorin", "--data", str(path))
    assert document["medication"]["id"] == "examplazole"
    assert document["content"]["risks"][0]["text"] == "Only the user's file says this."
    listed = list_json(cli, "--data", str(path))
    assert [(m["id"], m["origin"]) for m in listed] == [
        *SHIPPED_ORIGINS,
        ("examplazole", str(path)),
    ]


def test_data_folder_loads_only_yaml_files_sorted_skipping_hidden(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "meds"
    folder.mkdir()
    (folder / "b.yaml").write_text(medication("bravozole", "Bravozole", "[]"), encoding="utf-8")
    (folder / "a.yml").write_text(medication("alphazole", "Alphazole", "[]"), encoding="utf-8")
    # None of these is loaded; each would fail if it were.
    (folder / ".hidden.yaml").write_text("not: [valid", encoding="utf-8")
    (folder / "notes.txt").write_text("not: [valid", encoding="utf-8")
    (folder / "README.md").write_text("# not data\n", encoding="utf-8")
    (folder / "yaml").write_text("not: [valid", encoding="utf-8")
    listed = list_json(cli, "--data", str(folder))
    assert [(m["id"], m["origin"]) for m in listed] == [
        *SHIPPED_ORIGINS,
        ("alphazole", str(folder / "a.yml")),
        ("bravozole", str(folder / "b.yaml")),
    ]


def test_data_is_repeatable_and_loads_in_order(cli: Any, write_data: Any) -> None:
    second = write_data(medication("zuluzole", "Zuluzole", "[]"), "second.yaml")
    first = write_data(medication("alphazole", "Alphazole", "[]"), "first.yaml")
    listed = list_json(cli, "--data", str(second), "--data", str(first))
    assert [m["id"] for m in listed] == [*SHIPPED, "zuluzole", "alphazole"]


def test_environment_paths_load_after_shipped_and_before_data(cli: Any, write_data: Any) -> None:
    env_one = write_data(medication("envonezole", "Envonezole", "[]"), "env1.yaml")
    env_two = write_data(medication("envtwozole", "Envtwozole", "[]"), "env2.yaml")
    flag = write_data(medication("flagzole", "Flagzole", "[]"), "flag.yaml")
    env = {"CLONAFACTS_DATA": f"{env_one}{os.pathsep}{env_two}"}
    listed = list_json(cli, "--data", str(flag), env=env)
    assert [(m["id"], m["origin"]) for m in listed] == [
        *SHIPPED_ORIGINS,
        ("envonezole", str(env_one)),
        ("envtwozole", str(env_two)),
        ("flagzole", str(flag)),
    ]


def test_environment_file_is_defined_before_the_data_file(cli: Any, write_data: Any) -> None:
    from_env = write_data(medication(), "from-env.yaml")
    from_flag = write_data(medication(), "from-flag.yaml")
    result = cli("list", "--data", str(from_flag), env={"CLONAFACTS_DATA": str(from_env)})
    assert result.exit_code == 3
    # The later file (--data) is the one in error; it names the earlier one (the environment's).
    assert error_lines(result) == [
        f"Error: {from_flag}:1:1: id 'examplazole' is already defined in {from_env}"
    ]


def test_empty_parts_of_the_environment_variable_are_ignored(cli: Any, write_data: Any) -> None:
    path = write_data(medication())
    env = {"CLONAFACTS_DATA": f"{os.pathsep}{path}{os.pathsep}{os.pathsep}"}
    assert [m["id"] for m in list_json(cli, env=env)] == [*SHIPPED, "examplazole"]


def test_user_clonazepam_replaces_the_shipped_one(cli: Any, write_data: Any) -> None:
    path = write_data(
        medication("clonazepam", "Clonazepam", "[Klonopin]", fact="A user's own clonazepam note.")
    )
    document = cli.json("withdrawal", "klonopin", "--data", str(path))
    assert document["medication"]["id"] == "clonazepam"
    assert document["content"]["risks"] == [
        {
            "text": "A user's own clonazepam note.",
            "sources": ["test-handbook"],
            "quotes": [],
            "key": False,
            "tags": [],
            "cloze": None,
        }
    ]
    assert [source["id"] for source in document["sources"]] == ["test-handbook"]
    listed = list_json(cli, "--data", str(path))
    assert [(m["id"], m["origin"]) for m in listed] == clonazepam_replaced_by(str(path))


def test_user_clonazepam_from_the_environment(cli: Any, write_data: Any) -> None:
    path = write_data(medication("clonazepam", "Clonazepam", "[Klonopin]"))
    listed = list_json(cli, env={"CLONAFACTS_DATA": str(path)})
    assert [(m["id"], m["origin"]) for m in listed] == clonazepam_replaced_by(str(path))


def test_two_user_files_with_one_id(cli: Any, write_data: Any) -> None:
    first = write_data(medication(), "first.yaml")
    second = write_data(medication(), "second.yaml")
    result = cli("withdrawal", "--data", str(first), "--data", str(second))
    assert result.exit_code == 3
    assert result.stdout == ""
    lines = error_lines(result)
    assert lines == [f"Error: {second}:1:1: id 'examplazole' is already defined in {first}"]
    assert str(first) in lines[0]
    assert str(second) in lines[0]


def test_two_user_clonazepams_clash_too(cli: Any, write_data: Any) -> None:
    first = write_data(medication("clonazepam", "Clonazepam", "[Klonopin]"), "first.yaml")
    second = write_data(medication("clonazepam", "Clonazepam", "[Klonopin]"), "second.yaml")
    result = cli("list", "--data", str(first), "--data", str(second))
    assert result.exit_code == 3
    assert error_lines(result) == [
        f"Error: {second}:1:1: id 'clonazepam' is already defined in {first}"
    ]


@pytest.mark.parametrize(
    "how",
    ["data-twice", "folder-and-file", "environment-and-data"],
)
def test_the_same_file_reached_twice_is_loaded_once(cli: Any, fixture_data: Path, how: str) -> None:
    # Not a clash: "id 'examplazole' is already defined in X" reported at X itself is wrong.
    file = str(fixture_data / "examplazole.yaml")
    args, env = {
        "data-twice": (["--data", file, "--data", file], None),
        "folder-and-file": (["--data", str(fixture_data), "--data", file], None),
        "environment-and-data": (["--data", file], {"CLONAFACTS_DATA": str(fixture_data)}),
    }[how]
    result = cli("list", "--json", *args, env=env)
    assert result.exit_code == 0, result.stderr
    assert [m["id"] for m in json.loads(result.stdout)["medications"]] == [
        *SHIPPED,
        "examplazole",
    ]


@pytest.mark.parametrize("brand", ["Klonopin", "KLONOPIN", "klonopin"])
def test_user_brand_clashing_with_a_shipped_name(cli: Any, write_data: Any, brand: str) -> None:
    path = write_data(medication(brands=f"[Testorin, {brand}]"))
    result = cli("withdrawal", "--data", str(path))
    assert result.exit_code == 3
    assert error_lines(result) == [
        f"Error: {path}:3:20: the name {brand!r} is already used by medication 'clonazepam'"
    ]


def test_invalid_user_file_stops_lookups(cli: Any, write_data: Any) -> None:
    path = write_data(DEEP_TYPE_ERROR)
    result = cli("withdrawal", "--data", str(path))
    assert result.exit_code == 3
    assert error_lines(result) == [
        f"Error: {path}:16:9: sections.withdrawal.symptoms[1].name: expected text, got the number 5"
    ]


def test_missing_data_path(cli: Any, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")
    result = cli("list", "--data", missing)
    assert result.exit_code == 2  # checked as the option is parsed, like Click's own paths
    assert error_lines(result) == [
        f"Error: Invalid value for '--data': no such file or folder: '{missing}'",
        "Try 'clonafacts list --help' for help.",
    ]
    result = cli("list", env={"CLONAFACTS_DATA": missing})
    assert result.exit_code == 3
    assert error_lines(result) == [
        f"Error: {missing}: no such data file or folder (from CLONAFACTS_DATA)"
    ]


# --------------------------------------------------------------------------------------------
# clonafacts validate


def test_validate_with_no_arguments_checks_the_shipped_data(cli: Any) -> None:
    result = cli("validate")
    assert result.exit_code == 0
    assert result.stdout == f"checked {len(SHIPPED)} data files: all valid\n"
    assert result.stderr == ""


def test_validate_with_no_arguments_adds_environment_and_data(
    cli: Any, write_data: Any, fixture_data: Path
) -> None:
    from_env = write_data(medication("envzole", "Envzole", "[]"), "env.yaml")
    result = cli("validate", "--data", str(fixture_data), env={"CLONAFACTS_DATA": str(from_env)})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"checked {len(SHIPPED) + 2} data files: all valid\n"


def test_validate_with_no_arguments_reports_environment_problems(cli: Any, write_data: Any) -> None:
    bad = write_data(DEEP_TYPE_ERROR)
    result = cli("validate", env={"CLONAFACTS_DATA": str(bad)})
    assert result.exit_code == 1
    assert result.stdout == f"checked {len(SHIPPED) + 1} data files: 1 problem in 1 file\n"
    assert error_lines(result) == [
        f"{bad}:16:9: sections.withdrawal.symptoms[1].name: expected text, got the number 5"
    ]


def test_validate_with_paths_checks_only_those(
    cli: Any, write_data: Any, fixture_data: Path
) -> None:
    bad = write_data(DEEP_TYPE_ERROR)
    # Neither the environment's nor --data's files are checked when paths are given.
    result = cli(
        "validate",
        str(fixture_data / "examplazole.yaml"),
        "--data",
        str(bad),
        env={"CLONAFACTS_DATA": str(bad)},
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "checked 1 data file: all valid\n"


def test_validate_reports_every_problem_and_a_summary(
    cli: Any, tmp_path: Path, fixture_data: Path
) -> None:
    folder = tmp_path / "meds"
    folder.mkdir()
    (folder / "good.yaml").write_text(
        (fixture_data / "examplazole.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    bad = folder / "bad.yaml"
    bad.write_text(
        DEEP_TYPE_ERROR.replace("id: examplazole", "id: badazole")
        .replace("name: Examplazole", "name: Badazole")
        .replace("    summary: S\n", "    summary: S\n    colour: red\n")
        .replace("      - name: Jitters\n", "      - detail: no name here\n"),
        encoding="utf-8",
    )
    result = cli("validate", str(folder))
    assert result.exit_code == 1
    assert result.stdout == "checked 2 data files: 3 problems in 1 file\n"
    assert error_lines(result) == [
        f"{bad}:13:5: unknown key 'colour' in sections.withdrawal",
        f"{bad}:15:9: missing required key 'name' in sections.withdrawal.symptoms[0]",
        f"{bad}:17:9: sections.withdrawal.symptoms[1].name: expected text, got the number 5",
    ]


def test_validate_counts_problems_in_several_files(cli: Any, write_data: Any) -> None:
    one = write_data(CROSS, "one.yaml")
    two = write_data("- a list\n", "two.yaml")
    result = cli("validate", str(one), str(two))
    assert result.exit_code == 1
    assert result.stdout == "checked 2 data files: 2 problems in 2 files\n"
    assert error_lines(result) == [
        f"{one}:18:29: cites unknown source 'reveiw'; list it under sources",
        f"{two}:1:1: the top level must be a mapping (one medication), not a list",
    ]


def test_validate_finds_clashes_with_the_shipped_data(cli: Any, write_data: Any) -> None:
    path = write_data(medication(brands="[Klonopin]"))
    result = cli("validate", "--data", str(path))
    assert result.exit_code == 1
    assert result.stdout == f"checked {len(SHIPPED) + 1} data files: 1 problem in 1 file\n"
    assert error_lines(result) == [
        f"{path}:3:10: the name 'Klonopin' is already used by medication 'clonazepam'"
    ]


def test_validate_a_missing_path(cli: Any, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")
    result = cli("validate", missing)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert error_lines(result) == [
        f"Error: Invalid value for 'PATH': no such file or folder: '{missing}'",
        "Try 'clonafacts validate --help' for help.",
    ]


def test_validate_flags_a_folder_with_no_data(cli: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("validate", str(empty))
    assert result.exit_code == 1
    assert result.stderr == f"{empty}/: no .yaml or .yml files in this folder\n"
    assert result.stdout == "checked 0 data files: 1 problem in 1 file\n"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param(
            "year: 1850", "sources[0].year: must be at least 1900, not 1850", id="year-low"
        ),
        pytest.param(
            "year: 1.5",
            "sources[0].year: expected a whole number, got the number 1.5",
            id="year-float",
        ),
        pytest.param(
            "kind: blog",
            "sources[0].kind: must be one of 'overview', 'label', "
            "'safety-communication', 'trial', 'review', 'guideline', 'textbook' or "
            "'article', not 'blog'",
            id="kind",
        ),
    ],
)
def test_limit_messages_read_like_the_others(
    cli: Any, tmp_path: Path, fixture_data: Path, line: str, message: str
) -> None:
    text = (fixture_data / "examplazole.yaml").read_text(encoding="utf-8")
    key = line.split(":")[0]
    text = "\n".join(
        f"    {line}" if row.startswith(f"    {key}:") else row for row in text.splitlines()
    )
    path = tmp_path / "med.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].split(": ", 1)[1] == message


QUOTED = medication().replace(
    "        sources: [test-handbook]\n",
    "        sources: [test-handbook]\n"
    "        quotes:\n"
    "          - {source: test-handbook, text: Examplazole is imaginary.}\n",
)


def test_a_quote_from_a_cited_source_is_valid(cli: Any, write_data: Any) -> None:
    path = write_data(QUOTED)
    (risk,) = cli.json("withdrawal", "examplazole", "--data", str(path))["content"]["risks"]
    assert risk["quotes"] == [{"source": "test-handbook", "text": "Examplazole is imaginary."}]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param(
            ("source: test-handbook, text", "source: other-book, text"),
            "med.yaml:18:14: quotes 'other-book', which this entry does not cite",
            id="not-cited",
        ),
        pytest.param(
            (
                "text: Examplazole is imaginary.}",
                "text: Examplazole is imaginary.}\n"
                "          - {source: test-handbook, text: Again.}",
            ),
            "med.yaml:19:14: a second quote from 'test-handbook'; give one",
            id="two-from-one-source",
        ),
        pytest.param(
            ("text: Examplazole is imaginary.", "text: " + "x" * 301),
            "med.yaml:18:37: sections.withdrawal.risks[0].quotes[0].text: text is too long"
            " (301 characters; at most 300)",
            id="too-long",
        ),
    ],
)
def test_quote_problems_are_located(change: tuple[str, str], problem: str) -> None:
    assert problems_of(QUOTED.replace(*change)) == [problem]


def test_a_clash_in_a_known_file_gone_since_it_was_read_is_named_without_a_place(
    tmp_path: Path,
) -> None:
    """A known file keeps no bytes (see snapshot.read_all): to show where a clash found in it
    is, it is read again. If it has gone since, the problem still names the file and what is
    wrong, without a line."""
    from clonafacts.errors import DataError
    from clonafacts.facts import loading
    from clonafacts.store import snapshot
    from clonafacts.store.discovery import DataFile

    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(medication("alpha", "Alphazole", "[Sharedbrand]"), encoding="utf-8")
    second.write_text(medication("beta", "Betazole", "[Sharedbrand]"), encoding="utf-8")
    files = [DataFile(str(path), path.name, str(path)) for path in (first, second)]
    alone = snapshot.read_all(files[1:])
    (read,) = alone.files
    known = {(read.data_file.path, read.identity): loading.load_contents(alone).medications["beta"]}
    contents = snapshot.read_all(files, let_go=known)
    assert [item.raw is None for item in contents.files] == [False, True]
    second.unlink()
    with pytest.raises(DataError) as raised:
        loading.load_contents(contents, known)
    assert raised.value.problems == [
        Problem("b.yaml", "the name 'Sharedbrand' is already used by medication 'alpha'")
    ]
