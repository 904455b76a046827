"""Bad data files: each is refused with a precise `path:line:col: message`, fast, and safely.

`tests/corpus/bad/` holds one small file per case; CORPUS below gives the exact lines each one
must produce. Cases that need big or platform-specific files (deep nesting, a file over the
size cap, symlink loops, folders, unreadable files) are generated into tmp_path.

For every case: `clonafacts validate FILE` exits 1 with the problems on stderr and a summary on
stdout; a lookup with `--data FILE` exits 3 with the same lines (as `Error: ...`); nothing prints
a traceback or a raw control byte; the run takes well under 2 s; and the shipped data is still
served afterwards.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SHIPPED, clonazepam_replaced_by

TESTS = Path(__file__).resolve().parent
CORPUS = TESTS / "corpus" / "bad"
EXAMPLAZOLE = TESTS / "fixtures" / "valid" / "examplazole.yaml"

HANG_GUARD = 2.0  # seconds; not a benchmark, just "did not hang or blow up"
ONE_PROBLEM = "checked 1 data file: 1 problem in 1 file"

# file name -> the exact lines `validate` prints on stderr, in order. Paths are as given on the
# command line (the tests run inside the corpus folder and pass bare file names).
CORPUS_CASES: dict[str, list[str]] = {
    "empty.yaml": ["empty.yaml: the file holds no data (it is empty or null)"],
    "comment-only.yaml": ["comment-only.yaml: the file holds no data (it is empty or null)"],
    "syntax-error.yaml": [
        "syntax-error.yaml:5:8: YAML syntax error: did not find expected ',' or ']'"
    ],
    "tab-indentation.yaml": [
        "tab-indentation.yaml:17:1: YAML syntax error: tab character; "
        "YAML is indented with spaces only"
    ],
    "top-level-scalar.yaml": [
        "top-level-scalar.yaml:2:1: the top level must be a mapping (one medication), not text"
    ],
    "top-level-list.yaml": [
        "top-level-list.yaml:2:1: the top level must be a mapping (one medication), not a list"
    ],
    "string-for-number.yaml": [
        "string-for-number.yaml:12:5: sources[0].year: expected a whole number, got text"
    ],
    "number-for-string.yaml": [
        "number-for-string.yaml:3:1: name: expected text, got the number 42"
    ],
    "mapping-for-list.yaml": ["mapping-for-list.yaml:4:1: brands: expected a list, got a mapping"],
    "null-required.yaml": ["null-required.yaml:7:1: summary: expected text, got null"],
    "missing-required-key.yaml": [
        "missing-required-key.yaml:2:1: missing required key 'drug_class'"
    ],
    "unknown-key-top.yaml": ["unknown-key-top.yaml:6:1: unknown key 'dosage'"],
    "unknown-key-section.yaml": [
        "unknown-key-section.yaml:28:5: unknown key 'notes' in sections.withdrawal"
    ],
    "unknown-key-fact.yaml": [
        "unknown-key-fact.yaml:26:9: unknown key 'comment' in sections.overview.facts[1]"
    ],
    "duplicate-key.yaml": ["duplicate-key.yaml:6:1: duplicate key 'name'"],
    "two-documents.yaml": [
        "two-documents.yaml:39:1: a data file holds exactly one YAML document; found a second one"
    ],
    "python-object-tag.yaml": [
        "python-object-tag.yaml:3:7: tag '!!python/object/apply:os.system' "
        "is not allowed in data files"
    ],
    "custom-tag.yaml": ["custom-tag.yaml:3:7: tag '!secret' is not allowed in data files"],
    "billion-laughs.yaml": [
        "billion-laughs.yaml:2:4: anchors (&name) are not supported in data files"
    ],
    "string-too-long.yaml": [
        "string-too-long.yaml:20:9: sections.overview.facts[0].text: "
        "text is too long (5,999 characters; at most 1,000)"
    ],
    "binary-nul.yaml": ["binary-nul.yaml:4:14: binary content (NUL byte); not a YAML file"],
    "invalid-utf8.yaml": ["invalid-utf8.yaml:4:14: not UTF-8: invalid byte 0xff"],
    "escape-sequence.yaml": [
        "escape-sequence.yaml:3:1: name: control character U+001B at position 1 is not allowed",
        "escape-sequence.yaml:27:5: sections.withdrawal.title: "
        "control character U+0007 at position 9 is not allowed",
    ],
    "raw-escape.yaml": ["raw-escape.yaml:3:7: control character U+001B is not allowed in YAML"],
    "raw-escape-after-unicode.yaml": [
        "raw-escape-after-unicode.yaml:3:18: control character U+001B is not allowed in YAML"
    ],
    "timestamp.yaml": [
        "timestamp.yaml:12:11: timestamp values are not supported; quote the value to make it text"
    ],
    "unknown-source.yaml": [
        "unknown-source.yaml:24:34: cites unknown source 'no-such-source'; list it under sources"
    ],
    "duplicate-source-id.yaml": [
        "duplicate-source-id.yaml:15:5: duplicate source id 'test-handbook'"
    ],
    "empty-section.yaml": ["empty-section.yaml:26:3: section 'warnings' is empty: give it facts"],
    "no-sections.yaml": [
        "no-sections.yaml:15:1: sections: a medication needs at least one section"
    ],
    # Several problems in one file are all reported, in the order they appear in the file.
    "three-unknown-keys.yaml": [
        "three-unknown-keys.yaml:6:1: unknown key 'dosage'",
        "three-unknown-keys.yaml:7:1: unknown key 'colour'",
        "three-unknown-keys.yaml:30:5: unknown key 'notes' in sections.withdrawal",
    ],
}

# Where the committed python-object-tag.yaml would leave its mark if it were ever constructed.
CORPUS_PWNED_MARKER = Path("/tmp/clonafacts-corpus-pwned")


def summary(problems: int, files: int = 1, checked: int = 1) -> str:
    def plural(count: int, word: str) -> str:
        return f"{count} {word}" + ("" if count == 1 else "s")

    return (
        f"checked {plural(checked, 'data file')}: {plural(problems, 'problem')} "
        f"in {plural(files, 'file')}"
    )


def timed(cli: Any, *args: str, env: dict[str, str] | None = None) -> Any:
    start = time.monotonic()
    result = cli(*args, env=env)
    elapsed = time.monotonic() - start
    assert elapsed < HANG_GUARD, f"{args!r} took {elapsed:.2f}s"
    return result


def assert_clean(result: Any) -> None:
    """No traceback and no raw terminal control byte in anything the tool printed."""
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
        assert "\x1b" not in stream
        assert "\x07" not in stream
        assert "\x00" not in stream


def check_refused(cli: Any, given: str, expected: list[str], checked: int = 1) -> None:
    """`validate` and a lookup both refuse `given` with exactly the `expected` problem lines:
    all of them at once, in file order, and nothing else."""
    result = timed(cli, "validate", given)
    assert_clean(result)
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == expected[0]
    assert lines == expected
    files = len({line.split(":", 1)[0] for line in expected})
    assert result.stdout == summary(len(expected), files, checked) + "\n"

    result = timed(cli, "withdrawal", "--data", given)
    assert_clean(result)
    assert result.exit_code == 3, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: " + expected[0]
    assert lines == ["Error: " + line for line in expected]

    still_served(cli)


def still_served(cli: Any) -> None:
    """The shipped data still answers once the bad file is out of the way."""
    result = timed(cli, "withdrawal", "--json")
    assert result.exit_code == 0, result.stderr
    assert '"id": "clonazepam"' in result.stdout
    assert_clean(result)


@pytest.fixture
def in_corpus(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(CORPUS)
    return CORPUS


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------------------------------------
# The committed corpus.


def test_corpus_table_lists_every_file() -> None:
    on_disk = {path.name for path in CORPUS.iterdir() if path.is_file()}
    assert on_disk == set(CORPUS_CASES)


@pytest.mark.parametrize(("name", "expected"), list(CORPUS_CASES.items()), ids=list(CORPUS_CASES))
def test_corpus_file_is_refused(cli: Any, in_corpus: Path, name: str, expected: list[str]) -> None:
    check_refused(cli, name, expected)


def test_problems_are_reported_in_file_order(cli: Any, in_corpus: Path) -> None:
    expected = CORPUS_CASES["three-unknown-keys.yaml"]
    result = cli("validate", "three-unknown-keys.yaml")
    assert result.stderr.splitlines() == expected
    result = cli("withdrawal", "--data", "three-unknown-keys.yaml")
    assert result.stderr.splitlines() == ["Error: " + line for line in expected]


def test_python_tag_in_corpus_runs_nothing(cli: Any, in_corpus: Path) -> None:
    CORPUS_PWNED_MARKER.unlink(missing_ok=True)
    cli("validate", "python-object-tag.yaml")
    cli("all", "--data", "python-object-tag.yaml")
    assert not CORPUS_PWNED_MARKER.exists()


def test_python_tag_runs_nothing(cli: Any, in_tmp: Path) -> None:
    marker = in_tmp / "pwned"
    for where, value in (
        ("name", f'!!python/object/apply:os.system ["touch {marker}"]'),
        ("drug_class", f'!!python/object/apply:subprocess.call [["touch", "{marker}"]]'),
        ("summary", f'!!python/object/new:os.system ["touch {marker}"]'),
    ):
        text = EXAMPLAZOLE.read_text().replace(f"\n{where}: ", f"\n{where}: {value}  # ", 1)
        (in_tmp / "evil.yaml").write_text(text)
        result = timed(cli, "validate", "evil.yaml")
        assert result.exit_code == 1
        assert "is not allowed in data files" in result.stderr.splitlines()[0]
        assert timed(cli, "withdrawal", "--data", "evil.yaml").exit_code == 3
        assert not marker.exists()


def test_escapes_never_reach_the_terminal(cli: Any, in_corpus: Path) -> None:
    for name in ("escape-sequence.yaml", "raw-escape.yaml"):
        for args in (("validate", name), ("withdrawal", "--data", name), ("list", "--data", name)):
            result = cli(*args)
            assert result.exit_code in (1, 3)
            assert_clean(result)
            assert "U+001B" in result.stderr


def test_the_shipped_data_itself_is_valid(cli: Any) -> None:
    result = timed(cli, "validate")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == f"checked {len(SHIPPED)} data files: all valid\n"


# ---------------------------------------------------------------------------------------------
# Generated files: too deep, too big, too many values.


@pytest.mark.parametrize(
    ("text", "position"),
    [
        pytest.param("- " * 5000 + "x\n", "1:65", id="block-lists"),
        pytest.param("{a: " * 5000 + "1" + "}" * 5000 + "\n", "1:129", id="flow-mappings"),
        pytest.param(
            "".join(" " * depth + "k:\n" for depth in range(1000)) + " " * 1000 + "v\n",
            "33:33",
            id="block-mappings",
        ),
        pytest.param("id: " + "[" * 40 + "]" * 40 + "\n", "1:36", id="forty-lists"),
    ],
)
def test_deep_nesting_is_refused(cli: Any, in_tmp: Path, text: str, position: str) -> None:
    (in_tmp / "deep.yaml").write_text(text)
    check_refused(cli, "deep.yaml", [f"deep.yaml:{position}: nested more than 32 levels deep"])


def test_thousands_of_flow_lists_fail_fast(cli: Any, in_tmp: Path) -> None:
    # libyaml gives up on its own at 1,000 levels of '[' before our depth check sees them, so
    # the message depends on the parser; what matters is a clean, fast, located refusal.
    (in_tmp / "deep.yaml").write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    for args, code in ((("validate", "deep.yaml"), 1), (("all", "--data", "deep.yaml"), 3)):
        result = timed(cli, *args)
        assert_clean(result)
        assert result.exit_code == code
        first = result.stderr.splitlines()[0].removeprefix("Error: ")
        assert first.startswith("deep.yaml:1:")
        assert "nest" in first
    still_served(cli)


def test_file_over_the_size_cap_is_refused_unread(cli: Any, in_tmp: Path) -> None:
    size = 2 * 1024 * 1024 + 1
    (in_tmp / "huge.yaml").write_text(("# padding\n" * (size // 10 + 1))[:size])
    check_refused(cli, "huge.yaml", ["huge.yaml: file is 2,097,153 bytes; the limit is 2,097,152"])


def test_file_at_the_size_cap_is_read(cli: Any, in_tmp: Path) -> None:
    text = EXAMPLAZOLE.read_text()
    padding = 2 * 1024 * 1024 - len(text.encode())
    (in_tmp / "big.yaml").write_text(text + "#" * (padding - 1) + "\n")
    assert (in_tmp / "big.yaml").stat().st_size == 2 * 1024 * 1024
    result = timed(cli, "validate", "big.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "checked 1 data file: all valid\n"


def test_too_many_values_are_refused(cli: Any, in_tmp: Path) -> None:
    (in_tmp / "many.yaml").write_text("brands: [" + "0," * 200_001 + "]\n")
    # The mapping, its key and the list count as values too: list entry 199,998 is the 200,001st.
    column = len("brands: [") + 2 * (199_998 - 1) + 1
    check_refused(cli, "many.yaml", [f"many.yaml:1:{column}: too many values (over 200,000)"])


def test_alias_bomb_fails_fast_whatever_its_size(cli: Any, in_tmp: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 30)]
    (in_tmp / "bomb.yaml").write_text("\n".join(lines) + "\n")
    check_refused(
        cli, "bomb.yaml", ["bomb.yaml:1:5: anchors (&name) are not supported in data files"]
    )


def test_alias_without_anchor_is_refused(cli: Any, in_tmp: Path) -> None:
    # An alias to an anchor YAML never saw is a parse error in libyaml, and refused either way.
    (in_tmp / "alias.yaml").write_text(EXAMPLAZOLE.read_text().replace("[Testorin]", "*brand"))
    result = timed(cli, "validate", "alias.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("alias.yaml:4:")
    assert_clean(result)


@pytest.mark.parametrize(
    "value", ["!!int abc", "!!float abc", "!!bool maybe", "!!int ''", "!!float 1.2.3"]
)
def test_standard_tag_with_an_impossible_value(cli: Any, in_tmp: Path, value: str) -> None:
    """`!!int abc` cannot be constructed: a located data error, not an internal error."""
    text = EXAMPLAZOLE.read_text().replace("name: Examplazole", f"name: {value}")
    (in_tmp / "tagged.yaml").write_text(text)
    for args, code in (
        (("validate", "tagged.yaml"), 1),
        (("withdrawal", "--data", "tagged.yaml"), 3),
    ):
        result = timed(cli, *args)
        assert_clean(result)
        assert "internal error" not in result.stderr
        assert result.exit_code == code, result.stderr
        first = result.stderr.splitlines()[0].removeprefix("Error: ")
        assert first.startswith("tagged.yaml:3:7: "), first


def test_control_characters_in_a_url_are_refused(cli: Any, in_tmp: Path) -> None:
    """A URL is text shown on the terminal too: no escapes, bells or bidi overrides in it."""
    url = r"https://example.org/\e[2J\e]0;pwned\x07\u202eevil"
    text = EXAMPLAZOLE.read_text().replace("    locator:", f'    url: "{url}"\n    locator:')
    (in_tmp / "url.yaml").write_text(text)
    result = timed(cli, "validate", "url.yaml")
    assert_clean(result)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith("url.yaml:14:5: sources[0].url: ")
    for args in (
        ["sources", "examplazole", "--data", "url.yaml"],
        ["overview", "examplazole", "--sources", "--data", "url.yaml"],
        ["sources", "examplazole", "--format", "markdown", "--data", "url.yaml"],
    ):
        result = timed(cli, *args)
        assert "\u202e" not in result.stdout
        assert_clean(result)
        assert result.exit_code == 3
        assert result.stderr.startswith("Error: url.yaml:14:5: sources[0].url: ")


def test_huge_string_is_refused(cli: Any, in_tmp: Path) -> None:
    text = EXAMPLAZOLE.read_text().replace("name: Examplazole", "name: " + "x" * 1_500_000)
    (in_tmp / "long.yaml").write_text(text)
    check_refused(
        cli,
        "long.yaml",
        ["long.yaml:3:1: name: text is too long (1,500,000 characters; at most 100)"],
    )


# ---------------------------------------------------------------------------------------------
# The file system: folders, links, permissions, missing paths.


def test_folder_given_to_validate_checks_its_files(cli: Any, in_tmp: Path) -> None:
    folder = in_tmp / "folder"
    folder.mkdir()
    shutil.copy(CORPUS / "unknown-key-top.yaml", folder / "a.yaml")
    shutil.copy(EXAMPLAZOLE, folder / "b.yml")
    (folder / "notes.txt").write_text("not data: ignored\n")
    (folder / ".hidden.yaml").write_text("ignored: [\n")
    result = timed(cli, "validate", "folder")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["folder/a.yaml:6:1: unknown key 'dosage'"]
    assert result.stdout == summary(1, 1, checked=2) + "\n"
    result = timed(cli, "withdrawal", "--data", "folder")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == ["Error: folder/a.yaml:6:1: unknown key 'dosage'"]
    still_served(cli)


def test_folder_named_like_a_data_file_inside_a_data_folder(cli: Any, in_tmp: Path) -> None:
    (in_tmp / "data" / "x.yaml").mkdir(parents=True)
    shutil.copy(EXAMPLAZOLE, in_tmp / "data" / "ok.yaml")
    check_refused(cli, "data", ["data/x.yaml: is a folder, not a data file"], checked=2)


@pytest.mark.parametrize("links", [["loop.yaml"], ["one.yaml", "two.yaml"]], ids=["self", "pair"])
def test_symlink_loop(cli: Any, in_tmp: Path, links: list[str]) -> None:
    for name, target in zip(links, [*links[1:], links[0]], strict=True):
        (in_tmp / name).symlink_to(target)
    check_refused(cli, links[0], [f"{links[0]}: cannot read: Too many levels of symbolic links"])


def test_dangling_symlink(cli: Any, in_tmp: Path) -> None:
    (in_tmp / "dangling.yaml").symlink_to("nowhere.yaml")
    check_refused(cli, "dangling.yaml", ["dangling.yaml: cannot read: No such file or directory"])


def test_device_is_not_a_data_file(cli: Any, in_tmp: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    (in_tmp / "zero.yaml").symlink_to("/dev/zero")
    check_refused(cli, "zero.yaml", ["zero.yaml: is not a regular file"])


def test_unreadable_file(cli: Any, write_data: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_data(EXAMPLAZOLE.read_text(), "secret.yaml")
    monkeypatch.chdir(path.parent)
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as root (or with CAP_DAC_OVERRIDE): a mode 000 file is readable")
    check_refused(cli, "secret.yaml", ["secret.yaml: cannot read: Permission denied"])


def test_missing_path(cli: Any, in_tmp: Path) -> None:
    result = timed(cli, "validate", "missing.yaml")
    assert_clean(result)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "Error: Invalid value for 'PATH': no such file or folder: 'missing.yaml'"
    )
    assert result.stdout == ""
    result = timed(cli, "withdrawal", "--data", "missing.yaml")
    assert_clean(result)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: Invalid value for '--data': no such file or folder: 'missing.yaml'",
        "Try 'clonafacts withdrawal --help' for help.",
    ]
    still_served(cli)


# ---------------------------------------------------------------------------------------------
# Several files together.


def test_a_broken_file_does_not_stop_the_others(cli: Any, in_tmp: Path) -> None:
    shutil.copy(CORPUS / "syntax-error.yaml", in_tmp / "a.yaml")
    shutil.copy(EXAMPLAZOLE, in_tmp / "b.yaml")
    shutil.copy(CORPUS / "unknown-key-fact.yaml", in_tmp / "c.yaml")
    expected = [
        "a.yaml:5:8: YAML syntax error: did not find expected ',' or ']'",
        "c.yaml:26:9: unknown key 'comment' in sections.overview.facts[1]",
    ]
    result = timed(cli, "validate", "a.yaml", "b.yaml", "c.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == expected
    assert result.stdout == summary(2, 2, checked=3) + "\n"
    # Folders, and the default (shipped + user data) report the same.
    (in_tmp / "sub").mkdir()
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        shutil.copy(in_tmp / name, in_tmp / "sub" / name)
    result = timed(cli, "validate", "sub")
    assert result.stderr.splitlines() == [f"sub/{line}" for line in expected]
    result = timed(cli, "validate", "--data", "a.yaml", "--data", "b.yaml", "--data", "c.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == expected
    assert result.stdout == summary(2, 2, checked=len(SHIPPED) + 3) + "\n"
    result = timed(cli, "withdrawal", "--data", "sub")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [f"Error: sub/{line}" for line in expected]


def test_many_broken_files_are_summarised_on_lookup(cli: Any, in_tmp: Path) -> None:
    for number in range(12):
        (in_tmp / f"bad{number:02}.yaml").write_text("")
    result = timed(cli, "list", "--data", str(in_tmp))
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 11
    assert (
        lines[0] == f"Error: {in_tmp / 'bad00.yaml'}: the file holds no data (it is empty or null)"
    )
    assert lines[-1] == "... and 2 more; run 'clonafacts validate' to see all"
    result = timed(cli, "validate", str(in_tmp))
    assert len(result.stderr.splitlines()) == 12
    assert result.stdout == summary(12, 12, checked=12) + "\n"


def replacement(text: str = "USER TEXT, the replaced entry.") -> str:
    """A user's file that takes over the shipped clonazepam id."""
    return (
        EXAMPLAZOLE.read_text()
        .replace("id: examplazole", "id: clonazepam")
        .replace("name: Examplazole", "name: Clonazepam")
        .replace("Stopping the fictional compound is a test of the warning panel.", text)
    )


def test_user_file_with_a_shipped_id_replaces_it(cli: Any, in_tmp: Path) -> None:
    (in_tmp / "mine.yaml").write_text(replacement())
    for env in ({}, {"CLONAFACTS_DATA": "mine.yaml"}):
        args = () if env else ("--data", "mine.yaml")
        document = cli.json("withdrawal", *args, env=env)
        assert document["content"]["stop_warning"]["text"] == "USER TEXT, the replaced entry."
        assert document["medication"]["brands"] == ["Testorin"]
        listing = cli.json("list", *args, env=env)
        assert [(m["id"], m["origin"]) for m in listing["medications"]] == clonazepam_replaced_by(
            "mine.yaml"
        )
        result = cli("withdrawal", "--color", "never", *args, env=env)
        assert "USER TEXT, the replaced entry." in result.stdout
        assert cli("validate", *args, env=env).exit_code == 0
    # Without it, the shipped entry is back.
    assert cli.json("list")["medications"][0]["origin"] == "shipped"


def test_two_user_files_with_one_id_name_both(cli: Any, in_tmp: Path) -> None:
    (in_tmp / "first.yaml").write_text(replacement("First."))
    (in_tmp / "second.yaml").write_text(replacement("Second."))
    expected = "second.yaml:2:1: id 'clonazepam' is already defined in first.yaml"
    result = timed(cli, "withdrawal", "--data", "first.yaml", "--data", "second.yaml")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == ["Error: " + expected]
    result = timed(cli, "validate", "--data", "first.yaml", "--data", "second.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [expected]
    # One from the environment, one from --data: the same, in load order.
    result = timed(
        cli, "withdrawal", "--data", "second.yaml", env={"CLONAFACTS_DATA": "first.yaml"}
    )
    assert result.exit_code == 3
    assert result.stderr.splitlines() == ["Error: " + expected]
    # A fictional id clashing between two user files: both named too.
    shutil.copy(EXAMPLAZOLE, in_tmp / "ex1.yaml")
    shutil.copy(EXAMPLAZOLE, in_tmp / "ex2.yaml")
    result = timed(cli, "validate", "ex1.yaml", "ex2.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "ex2.yaml:2:1: id 'examplazole' is already defined in ex1.yaml"
    ]


def test_user_file_taking_a_shipped_name_is_refused(cli: Any, in_tmp: Path) -> None:
    (in_tmp / "clash.yaml").write_text(EXAMPLAZOLE.read_text().replace("[Testorin]", "[Klonopin]"))
    expected = "clash.yaml:4:10: the name 'Klonopin' is already used by medication 'clonazepam'"
    result = timed(cli, "withdrawal", "--data", "clash.yaml")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == ["Error: " + expected]
    result = timed(cli, "validate", "--data", "clash.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [expected]
    assert result.stdout == summary(1, 1, checked=len(SHIPPED) + 1) + "\n"
