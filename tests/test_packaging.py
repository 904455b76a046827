"""The installed package, not only the source tree: the wheel, the entry points, the data.

CI installs the project non-editable (`pip install '.[test]'`), so there these tests see the
package in site-packages; in local development (an editable install) the test that needs an
installed copy is skipped.
"""

from __future__ import annotations

import configparser
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import clonafacts
from clonafacts.store.discovery import shipped_data_dir

REPO = Path(__file__).resolve().parents[1]
SHIPPED_YAML = REPO / "data" / "clonazepam.yaml"
README = REPO / "README.md"
CI_SCRIPT = REPO / ".ci" / "run"
TIMEOUT = 120  # seconds for any one subprocess

SHELL_FENCES = {"", "sh", "bash", "shell", "console", "shell-session", "zsh"}


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )


def imported_from_source_tree() -> bool:
    """True when `clonafacts` is the repository's src/ (an editable install), not a copy."""
    return (REPO / "src") in Path(clonafacts.__file__).resolve().parents


# --------------------------------------------------------------------------------------------
# The wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    """The project's wheel, built once for the module: no dependencies, no isolated build env."""
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip(
            "hatchling is not importable, so the wheel cannot be built offline "
            "(--no-build-isolation); add hatchling to the 'test' extras"
        )
    out = tmp_path_factory.mktemp("wheel")
    result = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--quiet",
        "-w",
        out,
        REPO,
        cwd=out,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = sorted(out.glob("clonafacts-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as archive:
        yield archive


def test_wheel_ships_the_data_byte_identical(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert "clonafacts/data/clonazepam.yaml" in names
    assert wheel.read("clonafacts/data/clonazepam.yaml") == SHIPPED_YAML.read_bytes()
    shipped = sorted(
        name for name in names if name.startswith("clonafacts/data/") and not name.endswith("/")
    )
    expected = sorted(
        f"clonafacts/data/{path.name}"
        for path in (REPO / "data").iterdir()
        if path.suffix in (".yaml", ".yml")
    )
    assert shipped == expected


def test_wheel_holds_the_package_and_not_the_tests(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert "clonafacts/__init__.py" in names
    assert "clonafacts/__main__.py" in names
    for package in ("cli", "facts", "store", "render"):
        assert f"clonafacts/{package}/__init__.py" in names
    assert "clonafacts/api.py" in names
    assert "clonafacts/py.typed" in names
    assert not [name for name in names if name.startswith(("tests/", "src/", "data/"))]
    # The man page goes where pip puts data files: <prefix>/share/man/man1.
    (dist_data,) = {name.split("/")[0] for name in names if ".data/" in name}
    assert f"{dist_data}/data/share/man/man1/clonafacts.1" in names


def test_wheel_console_script_and_version(wheel: zipfile.ZipFile) -> None:
    dist_info = {name.split("/")[0] for name in wheel.namelist() if ".dist-info/" in name}
    assert dist_info == {f"clonafacts-{clonafacts.__version__}.dist-info"}
    (folder,) = dist_info
    entry_points = configparser.ConfigParser()
    entry_points.read_string(wheel.read(f"{folder}/entry_points.txt").decode("utf-8"))
    assert dict(entry_points["console_scripts"]) == {"clonafacts": "clonafacts.__main__:main"}
    metadata = wheel.read(f"{folder}/METADATA").decode("utf-8")
    assert "Name: clonafacts\n" in metadata
    assert f"Version: {clonafacts.__version__}\n" in metadata


# --------------------------------------------------------------------------------------------
# Running the installed program from anywhere


def _check_withdrawal_json(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["kind"] == "section"
    assert document["section"] == "withdrawal"
    assert document["medication"]["id"] == "clonazepam"
    assert document["content"]["symptoms"]


def test_module_runs_from_another_directory(tmp_path: Path) -> None:
    result = run(sys.executable, "-m", "clonafacts", "withdrawal", "--json", cwd=tmp_path)
    _check_withdrawal_json(result)


def test_console_script_runs_from_another_directory(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    scripts = [bin_dir / "clonafacts", bin_dir / "clonafacts.exe"]
    script = next((path for path in scripts if path.exists()), None)
    if script is None:
        pytest.skip(f"no clonafacts console script beside {sys.executable}")
    _check_withdrawal_json(run(script, "withdrawal", "--json", cwd=tmp_path))


def test_version_matches_the_metadata(tmp_path: Path) -> None:
    result = run(sys.executable, "-m", "clonafacts", "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    installed = importlib.metadata.version("clonafacts")
    assert installed == clonafacts.__version__
    assert result.stdout == f"clonafacts {installed}\n"


def test_shipped_data_dir_is_inside_the_installed_package() -> None:
    if imported_from_source_tree():
        pytest.skip(
            "clonafacts is imported from the source tree (editable install); "
            "a non-editable install (as in CI) runs this test"
        )
    package = Path(clonafacts.__file__).resolve().parent
    data_dir = shipped_data_dir().resolve()
    assert data_dir == package / "data"
    assert (data_dir / "clonazepam.yaml").read_bytes() == SHIPPED_YAML.read_bytes()


def test_shipped_data_dir_holds_the_shipped_data() -> None:
    # Either way (installed or source tree) the shipped data is found and is the repo's.
    assert (shipped_data_dir() / "clonazepam.yaml").read_bytes() == SHIPPED_YAML.read_bytes()


# --------------------------------------------------------------------------------------------
# The README's quick start is what CI runs


def _quick_start() -> str:
    text = README.read_text(encoding="utf-8")
    heading = re.search(r"^(#+)[ \t]*Quick start[ \t]*#*[ \t]*$", text, re.MULTILINE | re.I)
    assert heading is not None, "README.md has no 'Quick start' heading"
    level = len(heading.group(1))
    rest = text[heading.end() :]
    following = re.search(rf"^#{{1,{level}}}[ \t]", rest, re.MULTILINE)
    return rest if following is None else rest[: following.start()]


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(info string, commands) of each fenced block; a leading '$ ' prompt is dropped."""
    blocks = []
    for match in re.finditer(r"^(```|~~~)[ \t]*([^\n`]*)\n(.*?)^\1[ \t]*$", text, re.M | re.S):
        lines = [line.removeprefix("$ ").rstrip() for line in match.group(3).splitlines()]
        blocks.append((match.group(2).strip().lower(), "\n".join(line for line in lines if line)))
    return blocks


def test_readme_quick_start_has_two_shell_commands() -> None:
    blocks = _fenced_blocks(_quick_start())
    assert len(blocks) == 2, blocks
    for info, _ in blocks:
        assert info in SHELL_FENCES, f"not a shell block: ```{info}"
    install, test = (commands for _, commands in blocks)
    assert re.search(r"pip install \.(\s|$)", install), install
    assert "clonafacts withdrawal" in install
    assert "pip install '.[test]'" in test
    assert re.search(r"(^|\s|&&|;)pytest(\s|$)", test), test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    blocks = _fenced_blocks(_quick_start())
    assert len(blocks) == 2, blocks
    test_command = blocks[1][1]
    assert test_command
    ci_lines = [line.strip() for line in CI_SCRIPT.read_text(encoding="utf-8").splitlines()]
    for line in test_command.splitlines():
        assert line.strip() in ci_lines, f"{line!r} is not a line of .ci/run"
