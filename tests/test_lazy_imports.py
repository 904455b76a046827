"""A warm lookup imports only what it needs: no Typer, pydantic or YAML, and Rich only for text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "typer",
    "pydantic",
    "yaml",
    "rich",
    "clonafacts.facts.models",
    "clonafacts.cli.app",
    "genanki",
    "fsrs",
    "clonafacts.study",
)

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


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["sources", "--json"], id="sources"),
        pytest.param(["compare", "benzodiazepines", "--json"], id="compare"),
        pytest.param(["search", "seizure", "--json"], id="search"),
    ],
)
def test_only_study_commands_load_the_study_libraries(args: list[str], tmp_path: Path) -> None:
    """genanki and fsrs are for `cards` and `quiz`: other commands never import them."""
    result = _imports(args, tmp_path)
    assert result["code"] == 0
    heavy: list[str] = result["heavy"]  # type: ignore[assignment]
    assert not {"genanki", "fsrs"} & set(heavy)
    assert not [name for name in heavy if name.startswith("clonafacts.study")]


def test_cards_loads_genanki_only_for_a_package(tmp_path: Path) -> None:
    result = _imports(["cards", "clonazepam", "--format", "json"], tmp_path)
    assert result["code"] == 0
    assert "clonafacts.study.cards" in result["heavy"]  # type: ignore[operator]
    assert "genanki" not in result["heavy"]  # type: ignore[operator]


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


# The folder rule: what a warm lookup runs may import only the standard library and the few
# light packages listed here; pydantic and PyYAML live in clonafacts/facts, Typer in cli/app.py,
# Rich in the text renderer and reporting, each imported only when needed.
PACKAGE = Path(__file__).parent.parent / "src" / "clonafacts"
WARM_PATH = [
    *sorted((PACKAGE / "store").glob("*.py")),
    PACKAGE / "api.py",
    PACKAGE / "documents.py",
    PACKAGE / "errors.py",
    PACKAGE / "sections.py",
    PACKAGE / "__init__.py",
    PACKAGE / "__main__.py",
    PACKAGE / "cli" / "fastpath.py",
    PACKAGE / "cli" / "output.py",
    PACKAGE / "cli" / "arguments.py",
    PACKAGE / "cli" / "exitcodes.py",
    PACKAGE / "render" / "__init__.py",
    PACKAGE / "render" / "options.py",
    PACKAGE / "render" / "json_format.py",
]
LIGHT_PACKAGES = {"xxhash", "platformdirs"}
WARM_MODULES = (
    {
        "clonafacts",
        "clonafacts._version",
        "clonafacts.api",
        "clonafacts.documents",
        "clonafacts.errors",
        "clonafacts.sections",
        "clonafacts.cli.arguments",
        "clonafacts.cli.exitcodes",
        "clonafacts.cli.output",
        "clonafacts.render",
        "clonafacts.render.options",
    }
    | {f"clonafacts.store.{path.stem}" for path in (PACKAGE / "store").glob("*.py")}
    | {"clonafacts.store"}
)


def _module_level_imports(path: Path) -> list[str]:
    """The modules a file imports when it is imported (not inside functions, not for typing)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=str(p.relative_to(PACKAGE))) for p in WARM_PATH]
)
def test_warm_path_modules_import_only_light_modules(path: Path) -> None:
    heavy = []
    for module in _module_level_imports(path):
        top = module.split(".")[0]
        if module.startswith("clonafacts"):
            if module not in WARM_MODULES and module != "clonafacts.cli":
                heavy.append(module)
        elif top not in sys.stdlib_module_names and top not in LIGHT_PACKAGES:
            heavy.append(module)
    assert heavy == [], f"{path.name} imports {heavy} when it is imported"


def test_the_store_and_the_api_import_nothing_heavy() -> None:
    probe = (
        "import sys, importlib, pkgutil, clonafacts.store as store\n"
        "for info in pkgutil.iter_modules(store.__path__):\n"
        "    importlib.import_module('clonafacts.store.' + info.name)\n"
        "import clonafacts.api, clonafacts.render.json_format, clonafacts.cli.fastpath\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules if m.startswith({HEAVY!r})}}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
