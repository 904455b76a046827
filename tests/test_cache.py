"""The index cache: written once, reused while fresh, rebuilt when stale or damaged, optional.

Each test has its own empty CLONAFACTS_CACHE_DIR (tests/conftest.py). "Reused" is proved by
making any loading of data files fail: a run that still succeeds read the cache.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURE, leftovers, user_folder, write_variant

from clonafacts import cache, database, yamlfile
from clonafacts.cache import CACHE_ENV, MAX_KEPT, NO_CACHE_ENV
from clonafacts.store.discovery import DataFile, FileGroup, collect_groups, data_groups, files_of
from clonafacts.errors import DataError

MAGIC = b"clonafacts-cache "

# Commands that between them read every part of the cache: index, medication data, summaries.
COMMAND_ARGS: dict[str, tuple[str, ...]] = {
    "section-json": ("withdrawal", "--json"),
    "section-text": ("withdrawal",),
    "by-brand": ("withdrawal", "Klonopin", "--json"),
    "all": ("all", "--json"),
    "sources": ("sources", "--json"),
    "search": ("search", "seizures", "--json"),
    "list": ("list", "--json"),
}
COMMANDS = [pytest.param(args, id=name) for name, args in COMMAND_ARGS.items()]


# Helpers ------------------------------------------------------------------------------------


def cache_folder() -> Path:
    return Path(os.environ[CACHE_ENV])


def cache_files() -> list[Path]:
    return sorted(cache_folder().glob("db-*.cache"))


def only_cache_file() -> Path:
    found = cache_files()
    assert len(found) == 1, found
    return found[0]


class LoadForbidden(Exception):
    """Raised by the patched loaders: the data was loaded instead of read from the cache."""


@pytest.fixture
def forbid_loading(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it to make every way of loading data files fail from then on."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise LoadForbidden("the data files were loaded again instead of read from the cache")

    def install() -> None:
        # cache.py holds its own reference to load_files; patch it there and at the source.
        monkeypatch.setattr(cache, "load_files", refuse, raising=False)
        monkeypatch.setattr(database, "load_files", refuse)
        monkeypatch.setattr(yamlfile, "load", refuse)

    return install


def run(cli: Any, *args: str, env: dict[str, str] | None = None) -> str:
    """The command's stdout; it must succeed without a word on stderr."""
    result = cli(*args, env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return str(result.stdout)


def uncached(cli: Any, *args: str) -> str:
    return run(cli, *args, env={NO_CACHE_ENV: "1"})


def assert_cache_serves(
    cli: Any, forbid: Callable[[], None], expected: dict[tuple[str, ...], str]
) -> None:
    """One valid cache file that answers every command alone, byte for byte as expected."""
    before = only_cache_file().read_bytes()
    forbid()
    for args, output in expected.items():
        assert run(cli, *args) == output, args
    assert only_cache_file().read_bytes() == before  # served, not rewritten
    assert leftovers() == []


def stop_warning(cli: Any, folder: Path, drug: str = "examplazole") -> str:
    document = cli.json("withdrawal", drug, "--data", str(folder))
    return str(document["content"]["stop_warning"]["text"])


def bump_mtime(path: Path, seconds: int = 10) -> None:
    info = path.stat()
    later = info.st_mtime_ns + seconds * 1_000_000_000
    os.utime(path, ns=(later, later))


# Damage that needs no knowledge of the layout beyond "a header line, then the parts".


def header_length(raw: bytes) -> int:
    return raw.index(b"\n") + 1


def flip_at(fraction: float) -> Callable[[bytes], bytes]:
    """Flip the lowest bit of the byte `fraction` of the way into the file."""

    def damage(raw: bytes) -> bytes:
        where = min(len(raw) - 1, int(len(raw) * fraction))
        return raw[:where] + bytes([raw[where] ^ 0x01]) + raw[where + 1 :]

    return damage


def flip_in_body(fraction: float) -> Callable[[bytes], bytes]:
    """Flip a bit `fraction` of the way through the parts after the header line."""

    def damage(raw: bytes) -> bytes:
        start = header_length(raw)
        where = min(len(raw) - 1, start + int((len(raw) - start) * fraction))
        return raw[:where] + bytes([raw[where] ^ 0x01]) + raw[where + 1 :]

    return damage


def replace_header(new: bytes) -> Callable[[bytes], bytes]:
    def damage(raw: bytes) -> bytes:
        return new + raw[raw.index(b"\n") :]

    return damage


def edit_header(change: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    def damage(raw: bytes) -> bytes:
        first = raw[: header_length(raw) - 1]
        assert first.startswith(MAGIC)
        header = json.loads(first[len(MAGIC) :])
        change(header)
        return MAGIC + json.dumps(header).encode() + raw[header_length(raw) - 1 :]

    return damage


def _misplace(value: Any) -> Any:
    """Every [offset, length, checksum] (any list of three numbers) pointed at the start."""
    if isinstance(value, list):
        if len(value) == 3 and all(isinstance(item, int) for item in value):
            return [0, 1, 0]
        return [_misplace(item) for item in value]
    if isinstance(value, dict):
        return {key: _misplace(item) for key, item in value.items()}
    return value


def _misplace_all(header: dict[str, Any]) -> None:
    header.update(_misplace(header))


def _keep_first_key(header: dict[str, Any]) -> None:
    for key in list(header)[1:]:
        del header[key]


def _noise(size: int, seed: int = 1234) -> bytes:
    return random.Random(seed).randbytes(size)


DAMAGE = [
    pytest.param(lambda raw: b"XXXXX" + raw[5:], id="garbled-magic"),
    pytest.param(replace_header(MAGIC + b"{not json"), id="header-not-json"),
    pytest.param(replace_header(MAGIC + b"{}"), id="header-empty-object"),
    pytest.param(replace_header(MAGIC + b"\xff\xfe{}"), id="header-not-utf8"),
    pytest.param(edit_header(_keep_first_key), id="header-one-key"),
    pytest.param(edit_header(_misplace_all), id="header-parts-misplaced"),
    pytest.param(replace_header(MAGIC + b"null"), id="header-null"),
    pytest.param(replace_header(MAGIC + b"[]"), id="header-list"),
    pytest.param(replace_header(MAGIC + b'"x"'), id="header-string"),
    pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated-half"),
    pytest.param(lambda raw: raw[:-1], id="truncated-last-byte"),
    pytest.param(lambda raw: raw[: header_length(raw)], id="truncated-to-header"),
    pytest.param(lambda raw: raw[: header_length(raw) - 1], id="truncated-in-header"),
    *[pytest.param(flip_at(f / 10), id=f"flipped-at-{f}0%") for f in range(10)],
    *[pytest.param(flip_in_body(f / 10), id=f"flipped-body-at-{f}0%") for f in range(10)],
    pytest.param(flip_in_body(0.999999), id="flipped-body-last-byte"),
    pytest.param(lambda raw: _noise(len(raw)), id="random-bytes"),
    pytest.param(lambda raw: MAGIC + _noise(len(raw)), id="random-after-magic"),
    pytest.param(lambda raw: b"\0" * len(raw), id="nul-bytes"),
    pytest.param(lambda raw: b"", id="empty"),
    pytest.param(lambda raw: b"\n", id="newline-only"),
]


# Writing and reuse ---------------------------------------------------------------------------


def test_first_lookup_writes_exactly_one_cache_file(cli: Any) -> None:
    assert cache_files() == []
    run(cli, "withdrawal", "--json")
    path = only_cache_file()
    assert path.name.startswith("db-")
    assert len(path.stem) == len("db-") + 8  # a crc32 in hex
    assert path.read_bytes().startswith(MAGIC)
    assert leftovers() == []


@pytest.mark.parametrize("args", COMMANDS)
def test_second_run_reads_the_cache_and_says_the_same(
    cli: Any, forbid_loading: Callable[[], None], args: tuple[str, ...]
) -> None:
    first = run(cli, *args)
    written = only_cache_file().stat().st_mtime_ns
    forbid_loading()
    assert run(cli, *args) == first
    assert only_cache_file().stat().st_mtime_ns == written


@pytest.mark.parametrize("args", COMMANDS)
def test_cached_output_equals_uncached_output(cli: Any, args: tuple[str, ...]) -> None:
    cold = run(cli, *args)
    warm = run(cli, *args)
    assert cold == warm == uncached(cli, *args)


def test_the_cache_of_one_run_serves_every_command(
    cli: Any, forbid_loading: Callable[[], None]
) -> None:
    run(cli, "withdrawal", "--json")
    expected = {args: uncached(cli, *args) for args in COMMAND_ARGS.values()}
    assert_cache_serves(cli, forbid_loading, expected)


def test_cached_database_equals_a_fresh_load() -> None:
    groups = data_groups([])
    fresh = database.build(*database.load_files(files_of(groups)))
    cache.cached_database(groups, cache.cache_dir())  # cold: loads and writes
    warm = cache.cached_database(groups, cache.cache_dir())  # warm: reads the file
    only_cache_file()
    assert dict(warm.names) == dict(fresh.names)
    assert warm.summaries() == fresh.summaries()
    assert list(warm.all()) == list(fresh.all())
    for name in fresh.names:
        assert warm.find(name) == fresh.find(name)


def test_each_data_set_keeps_its_own_cache_file(
    cli: Any, tmp_path: Path, forbid_loading: Callable[[], None]
) -> None:
    folder = user_folder(tmp_path)
    shipped = run(cli, "list", "--json")
    with_user = run(cli, "list", "--json", "--data", str(folder))
    assert shipped != with_user
    assert len(cache_files()) == 2
    forbid_loading()
    for _ in range(2):  # alternating never evicts the other's file
        assert run(cli, "list", "--json") == shipped
        assert run(cli, "list", "--json", "--data", str(folder)) == with_user
    assert len(cache_files()) == 2


# Staleness ----------------------------------------------------------------------------------


def test_edited_file_is_served_new(cli: Any, tmp_path: Path) -> None:
    folder = user_folder(tmp_path)
    path = folder / "examplazole.yaml"
    old = "a test of the warning panel"
    assert old in stop_warning(cli, folder)
    # Same size, so only the modification time tells the edit apart.
    path.write_text(path.read_text().replace(old, old.upper()), encoding="utf-8")
    bump_mtime(path)
    assert old.upper() in stop_warning(cli, folder)
    assert old not in stop_warning(cli, folder)


def test_edit_that_keeps_the_mtime_but_not_the_size_is_served(cli: Any, tmp_path: Path) -> None:
    folder = user_folder(tmp_path)
    path = folder / "examplazole.yaml"
    stop_warning(cli, folder)
    info = path.stat()
    path.write_text(path.read_text().replace("warning panel", "new panel"), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert "new panel" in stop_warning(cli, folder)


def test_same_size_edit_with_the_old_mtime_put_back_is_served(cli: Any, tmp_path: Path) -> None:
    """Same size, same mtime, same inode: only the ctime tells this edit apart."""
    folder = user_folder(tmp_path)
    path = folder / "examplazole.yaml"
    old = "a test of the warning panel"
    assert old in stop_warning(cli, folder)
    info = path.stat()
    path.write_text(path.read_text().replace(old, old.upper()), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        info.st_size,
        info.st_mtime_ns,
        info.st_ino,
    )
    assert old.upper() in stop_warning(cli, folder)


def test_data_changed_just_now_is_served_but_not_cached_until_it_settles(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timestamps are coarse: a file changed within SETTLE_NS of the stamp could change again
    unseen, so its cache waits until the data has been still that long."""
    monkeypatch.setattr(cache, "SETTLE_NS", 2_000_000_000)
    folder = user_folder(tmp_path)
    expected = uncached(cli, "list", "--json", "--data", str(folder))
    assert run(cli, "list", "--json", "--data", str(folder)) == expected
    assert run(cli, "list", "--json", "--data", str(folder)) == expected
    assert cache_files() == []
    later = time.time_ns() + 3_000_000_000
    monkeypatch.setattr(cache.time, "time_ns", lambda: later)
    assert run(cli, "list", "--json", "--data", str(folder)) == expected
    assert len(cache_files()) == 1


def test_file_changed_while_it_is_loaded_is_not_cached(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = user_folder(tmp_path)
    path = folder / "examplazole.yaml"
    old = "a test of the warning panel"
    real_load = cache.load_files

    def load_then_edit(files: list[DataFile]) -> Any:
        loaded = real_load(files)
        path.write_text(path.read_text().replace(old, old + " (edited)"), encoding="utf-8")
        return loaded

    monkeypatch.setattr(cache, "load_files", load_then_edit)
    assert old + " (edited)" not in stop_warning(cli, folder)  # what was read
    assert cache_files() == []  # but not cached: the file no longer matches its stamp
    monkeypatch.setattr(cache, "load_files", real_load)
    assert old + " (edited)" in stop_warning(cli, folder)


def test_file_replaced_by_rename_is_served_new(cli: Any, tmp_path: Path) -> None:
    """An editor's atomic save: same size, same mtime, new inode."""
    folder = user_folder(tmp_path)
    path = folder / "examplazole.yaml"
    stop_warning(cli, folder)
    info = path.stat()
    replacement = tmp_path / "saved.yaml"
    text = path.read_text().replace("the warning panel", "the WARNING panel")
    replacement.write_text(text, encoding="utf-8")
    os.utime(replacement, ns=(info.st_atime_ns, info.st_mtime_ns))
    replacement.replace(path)
    assert path.stat().st_size == info.st_size
    assert "WARNING panel" in stop_warning(cli, folder)


def test_added_file_is_served(cli: Any, tmp_path: Path) -> None:
    folder = user_folder(tmp_path)
    before = cli.json("list", "--data", str(folder))
    write_variant(folder, 2)
    after = cli.json("list", "--data", str(folder))
    assert len(after["medications"]) == len(before["medications"]) + 1
    assert "Testorin 2" in cli("withdrawal", "Testorin 2", "--data", str(folder)).stdout


def test_added_file_through_the_environment_is_served(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = user_folder(tmp_path)
    monkeypatch.setenv("CLONAFACTS_DATA", str(folder))
    cli.json("withdrawal", "examplazole")
    write_variant(folder, 3)
    document = cli.json("withdrawal", "examplazole-3")
    assert document["medication"]["id"] == "examplazole-3"


def test_removed_file_is_no_longer_served(cli: Any, tmp_path: Path) -> None:
    folder = user_folder(tmp_path)
    extra = write_variant(folder, 4)
    cli.json("withdrawal", "examplazole-4", "--data", str(folder))
    extra.unlink()
    result = cli("withdrawal", "examplazole-4", "--json", "--data", str(folder))
    assert result.exit_code == 1
    assert "examplazole-4" in result.stderr


def test_unreadable_file_is_reported_not_cached(tmp_path: Path) -> None:
    missing = FileGroup(str(tmp_path), "", ["gone.yaml"], "")
    with pytest.raises(DataError):
        cache.cached_database([missing], cache.cache_dir())
    assert cache_files() == []


# Damage -------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_cache_is_rebuilt(
    cli: Any, forbid_loading: Callable[[], None], damage: Callable[[bytes], bytes]
) -> None:
    # Between them these read every part: name index, medication, ids, summaries.
    commands = [("withdrawal", "--json"), ("search", "seizures", "--json"), ("list", "--json")]
    clean = {args: run(cli, *args) for args in commands}
    path = only_cache_file()
    raw = path.read_bytes()
    damaged = damage(raw)
    assert damaged != raw
    path.write_bytes(damaged)
    for args in commands:
        assert run(cli, *args) == clean[args], args
    assert path.read_bytes() == raw  # rewritten, and identical to the first
    assert_cache_serves(cli, forbid_loading, clean)


def test_another_data_sets_cache_file_is_not_trusted(cli: Any, tmp_path: Path) -> None:
    """A whole, valid cache file, but made for other data, under this data's name."""
    folder = user_folder(tmp_path)
    shipped = run(cli, "list", "--json")
    shipped_file = only_cache_file()
    run(cli, "list", "--json", "--data", str(folder))
    (other_file,) = [p for p in cache_files() if p != shipped_file]
    shipped_file.write_bytes(other_file.read_bytes())
    assert run(cli, "list", "--json") == shipped
    assert "examplazole" not in run(cli, "withdrawal", "--json")
    assert shipped_file.read_bytes() != other_file.read_bytes()


def test_cache_file_that_is_a_folder_is_worked_around(cli: Any) -> None:
    clean = run(cli, "withdrawal", "--json")
    where = only_cache_file()
    where.unlink()
    where.mkdir()
    assert run(cli, "withdrawal", "--json") == clean
    assert run(cli, "list", "--json") == uncached(cli, "list", "--json")
    assert where.is_dir()
    assert leftovers() == []


def test_damaged_header_via_the_console_script() -> None:
    """The installed command (fast path) must also survive a damaged cache, silently."""
    argv = [sys.executable, "-m", "clonafacts", "withdrawal", "--json"]
    clean = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True).stdout
    path = only_cache_file()
    path.write_bytes(replace_header(MAGIC + b"null")(path.read_bytes()))
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == clean


# No cache, or an unusable one ----------------------------------------------------------------


def test_cache_folder_under_a_regular_file_still_works(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = {args: uncached(cli, *args) for args in [("withdrawal", "--json"), ("list",)]}
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    for _ in range(2):
        for args, output in clean.items():
            assert run(cli, *args) == output
    assert blocker.read_text() == "not a folder"


def test_missing_cache_folder_is_created(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = tmp_path / "not" / "yet" / "there"
    monkeypatch.setenv(CACHE_ENV, str(nested))
    run(cli, "withdrawal", "--json")
    assert len(list(nested.glob("db-*.cache"))) == 1


def test_no_cache_variable_writes_nothing(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NO_CACHE_ENV, "1")
    first = run(cli, "withdrawal", "--json")
    assert run(cli, "list", "--json")
    assert run(cli, "withdrawal", "--json") == first
    assert list(cache_folder().iterdir()) == []


def test_cache_dir_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "here"))
    assert cache.cache_dir() == tmp_path / "here"
    monkeypatch.setenv(NO_CACHE_ENV, "1")
    assert cache.cache_dir() is None
    monkeypatch.delenv(NO_CACHE_ENV)
    monkeypatch.delenv(CACHE_ENV)
    default = cache.cache_dir()
    assert default is not None
    assert "clonafacts" in default.parts


def test_no_cache_through_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NO_CACHE_ENV, "1")
    loaded = cache.cached_database(data_groups([]), cache.cache_dir())
    assert loaded.find("Klonopin")["id"] == "clonazepam"
    assert list(cache_folder().iterdir()) == []


# Atomic writes and concurrency ---------------------------------------------------------------


def test_no_temporary_files_are_left_behind(cli: Any, tmp_path: Path) -> None:
    folder = user_folder(tmp_path)
    run(cli, "withdrawal", "--json")
    run(cli, "list", "--json", "--data", str(folder))
    bump_mtime(folder / "examplazole.yaml")
    run(cli, "list", "--json", "--data", str(folder))
    only = cache_files()[0]
    only.write_bytes(b"junk")
    run(cli, "withdrawal", "--json")
    assert leftovers() == []
    assert [p for p in cache_folder().iterdir() if not p.name.startswith("db-")] == []


def test_failed_rename_leaves_no_temporary_file(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = uncached(cli, "withdrawal", "--json")

    def refuse(self: Path, target: Any) -> Path:
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(Path, "replace", refuse)
    assert run(cli, "withdrawal", "--json") == clean
    assert list(cache_folder().iterdir()) == []


def test_interrupted_write_removes_its_temporary_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(self: Path, target: Any) -> Path:
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        cache.cached_database(data_groups([]), cache.cache_dir())
    assert list(cache_folder().iterdir()) == []


def test_concurrent_first_runs_agree_and_leave_one_cache_file(
    cli: Any, forbid_loading: Callable[[], None]
) -> None:
    argv = [sys.executable, "-m", "clonafacts", "withdrawal", "--json"]
    processes = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(8)
    ]
    results = [process.communicate(timeout=120) for process in processes]
    codes = [process.returncode for process in processes]
    assert codes == [0] * 8, [err.decode() for _, err in results]
    assert [err for _, err in results] == [b""] * 8
    outputs = {out for out, _ in results}
    assert len(outputs) == 1
    assert leftovers() == []
    # What they left is whole: it answers alone, exactly as they did.
    assert_cache_serves(cli, forbid_loading, {("withdrawal", "--json"): outputs.pop().decode()})


# Pruning ------------------------------------------------------------------------------------


def test_pruning_keeps_at_most_max_kept_files(cli: Any) -> None:
    folder = cache_folder()
    old = []
    for number in range(MAX_KEPT + 4):
        path = folder / f"db-{number:08x}.cache"
        path.write_bytes(b"an older cache")
        stamp = 1_000_000_000 + number * 60  # oldest first
        os.utime(path, (stamp, stamp))
        old.append(path)
    unrelated = folder / "notes.txt"
    unrelated.write_text("not a cache file")
    run(cli, "withdrawal", "--json")
    kept = cache_files()
    assert len(kept) == MAX_KEPT
    newest_old = old[-(MAX_KEPT - 1) :]
    assert len(set(kept) - set(old)) == 1  # the one just written
    assert sorted(set(kept) & set(old)) == sorted(newest_old)
    assert unrelated.exists()


def test_pruning_counts_other_data_sets(cli: Any, tmp_path: Path) -> None:
    for number in range(MAX_KEPT + 2):
        folder = tmp_path / f"set-{number}"
        folder.mkdir()
        write_variant(folder, number)
        run(cli, "list", "--json", "--data", str(folder))
        assert len(cache_files()) == min(number + 1, MAX_KEPT)


# Large data sets ----------------------------------------------------------------------------


def test_cache_is_reused_for_many_files_with_long_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2,500 files, well under MAX_DATA_FILES, in a deep folder: their paths, sizes and times
    # come to about 1.5 MB. (Format 1 kept all that in the header line but read at most 1 MiB
    # of it, so such a cache was never read and was rewritten on every run.)
    folder = tmp_path / ("d" * 120) / ("e" * 120)
    folder.mkdir(parents=True)
    text = FIXTURE.read_bytes()
    for number in range(2500):
        (folder / f"med-{number:05d}.yaml").write_bytes(text)
    groups, _ = collect_groups([str(folder)])
    loaded = database.load_files(files_of(groups)[:1])  # the content does not matter here
    loads = []

    def counting_load(data: list[DataFile]) -> Any:
        loads.append(len(data))
        return loaded

    monkeypatch.setattr(cache, "load_files", counting_load, raising=False)
    monkeypatch.setattr(database, "load_files", counting_load)
    cache.cached_database(groups, cache.cache_dir())
    cache.cached_database(groups, cache.cache_dir()).find("examplazole")
    assert len(loads) == 1
