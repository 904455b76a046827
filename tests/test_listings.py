"""Remembered folder listings (listings.py): reused only while the folder is unchanged.

"Reused" is proved by watching os.listdir: a run that never lists the user's folder read its
names from the remembered listing. Most tests lower REMEMBER_MIN, and conftest drops
cache.SETTLE_NS, so that a small, just-written folder qualifies; two tests put the real values
back to show what they guard.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import leftovers, user_folder, write_variant

from clonafacts import cache, listings
from clonafacts.cache import CACHE_ENV, MAX_KEPT, NO_CACHE_ENV


@pytest.fixture
def small_folders_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listings, "REMEMBER_MIN", 2)


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders os.listdir is asked for, as absolute paths, in order."""
    calls: list[str] = []
    real = os.listdir

    def spy(path: Any = ".") -> list[str]:
        calls.append(str(Path(path).absolute()))
        return real(path)

    monkeypatch.setattr(os, "listdir", spy)
    return calls


def listing_files() -> list[Path]:
    return sorted(Path(os.environ[CACHE_ENV]).glob("ls-*.json"))


def remembered_content(path: Path) -> dict[str, Any]:
    """The JSON of a listing file, after its magic word and checksum."""
    content: dict[str, Any] = json.loads(path.read_bytes().split(b" ", 2)[2])
    return content


def three_medications(tmp_path: Path) -> Path:
    folder = user_folder(tmp_path)
    write_variant(folder, 2)
    write_variant(folder, 3)
    return folder


def ids(cli: Any, folder: Path) -> list[str]:
    """The ids `list` shows from the user's folder, sorted."""
    result = cli("list", "--json", "--data", str(folder))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    medications = json.loads(result.stdout)["medications"]
    return sorted(entry["id"] for entry in medications if entry["origin"] != "shipped")


USER_IDS = ["examplazole", "examplazole-2", "examplazole-3"]


def test_listing_is_remembered_and_then_reused(
    cli: Any, tmp_path: Path, small_folders_remembered: None, listed: list[str]
) -> None:
    folder = three_medications(tmp_path)
    first = ids(cli, folder)
    assert str(folder) in listed
    (remembered,) = listing_files()
    content = remembered_content(remembered)
    assert content["folder"] == str(folder)
    assert content["names"] == sorted(f"{med_id}.yaml" for med_id in USER_IDS)
    listed.clear()
    assert ids(cli, folder) == first
    assert str(folder) not in listed
    assert leftovers() == []


def test_added_file_is_seen_in_a_remembered_folder(
    cli: Any, tmp_path: Path, small_folders_remembered: None
) -> None:
    folder = three_medications(tmp_path)
    ids(cli, folder)
    write_variant(folder, 4)
    assert ids(cli, folder) == sorted([*USER_IDS, "examplazole-4"])


def test_removed_file_is_gone_from_a_remembered_folder(
    cli: Any, tmp_path: Path, small_folders_remembered: None
) -> None:
    folder = three_medications(tmp_path)
    ids(cli, folder)
    (folder / "examplazole-2.yaml").unlink()
    assert ids(cli, folder) == ["examplazole", "examplazole-3"]


def test_renamed_file_is_seen_in_a_remembered_folder(
    cli: Any, tmp_path: Path, small_folders_remembered: None
) -> None:
    folder = three_medications(tmp_path)
    ids(cli, folder)
    (folder / "examplazole-3.yaml").rename(folder / "examplazole-3.yaml.off")
    assert ids(cli, folder) == ["examplazole", "examplazole-2"]


def test_a_folder_changed_just_now_is_not_remembered(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within SETTLE_NS a second change could keep the folder's timestamps: never remember."""
    monkeypatch.setattr(listings, "REMEMBER_MIN", 2)
    monkeypatch.setattr(cache, "SETTLE_NS", 2_000_000_000)
    folder = three_medications(tmp_path)
    assert ids(cli, folder) == USER_IDS
    assert listing_files() == []


def test_a_small_folder_is_not_remembered(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = three_medications(tmp_path)
    assert listings.REMEMBER_MIN > 3
    ids(cli, folder)
    assert listing_files() == []


def test_nothing_is_remembered_without_a_cache(
    cli: Any, tmp_path: Path, small_folders_remembered: None
) -> None:
    folder = three_medications(tmp_path)
    result = cli("list", "--json", "--data", str(folder), env={NO_CACHE_ENV: "1"})
    assert result.exit_code == 0
    assert listing_files() == []


def _rewrite(path: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Change the remembered content and write it back with a correct checksum."""
    content = remembered_content(path)
    change(content)
    body = json.dumps(content).encode()
    path.write_bytes(b"clonafacts-listing %08x %s" % (zlib.crc32(body), body))


def _flip_last_byte(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[-2] ^= 0x01
    path.write_bytes(bytes(raw))


def _replace_with_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


DAMAGE = [
    pytest.param(lambda p: p.write_bytes(b""), id="empty"),
    pytest.param(lambda p: p.write_bytes(p.read_bytes()[:40]), id="truncated"),
    pytest.param(_flip_last_byte, id="checksum-mismatch"),
    pytest.param(lambda p: p.write_bytes(b"clonafacts-listing 00000000 "), id="no-body"),
    pytest.param(lambda p: _rewrite(p, lambda c: c.update(names="x.yaml")), id="names-not-a-list"),
    pytest.param(lambda p: _rewrite(p, lambda c: c.update(names=[1, 2])), id="names-not-text"),
    pytest.param(lambda p: _rewrite(p, lambda c: c.pop("identity")), id="no-identity"),
    pytest.param(lambda p: _rewrite(p, lambda c: c.update(format=99)), id="other-format"),
    pytest.param(lambda p: _rewrite(p, lambda c: c.update(folder="/elsewhere")), id="other-folder"),
    pytest.param(lambda p: _rewrite(p, lambda c: c.update(identity=[0, 0, 0, 0])), id="stale"),
    pytest.param(_replace_with_folder, id="a-folder"),
]


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_listing_is_not_used(
    cli: Any,
    tmp_path: Path,
    small_folders_remembered: None,
    listed: list[str],
    damage: Callable[[Path], None],
) -> None:
    folder = three_medications(tmp_path)
    ids(cli, folder)
    (remembered,) = listing_files()
    damage(remembered)
    listed.clear()
    assert ids(cli, folder) == USER_IDS
    assert str(folder) in listed  # listed again, not read from the damaged file


def test_remembered_name_of_a_gone_file_is_relisted(
    cli: Any, tmp_path: Path, small_folders_remembered: None
) -> None:
    """A listing that names a file no longer there (a file system that does not keep folder
    times) is caught by the stat of that file: the folders are listed afresh, not reported."""
    folder = three_medications(tmp_path)
    ids(cli, folder)
    (remembered,) = listing_files()
    _rewrite(remembered, lambda c: c["names"].append("ghost.yaml"))
    assert ids(cli, folder) == USER_IDS
    content = remembered_content(remembered)
    assert "ghost.yaml" not in content["names"]  # and the listing is remembered afresh


def test_listing_files_are_pruned(cli: Any, tmp_path: Path, small_folders_remembered: None) -> None:
    for number in range(MAX_KEPT + 2):
        folder = tmp_path / f"set-{number}"
        folder.mkdir()
        write_variant(folder, 10 * number + 1)
        write_variant(folder, 10 * number + 2)
        ids(cli, folder)
    assert len(listing_files()) == MAX_KEPT


def test_unwritable_cache_folder_still_lists(
    cli: Any, tmp_path: Path, small_folders_remembered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    folder = three_medications(tmp_path)
    assert ids(cli, folder) == USER_IDS
    assert ids(cli, folder) == USER_IDS
