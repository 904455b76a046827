"""What the README shows works: the example data file validates and the jq recipes run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
#: Clonazepam's withdrawal symptoms, as the shipped data lists them.
SYMPTOMS = [
    "Severe rebound anxiety",
    "Insomnia",
    "Tremor and sweating",
    "Muscle cramps",
    "Dangerous rises in heart rate and blood pressure",
    "Seizures",
]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_the_example_data_file_is_valid(cli: object, tmp_path: Path) -> None:
    (example,) = _blocks("yaml")
    path = tmp_path / "examplazole.yaml"
    path.write_text(example, encoding="utf-8")
    result = cli("validate", str(path))  # type: ignore[operator]
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "checked 1 data file: all valid\n"


def _recipes() -> list[str]:
    (recipes,) = [block for block in _blocks("sh") if "| jq" in block]
    return [line for line in recipes.splitlines() if line.startswith("clonafacts ")]


def _study_commands() -> list[str]:
    (block,) = [block for block in _blocks("sh") if "clonafacts cards" in block]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(c, id=c.split(">")[0].strip())
        for c in _study_commands()
        if not c.startswith("clonafacts quiz ") or "--stats" in c
    ],
)
def test_the_study_examples_run(command: str, tmp_path: Path) -> None:
    """The README's study commands work as shown (the interactive quiz is driven in
    tests/test_quiz.py)."""
    env = {**os.environ, "CLONAFACTS_STATE_DIR": str(tmp_path / "state")}
    command = command.replace("clonafacts ", f"{sys.executable} -m clonafacts ", 1)
    result = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    written = [path for path in tmp_path.iterdir() if path.is_file()]
    assert written or result.stdout


def test_there_are_jq_recipes() -> None:
    assert len(_recipes()) >= 5
    assert "clonafacts withdrawal --json | jq -r '.content.symptoms[].name'" in _recipes()


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
@pytest.mark.parametrize(
    "recipe", [pytest.param(r, id=r.split("|")[0].strip()) for r in _recipes()]
)
def test_jq_recipe_prints_lines(recipe: str, tmp_path: Path) -> None:
    command = recipe.replace("clonafacts ", f"{sys.executable} -m clonafacts ", 1)
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines
    assert all(line.strip() and line != "null" for line in lines)


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_symptom_recipe_lists_the_six_symptoms(tmp_path: Path) -> None:
    command = f"{sys.executable} -m clonafacts withdrawal --json | jq -r '.content.symptoms[].name'"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert result.stdout.splitlines() == SYMPTOMS


def test_the_python_api_example_runs(tmp_path: Path) -> None:
    (example,) = _blocks("python")
    result = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == str(SYMPTOMS)
    assert lines[1] == "clonazepam"
    assert len(lines) == 2 + 3 + 1  # three search hits, then the ids
    assert lines[-1] == "['alprazolam', 'clonazepam', 'diazepam', 'lorazepam']"
