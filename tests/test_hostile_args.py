"""Hostile command lines and environments: clean usage errors, escaped echoes, and a cache that
can be missing, unwritable or garbled without changing any answer.

Usage errors exit 2 with `Error: ...` naming what is wrong on the first stderr line; an echo of
a bad argument is escaped (never a raw control byte). Bad data paths from CLONAFACTS_DATA exit
3 and name the path. The cache is only ever a shortcut: whatever state it is in, the output
equals a run without it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SHIPPED

from clonafacts.errors import printable

TESTS = Path(__file__).resolve().parent
EXAMPLAZOLE = TESTS / "fixtures" / "valid" / "examplazole.yaml"

LONG = "x" * 100_000
CONTROL = ["\x1b[31m", "\x07", "\x9b31m", "\u202e", "\x00"]
CONTROL_IDS = ["esc", "bel", "csi", "bidi", "nul"]
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\x00")

# How usage errors name the free-text parameters.
DRUG = "'DRUG'"
WORD = "'WORD'"


def assert_clean(result: Any) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
        for char in RAW_CONTROLS:
            assert char not in stream, f"raw {char!r} in output"
    assert "Error: internal error" not in result.stderr


def usage_error(cli: Any, *args: str, env: dict[str, str] | None = None) -> list[str]:
    """Run; expect a clean usage error; return the stderr lines."""
    result = cli(*args, env=env)
    assert_clean(result)
    assert result.exit_code == 2, (args, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: "), lines
    return lines


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------------------------------------
# Unknown commands and options, missing values.


@pytest.mark.parametrize(
    ("args", "first", "hint"),
    [
        (["frobnicate"], "Error: no command 'frobnicate'", "clonafacts"),
        (["withdrawal", "--frob"], "Error: No such option: --frob", "clonafacts withdrawal"),
        (["--frob"], "Error: No such option: --frob", "clonafacts"),
        (["list", "-z"], "Error: No such option: -z", "clonafacts list"),
        (["search"], f"Error: Missing argument {WORD}.", "clonafacts search"),
        (
            ["withdrawal", "clonazepam", "extra"],
            "Error: Got unexpected extra argument(s) (extra)",
            "clonafacts withdrawal",
        ),
        (
            ["list", "clonazepam", "extra"],
            "Error: Got unexpected extra argument(s) (extra)",
            "clonafacts list",
        ),
    ],
)
def test_unknown_and_missing(cli: Any, args: list[str], first: str, hint: str) -> None:
    lines = usage_error(cli, *args)
    assert lines[0] == first
    assert lines[1:] == [f"Try '{hint} --help' for help."]


def test_missing_choice_lists_the_choices_readably(cli: Any) -> None:
    # Click's own message has a newline and tabs; they are layout, not hostile input, and
    # must not come out as \x0a and \x09.
    lines = usage_error(cli, "schema")
    assert lines[0] == "Error: Missing argument 'KIND'. Choose from: data, output"
    text = "\n".join(lines)
    assert "data" in text
    assert "output" in text
    assert "\\x0a" not in text
    assert "\\x09" not in text


@pytest.mark.parametrize(
    "args",
    [
        ["withdrawal", "--format"],
        ["withdrawal", "-f"],
        ["all", "--color"],
        ["list", "--data"],
        ["search", "x", "--drug"],
    ],
)
def test_option_without_its_value(cli: Any, args: list[str]) -> None:
    lines = usage_error(cli, *args)
    assert lines == [
        f"Error: Option '{args[-1]}' requires an argument.",
        f"Try 'clonafacts {args[0]} --help' for help.",
    ]


@pytest.mark.parametrize(
    ("args", "option", "choices"),
    [
        (
            ["withdrawal", "--format", "pdf"],
            "'--format' / '-f'",
            "'text', 'json', 'yaml', 'markdown'",
        ),
        (["list", "-f", "HTML"], "'--format' / '-f'", "'text', 'json', 'yaml', 'markdown'"),
        (["all", "--color", "purple"], "'--color'", "'auto', 'always', 'never'"),
        (["schema", "xml"], "'KIND'", "'data', 'output'"),
    ],
)
def test_invalid_choice(cli: Any, args: list[str], option: str, choices: str) -> None:
    lines = usage_error(cli, *args)
    assert lines[0].startswith(f"Error: Invalid value for {option}: ")
    assert f"'{args[-1]}' is not one of {choices}." in lines[0]


def test_choices_are_case_insensitive_where_documented(cli: Any) -> None:
    assert cli("withdrawal", "--format", "JSON").exit_code == 0


# ---------------------------------------------------------------------------------------------
# Empty, huge and control-character arguments.


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["withdrawal", ""], DRUG),
        (["withdrawal", "   "], DRUG),
        (["sources", ""], DRUG),
        (["search", ""], WORD),
        (["search", "seizure", " "], WORD),
        (["search", "seizure", "--drug", ""], "'--drug'"),
    ],
)
def test_empty_text_arguments(cli: Any, args: list[str], what: str) -> None:
    lines = usage_error(cli, *args)
    assert lines[0] == f"Error: Invalid value for {what}: must not be empty"


@pytest.mark.parametrize(
    "args",
    [["withdrawal", "--format", ""], ["withdrawal", "--color", ""], ["schema", ""]],
)
def test_empty_choice(cli: Any, args: list[str]) -> None:
    lines = usage_error(cli, *args)
    assert "'' is not one of" in lines[0]


@pytest.mark.parametrize(
    "args",
    [["withdrawal", "--data", ""], ["validate", ""], ["validate", "--data", ""]],
)
def test_empty_path_is_a_usage_error_not_the_current_folder(
    cli: Any, in_tmp: Path, args: list[str]
) -> None:
    # An empty path would otherwise mean "." and load whatever the working folder holds.
    (in_tmp / "stray.yaml").write_text("not: [valid\n")
    lines = usage_error(cli, *args)
    assert "stray.yaml" not in "\n".join(lines)
    assert "empty" in lines[0]


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["withdrawal", LONG], DRUG),
        (["search", LONG], WORD),
        (["search", "seizure", "--drug", LONG], "'--drug'"),
    ],
)
def test_huge_text_argument(cli: Any, args: list[str], what: str) -> None:
    lines = usage_error(cli, *args)
    assert lines[0] == (
        f"Error: Invalid value for {what}: is too long (100,000 characters; at most 200)"
    )
    assert len("\n".join(lines)) < 500  # not echoed back


@pytest.mark.parametrize(
    "args", [["withdrawal", "--format", LONG], [LONG], ["withdrawal", f"--{LONG}"]]
)
def test_huge_word_in_place_of_a_choice_or_command(cli: Any, args: list[str]) -> None:
    usage_error(cli, *args)


@pytest.mark.parametrize(
    ("args", "code"), [(["withdrawal", "--data", LONG], 3), (["validate", LONG], 1)]
)
def test_huge_path(cli: Any, args: list[str], code: int) -> None:
    """A path too long for the OS is a clean, one-line refusal (a usage or a data error)."""
    result = cli(*args)
    assert_clean(result)
    assert result.exit_code in (2, code)
    lines = result.stderr.splitlines()
    assert len(lines) <= 2  # the error, and for a usage error the hint
    assert lines[0].startswith("Error: ") or result.exit_code == 1


@pytest.mark.parametrize("bad", CONTROL, ids=CONTROL_IDS)
@pytest.mark.parametrize(
    ("prefix", "what"),
    [
        (["withdrawal"], DRUG),
        (["search"], WORD),
        (["search", "x", "--drug"], "'--drug'"),
    ],
)
def test_control_characters_in_text_arguments(
    cli: Any, bad: str, prefix: list[str], what: str
) -> None:
    lines = usage_error(cli, *prefix, f"a{bad}b")
    # Escaped once, the way a reader would type it: 'a\x1b[31mb', not 'a\\x1b[31mb'.
    assert lines[0] == (
        f"Error: Invalid value for {what}: contains a control character: 'a{printable(bad)}b'"
    )


@pytest.mark.parametrize("bad", CONTROL, ids=CONTROL_IDS)
def test_control_characters_elsewhere_are_escaped(cli: Any, in_tmp: Path, bad: str) -> None:
    escaped = printable(bad)
    assert usage_error(cli, bad)[0] == f"Error: no command {bad!r}"
    assert usage_error(cli, "all", f"--{bad}")[0] == f"Error: No such option: --{escaped}"
    assert f"'{escaped}' is not one of" in usage_error(cli, "all", "--format", bad)[0]
    assert f"'{escaped}' is not one of" in usage_error(cli, "schema", bad)[0]
    assert usage_error(cli, "withdrawal", "--data", bad)[0] == (
        f"Error: Invalid value for '--data': no such file or folder: '{escaped}'"
    )
    assert usage_error(cli, "validate", bad)[0] == (
        f"Error: Invalid value for 'PATH': no such file or folder: '{escaped}'"
    )


def test_control_characters_in_a_data_path_from_the_environment(cli: Any, in_tmp: Path) -> None:
    result = cli("withdrawal", env={"CLONAFACTS_DATA": "\x1b]0;title\x07.yaml"})
    assert_clean(result)
    assert result.exit_code == 3
    assert result.stderr == (
        "Error: \\x1b]0;title\\x07.yaml: no such data file or folder (from CLONAFACTS_DATA)\n"
    )


# ---------------------------------------------------------------------------------------------
# CLONAFACTS_DATA.


def test_data_env_missing_path(cli: Any, in_tmp: Path) -> None:
    missing = in_tmp / "gone" / "data.yaml"
    result = cli("withdrawal", env={"CLONAFACTS_DATA": str(missing)})
    assert_clean(result)
    assert result.exit_code == 3
    assert (
        result.stderr == f"Error: {missing}: no such data file or folder (from CLONAFACTS_DATA)\n"
    )
    result = cli("validate", env={"CLONAFACTS_DATA": str(missing)})
    assert result.exit_code == 1
    assert result.stderr == f"{missing}: no such data file or folder (from CLONAFACTS_DATA)\n"


@pytest.mark.parametrize(
    ("garbage", "message"),
    [
        (bytes(range(256)) * 4, ":1:1: binary content (NUL byte); not a YAML file"),
        (b"ELF\x7f\xff\xfe\x01" * 64, ":1:5: not UTF-8: invalid byte 0xff"),
        (b"\x1b[2J\x1b]0;pwned\x07", ":1:1: control character U+001B is not allowed in YAML"),
    ],
    ids=["nul", "not-utf8", "escapes"],
)
def test_data_env_garbage_file(cli: Any, in_tmp: Path, garbage: bytes, message: str) -> None:
    path = in_tmp / "garbage.bin"
    path.write_bytes(garbage)
    for args in (["withdrawal"], ["list", "--json"], ["search", "seizure"]):
        result = cli(*args, env={"CLONAFACTS_DATA": str(path)})
        assert_clean(result)
        assert result.exit_code == 3, result.stderr
        assert result.stderr.splitlines() == [f"Error: {path}{message}"]


def test_data_env_garbage_in_a_folder(cli: Any, in_tmp: Path) -> None:
    (in_tmp / "folder").mkdir()
    (in_tmp / "folder" / "junk.yaml").write_bytes(os.urandom(64) + b"\x00")
    result = cli("withdrawal", env={"CLONAFACTS_DATA": "folder"})
    assert_clean(result)
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: folder/junk.yaml:")


@pytest.mark.parametrize("value", [":", "::", " : ", "", os.pathsep * 5])
def test_data_env_empty_components_are_ignored(cli: Any, in_tmp: Path, value: str) -> None:
    (in_tmp / "stray.yaml").write_text("not: [valid\n")  # what "." would find
    clean = cli.json("withdrawal")
    assert cli.json("withdrawal", env={"CLONAFACTS_DATA": value}) == clean
    result = cli("validate", env={"CLONAFACTS_DATA": value})
    assert result.exit_code == 0
    assert result.stdout == f"checked {len(SHIPPED)} data files: all valid\n"


def test_data_env_empty_components_around_a_real_one(cli: Any, in_tmp: Path) -> None:
    shutil.copy(EXAMPLAZOLE, in_tmp / "ex.yaml")
    env = {"CLONAFACTS_DATA": f"{os.pathsep}ex.yaml{os.pathsep}{os.pathsep}"}
    assert cli.json("overview", "Testorin", env=env)["medication"]["id"] == "examplazole"
    listing = cli.json("list", env=env)
    assert [m["origin"] for m in listing["medications"]] == [*["shipped"] * len(SHIPPED), "ex.yaml"]


# ---------------------------------------------------------------------------------------------
# The cache: unwritable, garbled, stale.

LOOKUPS = [
    ["withdrawal"],
    ["all", "Klonopin"],
    ["list"],
    ["search", "seizure"],
    ["sources"],
    ["overview", "examplazole"],
]


def answers(cli: Any, env: dict[str, str] | None = None) -> list[Any]:
    """The JSON output of several lookups (shipped data plus examplazole)."""
    out = []
    for args in LOOKUPS:
        result = cli(*args, "--json", "--data", str(EXAMPLAZOLE), env=env)
        assert_clean(result)
        assert result.exit_code == 0, (args, result.stderr)
        out.append(json.loads(result.stdout))
    return out


@pytest.fixture
def uncached(cli: Any) -> list[Any]:
    return answers(cli, env={"CLONAFACTS_NO_CACHE": "1"})


def test_cache_dir_under_a_regular_file(cli: Any, in_tmp: Path, uncached: list[Any]) -> None:
    (in_tmp / "somefile").write_text("I am a file\n")
    for target in ("somefile/cache", "somefile"):
        env = {"CLONAFACTS_CACHE_DIR": str(in_tmp / target)}
        assert answers(cli, env) == uncached
        assert answers(cli, env) == uncached
    assert (in_tmp / "somefile").read_text() == "I am a file\n"


def test_cache_dir_read_only(cli: Any, in_tmp: Path, uncached: list[Any]) -> None:
    folder = in_tmp / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        env = {"CLONAFACTS_CACHE_DIR": str(folder)}
        assert answers(cli, env) == uncached
        assert answers(cli, env) == uncached
    finally:
        folder.chmod(0o755)


def test_cache_dir_is_a_symlink_loop(cli: Any, in_tmp: Path, uncached: list[Any]) -> None:
    (in_tmp / "loop").symlink_to("loop")
    env = {"CLONAFACTS_CACHE_DIR": str(in_tmp / "loop")}
    assert answers(cli, env) == uncached


def _truncate_to(fraction: float) -> Callable[[Path], None]:
    def garble(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])

    return garble


def _truncate_last_byte(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-1])


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _flip(where: float) -> Callable[[Path], None]:
    def garble(path: Path) -> None:
        data = bytearray(path.read_bytes())
        index = min(int(len(data) * where), len(data) - 1)
        data[index] ^= 0x55
        path.write_bytes(bytes(data))

    return garble


def _append_junk(path: Path) -> None:
    with path.open("ab") as handle:
        handle.write(b"\x00junk" * 100)


def _pragma(name: str, value: int) -> Callable[[Path], None]:
    """A well-formed SQLite file that is not (or no longer) our store."""

    def garble(path: Path) -> None:
        import sqlite3

        connection = sqlite3.connect(path)
        connection.execute(f"PRAGMA {name} = {value}")
        connection.close()

    return garble


def _rewrite_section_text(path: Path) -> None:
    """A fact changed inside the store behind the data's back (the row's checksum is kept)."""
    import sqlite3

    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE sections SET body = replace(body, 'Do not', 'Go on and')")
    connection.close()


def _to_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside").write_text("x")


def _to_dev_zero(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def _to_loop(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.name)


GARBLES: dict[str, Callable[[Path], None]] = {
    "empty": _truncate_to(0),
    "truncated-10pc": _truncate_to(0.1),
    "truncated-half": _truncate_to(0.5),
    "last-byte-lost": _truncate_last_byte,
    "random-bytes": _random_bytes,
    "flip-in-header": _flip(0.01),
    "flip-middle": _flip(0.5),
    "flip-end": _flip(1.0),
    **{f"flip-at-{pc}pc": _flip(pc / 100) for pc in (5, 20, 35, 50, 65, 80, 95)},
    "junk-appended": _append_junk,
    "another-application-id": _pragma("application_id", 1234),
    "another-schema-version": _pragma("user_version", 99),
    "fact-rewritten-in-place": _rewrite_section_text,
    "replaced-by-folder": _to_folder,
    "replaced-by-dev-zero": _to_dev_zero,
    "replaced-by-link-loop": _to_loop,
}


@pytest.mark.parametrize("garble", list(GARBLES.values()), ids=list(GARBLES))
def test_garbled_cache_is_rebuilt(
    cli: Any, in_tmp: Path, uncached: list[Any], garble: Callable[[Path], None]
) -> None:
    folder = in_tmp / "cache"
    env = {"CLONAFACTS_CACHE_DIR": str(folder)}
    assert answers(cli, env) == uncached  # creates the cache
    cached = [path for path in folder.iterdir() if path.is_file()]
    assert cached, "the first run should have written a cache file"
    for path in cached:
        garble(path)
    assert answers(cli, env) == uncached  # reads the garbled cache, rebuilds it
    assert answers(cli, env) == uncached  # reads the rebuilt one


def test_every_cache_file_truncated_at_every_length(
    cli: Any, in_tmp: Path, uncached: list[Any]
) -> None:
    """A cache file cut anywhere (a crash mid-write, a full disk) is never trusted."""
    folder = in_tmp / "cache"
    env = {"CLONAFACTS_CACHE_DIR": str(folder)}
    answers(cli, env)
    [path] = list(folder.glob("store-*.sqlite3"))
    whole = path.read_bytes()
    expected = uncached[0]
    for length in sorted({*range(0, 64), *range(0, len(whole), max(1, len(whole) // 40))}):
        path.write_bytes(whole[:length])
        result = cli("withdrawal", "--json", "--data", str(EXAMPLAZOLE), env=env)
        assert result.exit_code == 0, (length, result.stderr)
        assert json.loads(result.stdout) == expected, length


def test_cache_notices_a_same_size_edit_with_the_mtime_put_back(cli: Any, in_tmp: Path) -> None:
    """An edit that keeps the size, inode and mtime (rsync -t --inplace, touch -r) is still seen."""
    path = in_tmp / "ex.yaml"
    path.write_text(EXAMPLAZOLE.read_text())
    before = path.stat()
    first = cli.json("overview", "examplazole", "--data", "ex.yaml")
    assert first["content"]["facts"][0]["text"] == "Examplazole exists only in this test suite."
    path.write_text(EXAMPLAZOLE.read_text().replace("only in this", "only in that"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    second = cli.json("overview", "examplazole", "--data", "ex.yaml")
    assert second["content"]["facts"][0]["text"] == "Examplazole exists only in that test suite."


def test_no_cache_env_writes_nothing(cli: Any, in_tmp: Path, uncached: list[Any]) -> None:
    folder = in_tmp / "cache"
    env = {"CLONAFACTS_CACHE_DIR": str(folder), "CLONAFACTS_NO_CACHE": "1"}
    assert answers(cli, env) == uncached
    assert not folder.exists()
