"""The man page: written from the CLI's own help, shipped current, readable by man."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

SHIPPED = Path(__file__).parent.parent / "src" / "clonafacts" / "cli" / "clonafacts.1"
SECTIONS = ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXIT STATUS")
SECTIONS += ("ENVIRONMENT", "FILES", "EXAMPLES", "NOTES")


def test_the_shipped_man_page_is_current(cli: Any) -> None:
    result = cli("man")
    assert result.exit_code == 0
    assert result.stdout == SHIPPED.read_text(encoding="utf-8"), (
        "src/clonafacts/cli/clonafacts.1 is out of date: clonafacts man > that file"
    )


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
def test_man_reads_it(cli: Any) -> None:
    done = subprocess.run(
        ["man", "-l", str(SHIPPED)],
        capture_output=True,
        text=True,
        env={**os.environ, "MANPAGER": "cat", "MANWIDTH": "80", "LANG": "C.UTF-8"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    shown = done.stdout
    assert shown.splitlines()[0].split() == ["CLONAFACTS(1)", "User", "Commands", "CLONAFACTS(1)"]
    headings = [line for line in shown.splitlines() if line and not line[0].isspace()]
    assert [h for h in headings if h in SECTIONS] == list(SECTIONS)
    for command in ("withdrawal", "search", "list", "validate", "completion", "man"):
        assert f"clonafacts {command} [OPTIONS]" in shown
    for code in ("0", "1", "2", "3", "4", "5", "130", "141"):
        assert any(line.split()[:1] == [code] for line in shown.splitlines()), code
    assert "CLONAFACTS_PAGER" in shown
    assert "--no-pager" in shown
