"""Property tests: random data files and random command lines never crash the tool, and every
valid medication survives a trip through YAML unchanged.

Hypothesis runs many examples inside one test function, so function-scoped fixtures are not
reset between examples. The ones used here are safe to share: `cli` holds no state, and the
autouse environment isolation (a cache folder per test) is meant to persist across a test.
Files for each example go into a fresh temporary folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from clonafacts.facts import limits
from clonafacts.facts.models import Medication
from clonafacts.facts.names import name_problem, skeleton
from clonafacts.facts.validation import validate_document
from clonafacts.facts.yamlfile import parse

TESTS = Path(__file__).resolve().parent
EXAMPLAZOLE_PATH = TESTS / "fixtures" / "valid" / "examplazole.yaml"
EXAMPLAZOLE_TEXT = EXAMPLAZOLE_PATH.read_text(encoding="utf-8")
EXAMPLAZOLE: dict[str, Any] = yaml.safe_load(EXAMPLAZOLE_TEXT)

# `cli` and the autouse env isolation are function-scoped but safe to share across examples.
SHARED_FIXTURES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_no_crash(result: Any) -> None:
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert "Error: internal error" not in result.stderr
    assert "\x1b" not in result.stderr


def write_file(folder: Path, content: str | bytes) -> Path:
    path = folder / "random.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Random documents.

# Keys a data file really uses, so random documents also reach deep into the models.
REAL_KEYS = [
    "id", "name", "brands", "aliases", "drug_class", "schedules", "summary", "sources",
    "sections", "overview", "indications", "mechanism", "adjunctive", "withdrawal", "warnings",
    "pharmacokinetics", "title", "facts", "text", "key", "tags", "kind", "year", "url",
    "stop_warning", "symptoms", "detail", "conditions", "status", "chain", "stage",
    "parameters", "value", "jurisdiction", "schedule", "boxed_warning",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["clonazepam", "test-handbook", "textbook", "labelled", "2024-01-01"]),
)
keys = st.one_of(
    st.sampled_from(REAL_KEYS),
    st.text(max_size=12),
    st.integers(min_value=-5, max_value=5),
    st.none(),
    st.booleans(),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=25,
)


@st.composite
def yaml_texts(draw: st.DrawFn) -> str | bytes:
    """Text that is, or is close to, a YAML data file."""
    kind = draw(st.sampled_from(["dumped", "mutated", "text", "bytes"]))
    if kind == "dumped":
        document = draw(documents)
        if draw(st.booleans()):  # graft random data onto a real file
            document = {**EXAMPLAZOLE, draw(st.sampled_from(REAL_KEYS)): document}
        return yaml.safe_dump(
            document,
            allow_unicode=draw(st.booleans()),
            default_flow_style=draw(st.sampled_from([None, True, False])),
            sort_keys=False,
        )
    if kind == "mutated":  # a valid file with a random edit
        start = draw(st.integers(0, len(EXAMPLAZOLE_TEXT)))
        end = draw(st.integers(start, min(len(EXAMPLAZOLE_TEXT), start + 40)))
        inserted = draw(
            st.text(max_size=20) | st.sampled_from(["\t", ": ", "- ", "&a ", "*a", "!x "])
        )
        return EXAMPLAZOLE_TEXT[:start] + inserted + EXAMPLAZOLE_TEXT[end:]
    if kind == "text":  # anything at all, control characters included
        return draw(st.text(max_size=200))
    return draw(st.binary(max_size=200))


@SHARED_FIXTURES
@given(content=yaml_texts())
def test_random_documents_never_crash(cli: Any, tmp_path_factory: Any, content: Any) -> None:
    with tempfile.TemporaryDirectory(dir=tmp_path_factory.getbasetemp()) as folder:
        path = write_file(Path(folder), content)
        result = cli("validate", str(path))
        assert_no_crash(result)
        assert result.exit_code in (0, 1), result.stderr
        if result.exit_code == 1:
            assert result.stderr.startswith(str(path))
        result = cli("withdrawal", "--json", "--data", str(path))
        assert_no_crash(result)
        assert result.exit_code in (0, 3), result.stderr
        if result.exit_code == 3:
            assert result.stderr.startswith(f"Error: {path}")


# ---------------------------------------------------------------------------------------------
# Random command lines.

COMMANDS = [
    "overview", "indications", "mechanism", "adjunctive", "withdrawal", "warnings",
    "pharmacokinetics", "all", "search", "list", "sources", "validate", "schema", "bogus",
]  # fmt: skip
OPTIONS = [
    "--format", "-f", "--json", "--color", "--sources", "--data", "--drug", "--help", "-h",
    "--version", "--debug", "--", "-", "--nope", "-x",
]  # fmt: skip
VALUES = [
    "text", "json", "yaml", "markdown", "auto", "always", "never", "data", "output",
    "clonazepam", "Klonopin", "KLONOPIN", "examplazole", "seizure", "withdrawal",
    str(EXAMPLAZOLE_PATH), str(EXAMPLAZOLE_PATH.parent), "/nonexistent/data.yaml", "",
    " ", "x" * 100_000, "\x1b[31m", "\x07", "\x9b31m", "\u202egnp", "\x00",
]  # fmt: skip

arguments = st.lists(
    st.one_of(
        st.sampled_from(COMMANDS),
        st.sampled_from(OPTIONS),
        st.sampled_from(VALUES),
        st.text(max_size=20),
        st.text(min_size=300, max_size=2_000),
    ),
    max_size=6,
)


@pytest.fixture
def empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Random paths such as "." or "" must not find data in the test's working folder."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@SHARED_FIXTURES
@given(args=arguments)
def test_random_arguments_never_crash(cli: Any, empty_cwd: Path, args: list[str]) -> None:
    result = cli(*args)
    assert_no_crash(result)
    assert result.exit_code in (0, 1, 2, 3), (args, result.stderr)
    if result.exit_code == 2:
        assert result.stderr.startswith("Error: ")


@SHARED_FIXTURES
@given(command=st.sampled_from(COMMANDS[:-1]), args=arguments)
def test_random_arguments_after_a_command(
    cli: Any, empty_cwd: Path, command: str, args: list[str]
) -> None:
    result = cli(command, *args)
    assert_no_crash(result)
    assert result.exit_code in (0, 1, 2, 3), (command, args, result.stderr)


def run_console_script(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[Any, str, str]:
    """`clonafacts ARGS` in-process through the console script (its fast path included)."""
    import sys

    from clonafacts.__main__ import main

    capsys.readouterr()
    saved = sys.argv
    sys.argv = ["clonafacts", *args]
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code
    else:  # pragma: no cover - main always exits
        code = "returned"
    finally:
        sys.argv = saved
    out, err = capsys.readouterr()
    return code, out, err


LOOKUP_WORDS = [
    "withdrawal", "overview", "all", "--json", "--sources", "--format", "--format=yaml", "-f",
    "markdown", "JSON", "--color", "--color=never", "always", "klonopin", "Klonopin", "nope",
    "--data", "-", "--", "",
]  # fmt: skip


@SHARED_FIXTURES
@given(args=st.lists(st.sampled_from(LOOKUP_WORDS) | st.text(max_size=8), min_size=1, max_size=5))
def test_console_script_matches_the_cli(
    cli: Any, empty_cwd: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    """The console script's fast path answers exactly as the full CLI does, or defers to it."""
    code, out, err = run_console_script(args, capsys)
    result = cli(*args)
    assert "Traceback" not in out + err
    assert code == result.exit_code, (args, err, result.stderr)
    if "-h" in args or "--help" in args:
        return  # help is wrapped to the terminal, which the test runner fakes differently
    assert out == result.stdout
    assert err == result.stderr


# ---------------------------------------------------------------------------------------------
# Valid medications round-trip through YAML.

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def printable_text(max_size: int, newlines: bool = False) -> st.SearchStrategy[str]:
    """Text the models accept: no control characters (but newline, optionally), not blank."""
    characters = st.characters(exclude_categories=["Cs", "Cc"], exclude_characters=_BIDI)
    if newlines:
        characters = characters | st.just("\n")
    return st.text(characters, min_size=1, max_size=max_size).filter(lambda s: s.strip() != "")


slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)  # ids and tags
names = printable_text(limits.MAX_NAME_CHARS)
lines = printable_text(limits.MAX_LINE_CHARS)
fact_texts = printable_text(limits.MAX_FACT_CHARS, newlines=True)
urls = st.from_regex(r"https?://[a-z0-9.]{1,30}(/[A-Za-z0-9._~%-]{0,20}){0,4}", fullmatch=True)


@st.composite
def medications(draw: st.DrawFn) -> dict[str, Any]:
    """A valid medication: examplazole with names, texts, sources and facts varied."""
    source_ids = draw(st.lists(slugs, min_size=1, max_size=5, unique=True))
    cite = st.lists(st.sampled_from(source_ids), min_size=1, max_size=3, unique=True)

    def optional(strategy: st.SearchStrategy[Any]) -> Any:
        return draw(st.none() | strategy)

    sources = []
    for source_id in source_ids:
        source: dict[str, Any] = {
            "id": source_id,
            "title": draw(lines),
            "kind": draw(st.sampled_from(["label", "review", "trial", "textbook", "article"])),
        }
        for key, strategy in (
            ("authors", lines),
            ("year", st.integers(1900, 2100)),
            ("publication", lines),
            ("url", urls),
            ("locator", lines),
        ):
            value = optional(strategy)
            if value is not None:
                source[key] = value
        sources.append(source)

    def fact() -> dict[str, Any]:
        entry: dict[str, Any] = {"text": draw(fact_texts), "sources": draw(cite)}
        if draw(st.booleans()):
            entry["key"] = draw(st.booleans())
        if draw(st.booleans()):
            entry["tags"] = draw(st.lists(slugs, max_size=3))
        return entry

    def item() -> dict[str, Any]:
        entry: dict[str, Any] = {"name": draw(names), "sources": draw(cite)}
        if draw(st.booleans()):
            entry["detail"] = draw(lines)
        return entry

    # A medication's own names must not pass for others: no invisible characters, no
    # look-alike letters from another script, no two alike (facts/names.py).
    own_names = names.filter(lambda name: name_problem(name) is None)
    all_names = draw(st.lists(own_names, min_size=1, max_size=5))
    folded = [skeleton(name) for name in all_names]
    assume(len(set(folded)) == len(folded))
    split = draw(st.integers(1, len(all_names)))

    medication = dict(EXAMPLAZOLE)
    medication.update(
        id=draw(slugs),
        name=all_names[0],
        brands=all_names[1:split],
        aliases=all_names[split:],
        drug_class=draw(lines),
        summary=draw(lines),
        sources=sources,
        schedules=[
            {"jurisdiction": draw(names), "schedule": draw(names), "sources": draw(cite)}
            for _ in range(draw(st.integers(0, 2)))
        ],
    )
    sections: dict[str, Any] = {
        "overview": {
            "title": draw(names),
            "summary": draw(lines),
            "facts": [fact() for _ in range(draw(st.integers(1, 3)))],
        }
    }
    if draw(st.booleans()):
        sections["withdrawal"] = {
            "title": draw(names),
            "summary": draw(lines),
            "stop_warning": fact(),
            "symptoms": [item() for _ in range(draw(st.integers(0, 3)))],
            "safe_stopping": [fact() for _ in range(draw(st.integers(0, 2)))],
        }
    if draw(st.booleans()):
        sections["indications"] = {
            "title": draw(names),
            "summary": draw(lines),
            "conditions": [
                {
                    "name": draw(names),
                    "status": draw(st.sampled_from(["labelled", "adjunctive", "off-label"])),
                    "details": draw(st.lists(lines, max_size=2)),
                    "sources": draw(cite),
                }
                for _ in range(draw(st.integers(1, 2)))
            ],
        }
    if draw(st.booleans()):
        sections["pharmacokinetics"] = {
            "title": draw(names),
            "summary": draw(lines),
            "parameters": [
                {"name": draw(names), "value": draw(lines), "sources": draw(cite)}
                for _ in range(draw(st.integers(1, 2)))
            ],
        }
    medication["sections"] = sections
    return medication


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    original=medications(),
    allow_unicode=st.booleans(),
    flow=st.sampled_from([None, True, False]),
    width=st.sampled_from([80, 40, 1000]),
)
def test_valid_medications_round_trip(
    original: dict[str, Any], allow_unicode: bool, flow: bool | None, width: int
) -> None:
    expected = Medication.model_validate(original)
    text = yaml.safe_dump(
        original, allow_unicode=allow_unicode, default_flow_style=flow, width=width, sort_keys=False
    )
    document = parse(text, "generated.yaml")
    assert document.data == original
    medication, problems = validate_document(document)
    assert problems == []
    assert medication == expected
    dumped = medication.model_dump()
    assert Medication.model_validate(dumped) == medication
    assert Medication.model_validate(dumped).model_dump() == dumped
    assert Medication.model_validate_json(medication.model_dump_json()) == medication


def test_the_fixture_itself_round_trips() -> None:
    medication, problems = validate_document(parse(EXAMPLAZOLE_TEXT, "examplazole.yaml"))
    assert problems == []
    assert medication == Medication.model_validate(EXAMPLAZOLE)
