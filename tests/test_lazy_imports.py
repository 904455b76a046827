"""A warm lookup imports only what it needs: no Typer, pydantic or YAML, and Rich only for text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("typer", "pydantic", "yaml", "rich", "clonafacts.facts.models", "clonafacts.cli.app")

PROBE = """
import json, sys
from clonafacts.__main__ import main
sys.argv = ["clonafacts", *ARGS]
try:
    main()
except SystemExit as done:
    code = done.code
heavy = sorted({name.split(".")[0] if not name.startswith("clonafacts") else name
                for name in sys.modules if name.startswith(HEAVY)})
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def _imports(args: list[str], cache: Path) -> dict[str, object]:
    code = PROBE.replace("ARGS", repr(args)).replace("HEAVY", repr(HEAVY))
    env = {"CLONAFACTS_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin", "COLUMNS": "100"}
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=env)  # warm
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    result: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        pytest.param(["withdrawal", "--json"], [], id="json"),
        pytest.param(["all", "--format", "markdown"], [], id="markdown"),
        pytest.param(["withdrawal"], ["rich"], id="text"),
    ],
)
def test_warm_lookup_imports_nothing_heavy(
    args: list[str], allowed: list[str], tmp_path: Path
) -> None:
    result = _imports(args, tmp_path)
    assert result == {"code": 0, "heavy": allowed}


def test_anything_else_goes_through_the_full_cli(tmp_path: Path) -> None:
    result = _imports(["sources", "--json"], tmp_path)
    assert result["code"] == 0
    assert "typer" in result["heavy"]  # type: ignore[operator]


GC_PROBE = """
import gc, json, sys
default = gc.get_threshold()
import clonafacts, clonafacts.cli.app, clonafacts.api, clonafacts.cli.fastpath
as_library = gc.get_threshold()
from clonafacts.__main__ import GC_THRESHOLD, main
sys.argv = ["clonafacts", "withdrawal", "--json"]
try:
    main()
except SystemExit:
    pass
print(json.dumps([default, as_library, gc.get_threshold(), GC_THRESHOLD]), file=sys.stderr)
"""


def test_only_the_console_script_raises_the_gc_threshold(tmp_path: Path) -> None:
    env = {"CLONAFACTS_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", GC_PROBE], capture_output=True, text=True, check=True, env=env
    )
    default, as_library, as_script, wanted = json.loads(done.stderr.strip().splitlines()[-1])
    assert as_library == default  # importing the package leaves the host's settings alone
    assert as_script == [wanted, *default[1:]]
    assert wanted > default[0]
