"""The SQLite store: current content is always what is served, whatever the cache folder holds.

A store is used only when it was built from the data files' current bytes, is whole, is ours,
and sits in a folder only the user running the command can write to; anything else is rebuilt
or ignored with a warning, and the answer is the same as without a cache. Each test has its
own empty CLONAFACTS_CACHE_DIR (tests/conftest.py).

"Reused" is proved by counting (or forbidding) YAML loads: a run that loads nothing read the
store. A poisoned store is a whole, self-consistent store that shows POISON in place of the
fixture's first fact; served, it would show it.
"""

from __future__ import annotations

import json
import mmap
import os
import pwd
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from conftest import FIXTURE, SHIPPED, Cli, leftovers, user_folder, write_variant
from typer.testing import Result

from clonafacts import api
from clonafacts.facts import loading
from clonafacts.store import discovery, snapshot
from clonafacts.store import sqlite as store_sqlite
from clonafacts.store.discovery import DataFile
from clonafacts.store.folder import CACHE_ENV, LEFTOVER_AGE_S, MAX_KEPT, NO_CACHE_ENV

OLD = "Examplazole exists only in this test suite."
NEW = "Examplazole exists only in that test suite."  # the same length: the same file size
POISON = "Examplazole is served from a forged store."
NAME = "examplazole.yaml"
#: A fixed time for files that must have identical metadata (2021-01-01, in ns).
STAMP_NS = 1_609_459_200 * 1_000_000_000
SUBPROCESS_TIMEOUT_S = 20


# Helpers ------------------------------------------------------------------------------------


def cache_dir() -> Path:
    return Path(os.environ[CACHE_ENV])


def stores(folder: Path | None = None) -> list[Path]:
    return sorted((folder or cache_dir()).glob("store-*.sqlite3"))


def only_store(folder: Path | None = None) -> Path:
    found = stores(folder)
    assert len(found) == 1, found
    return found[0]


def store_path(data: Path, folder: Path | None = None) -> Path:
    """Where the store for `--data data` lives in the cache folder."""
    return (folder or cache_dir()) / api.store_name([str(data)])


def first_fact(document: dict[str, Any]) -> str:
    return str(document["content"]["facts"][0]["text"])


def api_fact(data: Path) -> str:
    """The fixture's first overview fact as the library serves it, with no warning."""
    with api.open_database([str(data)]) as database:
        fact = first_fact(dict(database.section("overview", "examplazole")))
        assert database.warnings == []
    return fact


def lookup(cli: Cli, data: Path, env: dict[str, str] | None = None) -> Result:
    result = cli("overview", "examplazole", "--json", "--data", str(data), env=env)
    assert result.exit_code == 0, result.stderr
    return result


def served(cli: Cli, data: Path) -> str:
    """The first fact the CLI prints for `--data data`; the run must not warn."""
    result = lookup(cli, data)
    assert result.stderr == ""
    return first_fact(json.loads(result.stdout))


def fixture_text(fact: str = OLD) -> str:
    return FIXTURE.read_text(encoding="utf-8").replace(OLD, fact)


def set_times(path: Path, ns: int = STAMP_NS) -> None:
    os.utime(path, ns=(ns, ns), follow_symlinks=False)


def repoint(link: Path, target: Path) -> None:
    """Point the symlink `link` at `target` in one step, as a mount or `ln -sfn` would."""
    fresh = link.with_name(link.name + ".new")
    fresh.symlink_to(target)
    fresh.replace(link)


@contextmanager
def cache_at(folder: Path) -> Iterator[None]:
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ[CACHE_ENV]
        else:
            os.environ[CACHE_ENV] = before


class LoadForbidden(Exception):
    """The data files were loaded where the store should have answered."""


class Loads:
    """Counts YAML loads (one per store build); `forbidden` makes any load fail."""

    def __init__(self) -> None:
        self.count = 0
        self.forbidden = False


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Loads:
    counter = Loads()
    real = loading.load_contents

    def counting(*args: Any, **kwargs: Any) -> Any:
        if counter.forbidden:
            raise LoadForbidden("the data files were loaded; the store should have answered")
        counter.count += 1
        return real(*args, **kwargs)

    # api imports it from clonafacts.facts.loading at each build: patched there, it is seen.
    monkeypatch.setattr(loading, "load_contents", counting)
    return counter


# Forged stores: what someone who can write the cache folder could leave there.


def forge_store(data: Path, workspace: Path, destination: Path) -> Path:
    """A whole store showing POISON, under the store name of `data`, stamped with the real
    data's fingerprint: built from an edited copy, with only the fingerprint changed after."""
    copy = workspace / "forged-data"
    copy.mkdir(parents=True)
    (copy / NAME).write_text(fixture_text(POISON), encoding="utf-8")
    forger_cache = workspace / "forger-cache"
    with cache_at(forger_cache):
        assert api_fact(copy) == POISON
    real = discovery.data_files([str(data)])
    built = only_store(forger_cache)
    with closing(sqlite3.connect(built)) as connection, connection:
        connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'fingerprint'", (snapshot.fingerprint(real),)
        )
    return built.rename(destination / api.store_name([str(data)]))


def edit_store(data: Path, workspace: Path, destination: Path) -> Path:
    """The real store of `data` with the fact's text changed in the sections table, and
    nothing else recomputed."""
    own_cache = workspace / "editor-cache"
    with cache_at(own_cache):
        assert api_fact(data) == OLD
    built = only_store(own_cache)
    with closing(sqlite3.connect(built)) as connection, connection:
        changed = connection.execute(
            "UPDATE sections SET body = replace(body, ?, ?)", (OLD, POISON)
        ).rowcount
    assert changed > 0
    return built.rename(destination / built.name)


FORGERIES = [
    pytest.param(forge_store, id="rebuilt-with-the-real-fingerprint"),
    pytest.param(edit_store, id="fact-edited-in-place"),
]


# 1. Stale facts: content decides, not metadata ------------------------------------------------


def test_two_images_with_identical_metadata_swapped_at_one_mount_point(
    cli: Cli, tmp_path: Path, loads: Loads
) -> None:
    """Two file-system images with the same sizes and times, mounted in turn at one path."""
    images = [tmp_path / "image-a", tmp_path / "image-b"]
    for image, fact in zip(images, (OLD, NEW), strict=True):
        image.mkdir()
        (image / NAME).write_text(fixture_text(fact), encoding="utf-8")
        set_times(image / NAME)
        set_times(image)
    first, second = ((image / NAME).stat() for image in images)
    assert (first.st_size, first.st_mtime_ns) == (second.st_size, second.st_mtime_ns)
    mount = tmp_path / "mnt"
    mount.symlink_to(images[0], target_is_directory=True)
    assert served(cli, mount) == OLD
    assert served(cli, mount) == OLD
    assert loads.count == 1  # the second run read the store
    repoint(mount, images[1])
    assert served(cli, mount) == NEW
    assert served(cli, mount) == NEW
    assert loads.count == 2
    assert len(stores()) == 1  # one data path, one store: replaced, not added


def test_same_size_rewrite_in_place_with_the_mtime_put_back(
    cli: Cli, tmp_path: Path, loads: Loads
) -> None:
    data = user_folder(tmp_path)
    path = data / NAME
    assert served(cli, data) == OLD
    before = path.stat()
    with path.open("r+b") as handle:  # in place: the same inode
        handle.write(fixture_text(NEW).encode())
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    assert served(cli, data) == NEW
    assert loads.count == 2


def test_write_through_mmap(cli: Cli, tmp_path: Path, loads: Loads) -> None:
    data = user_folder(tmp_path)
    path = data / NAME
    assert served(cli, data) == OLD
    before = path.stat()
    with path.open("r+b") as handle, mmap.mmap(handle.fileno(), 0) as mapped:
        at = mapped.find(b"only in this")
        assert at >= 0
        mapped[at : at + len(b"only in that")] = b"only in that"
        mapped.flush()
    # A write through a mapping updates the mtime at some later point, or not at all before
    # the next run: put it back to stand for that run.
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert served(cli, data) == NEW
    assert loads.count == 2


def test_symlink_repointed_between_two_files_with_identical_metadata(
    cli: Cli, tmp_path: Path, loads: Loads
) -> None:
    targets = [tmp_path / "one.yaml", tmp_path / "two.yaml"]
    for target, fact in zip(targets, (OLD, NEW), strict=True):
        target.write_text(fixture_text(fact), encoding="utf-8")
        set_times(target)
    current = tmp_path / "current.yaml"
    current.symlink_to(targets[0])
    assert served(cli, current) == OLD
    repoint(current, targets[1])
    assert served(cli, current) == NEW
    repoint(current, targets[0])
    assert served(cli, current) == OLD
    assert loads.count == 3


def test_file_edited_while_a_store_is_built_then_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store is stamped with the fingerprint of the bytes it was built from, not of what
    the files held when the run began: else, once the edit is undone, the stamp would match
    and the edited text be served."""
    data = user_folder(tmp_path)
    path = data / NAME
    real_read_all = snapshot.read_all  # what api calls, by that name

    def edit_then_read(*args: Any, **kwargs: Any) -> Any:
        path.write_text(fixture_text(NEW), encoding="utf-8")  # after the fingerprint
        return real_read_all(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(api, "read_all", edit_then_read)
        assert api_fact(data) == NEW  # what was read
    path.write_text(fixture_text(OLD), encoding="utf-8")  # as it was when the run began
    assert api_fact(data) == OLD


UPDATE_COMMANDS = [
    ("list", "--json"),
    ("search", "exists", "--drug", "examplazole", "--json"),  # ties: the test below
    ("overview", "examplazole", "--json"),
    ("overview", "Testorin 4", "--json"),
    ("overview", "examplazole-3", "--json"),
    ("overview", "examplazole-4", "--json"),
]


def _edit_fact(data: Path) -> None:
    (data / NAME).write_text(fixture_text(NEW), encoding="utf-8")


def _remove_a_file(data: Path) -> None:
    (data / "examplazole-3.yaml").unlink()


def _rename_an_id(data: Path) -> None:
    path = data / "examplazole-4.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("id: examplazole-4\n") == 1
    path.write_text(text.replace("id: examplazole-4\n", "id: examplazole-40\n"), encoding="utf-8")


def _add_a_file(data: Path) -> None:
    write_variant(data, 7)


def test_store_brought_up_to_date_after_each_change_equals_a_fresh_build(
    cli: Cli, tmp_path: Path, loads: Loads
) -> None:
    """One change at a time among seven medications, so a store can be updated rather than
    written anew: each time, every answer is what a run without a cache gives."""
    data = user_folder(tmp_path)
    for number in range(2, 7):
        write_variant(data, number)

    def outputs(env: dict[str, str] | None = None) -> list[tuple[int, str, str]]:
        results = [cli(*command, "--data", str(data), env=env) for command in UPDATE_COMMANDS]
        return [(result.exit_code, result.stdout, result.stderr) for result in results]

    outputs()
    for change in (_edit_fact, _remove_a_file, _rename_an_id, _add_a_file):
        change(data)
        fresh = outputs({NO_CACHE_ENV: "1"})
        builds = loads.count
        assert outputs() == fresh, change.__name__
        assert loads.count == builds + 1  # the first command brings the store up to date
        loads.forbidden = True
        assert outputs() == fresh, change.__name__  # and the updated store serves it all
        loads.forbidden = False
    assert only_store() == store_path(data)
    assert leftovers() == []


def test_an_update_keeps_the_bytes_of_changed_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After one change, the unchanged files are read and hashed but their bytes are let go:
    their medications come from the store (holding them all doubled the peak memory)."""
    data = user_folder(tmp_path)
    for number in range(2, 7):
        write_variant(data, number)
    assert api_fact(data) == OLD
    _edit_fact(data)
    kept: list[tuple[str, bool]] = []
    real = loading.load_contents

    def recording(contents: snapshot.Contents, *args: Any) -> Any:
        kept.extend(
            (Path(read.data_file.path).name, read.raw is not None) for read in contents.files
        )
        return real(contents, *args)

    monkeypatch.setattr(loading, "load_contents", recording)
    assert api_fact(data) == NEW
    users = [(name, has_bytes) for name, has_bytes in kept if name.startswith("examplazole")]
    assert sorted(users) == [(f"examplazole-{n}.yaml", False) for n in range(2, 7)] + [(NAME, True)]


def test_a_clash_found_in_an_unchanged_file_is_located_as_in_a_fresh_build(
    cli: Cli, tmp_path: Path
) -> None:
    """An edit gives a brand that a later, unchanged file already has: the problem is in that
    file, whose bytes were let go; it is read again to say where."""
    data = user_folder(tmp_path)
    for number in range(2, 7):
        write_variant(data, number)
    command = ("overview", "examplazole", "--data", str(data))
    assert cli(*command).exit_code == 0
    edited = data / "examplazole-2.yaml"
    text = edited.read_text(encoding="utf-8")
    assert text.count("- Testorin 2\n") == 1
    edited.write_text(
        text.replace("- Testorin 2\n", "- Testorin 2\n- Testorin 3\n"), encoding="utf-8"
    )
    fresh = cli(*command, env={NO_CACHE_ENV: "1"})
    lines = (data / "examplazole-3.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index("- Testorin 3") + 1
    expected = (
        f"{data / 'examplazole-3.yaml'}:{line}:3: the name 'Testorin 3' is already used by"
        " medication 'examplazole-2'"
    )
    assert fresh.exit_code == 3
    assert expected in fresh.stderr
    updated = cli(*command)
    assert (updated.exit_code, updated.stderr) == (fresh.exit_code, fresh.stderr)


def test_search_ties_after_an_update_rank_as_in_a_fresh_build(cli: Cli, tmp_path: Path) -> None:
    data = user_folder(tmp_path)
    for number in range(2, 7):
        write_variant(data, number)
    # Every medication's name matches alike: the hits tie, and the order among them decides
    # which three are shown.
    command = ("search", "Examplazole", "--json", "--limit", "3", "--data", str(data))
    assert cli(*command).exit_code == 0
    path = data / "examplazole-2.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    fresh = cli(*command, env={NO_CACHE_ENV: "1"})
    hits = json.loads(fresh.stdout)["hits"]
    assert [hit["medication"]["id"] for hit in hits] == [
        "examplazole",
        "examplazole-2",
        "examplazole-3",
    ]
    updated = cli(*command)
    assert (updated.exit_code, updated.stdout) == (0, fresh.stdout)


def test_fingerprint_counts_the_path_along_with_identical_bytes(tmp_path: Path) -> None:
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_bytes(FIXTURE.read_bytes())
    two.write_bytes(FIXTURE.read_bytes())
    # Named and shown alike: only the path differs.
    first = snapshot.fingerprint([DataFile(str(one), NAME, NAME)])
    second = snapshot.fingerprint([DataFile(str(two), NAME, NAME)])
    assert first is not None
    assert second is not None
    assert first != second


def test_fingerprint_follows_the_bytes_not_the_metadata(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_text(fixture_text(OLD), encoding="utf-8")
    set_times(path)
    files = [DataFile(str(path), NAME, NAME)]
    original = snapshot.fingerprint(files)
    assert original is not None
    assert snapshot.read_all(files).fingerprint == original  # the store is stamped alike

    # New bytes, the same size and times: a new fingerprint.
    with path.open("r+b") as handle:
        handle.write(fixture_text(NEW).encode())
    set_times(path)
    changed = snapshot.fingerprint(files)
    assert changed not in (None, original)

    # The same bytes again, under new times and a new inode: the first fingerprint.
    replacement = tmp_path / "saved.yaml"
    replacement.write_text(fixture_text(OLD), encoding="utf-8")
    replacement.replace(path)
    os.utime(path, ns=(STAMP_NS * 2, STAMP_NS * 2))
    assert snapshot.fingerprint(files) == original


def test_fingerprint_of_a_trusted_file_follows_its_metadata(tmp_path: Path) -> None:
    # Only shipped data inside an installed package is trusted: judged by size and times.
    path = tmp_path / NAME
    path.write_text(fixture_text(OLD), encoding="utf-8")
    files = [DataFile(str(path), NAME, NAME, trusted=True)]
    original = snapshot.fingerprint(files)
    os.utime(path, ns=(STAMP_NS, STAMP_NS))
    assert snapshot.fingerprint(files) not in (None, original)


# 1f. A second user: run as `nobody` in a forked child -----------------------------------------
# Forked rather than a new interpreter: the venv's python may live where nobody cannot reach
# (here under /root, mode 0700). The child has every module it needs imported already.

CANNOT_REACH = 77  # the child's exit code when nobody cannot read the project or the data


@pytest.fixture
def nobody() -> pwd.struct_passwd:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root, to act as a second user")
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody' to act as a second user")


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A folder other users can reach (pytest's own temporary folders are private)."""
    path = Path(tempfile.mkdtemp(prefix="clonafacts-store-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def _can_read_the_project() -> bool:
    """Whether this process can read the code (its files count in the fingerprint of a source
    tree) and the shipped data."""
    try:
        return snapshot.fingerprint(discovery.data_files([])) is not None
    except OSError:
        return False


def as_user(user: pwd.struct_passwd, action: Callable[[], object]) -> None:
    """Run `action` in a forked child that has dropped to `user`; fail if it fails."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; it never returns to pytest
        code = 1
        try:
            signal.alarm(SUBPROCESS_TIMEOUT_S)  # a hang kills the child, and fails the test
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            os.environ["HOME"] = tempfile.gettempdir()
            if _can_read_the_project():
                action()
                code = 0
            else:
                code = CANNOT_REACH
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == CANNOT_REACH:
        pytest.skip(f"{user.pw_name} cannot read the project's code or shipped data")
    assert code == 0, f"the child running as {user.pw_name} failed (its stderr is above)"


class Planted(NamedTuple):
    data: Path  # a data folder everyone can read
    shared: Path  # a folder everyone can write (mode 1777), holding nobody's store for `data`
    store: Path


@pytest.fixture(params=FORGERIES)
def planted(request: pytest.FixtureRequest, nobody: pwd.struct_passwd, open_tmp: Path) -> Planted:
    forge: Callable[[Path, Path, Path], Path] = request.param
    data = open_tmp / "data"
    data.mkdir()
    shutil.copy(FIXTURE, data / NAME)
    shared = open_tmp / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    assert api_fact(data) == OLD  # also imports, here, everything the child will need

    as_user(nobody, lambda: forge(data, shared / "nobody", shared))
    store = store_path(data, shared)
    assert store.stat().st_uid == nobody.pw_uid
    return Planted(data, shared, store)


def test_store_planted_by_another_user_in_a_shared_folder_is_not_served(
    cli: Cli, planted: Planted
) -> None:
    planted_bytes = planted.store.read_bytes()
    result = lookup(cli, planted.data, env={CACHE_ENV: str(planted.shared)})
    assert first_fact(json.loads(result.stdout)) == OLD
    assert result.stderr == (
        f"Warning: not using the cache folder {planted.shared}: other users can write to the"
        " folder; answering from the data files\n"
    )
    assert planted.store.read_bytes() == planted_bytes
    assert sorted(path.name for path in planted.shared.iterdir()) == sorted(
        ["nobody", planted.store.name]
    )


def test_store_file_of_another_user_in_ones_own_folder_is_not_served(
    cli: Cli, planted: Planted, nobody: pwd.struct_passwd, tmp_path: Path
) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    store = private / planted.store.name
    shutil.copyfile(planted.store, store)
    os.chown(store, nobody.pw_uid, nobody.pw_gid)
    result = lookup(cli, planted.data, env={CACHE_ENV: str(private)})
    assert first_fact(json.loads(result.stdout)) == OLD
    assert result.stderr == (
        f"Warning: not using {store}: the store file belongs to another user; answering from"
        " the data files\n"
    )


def test_cache_folder_of_another_user_is_not_used(
    cli: Cli, planted: Planted, nobody: pwd.struct_passwd, tmp_path: Path
) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    shutil.copyfile(planted.store, theirs / planted.store.name)
    for path in (theirs, theirs / planted.store.name):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    result = lookup(cli, planted.data, env={CACHE_ENV: str(theirs)})
    assert first_fact(json.loads(result.stdout)) == OLD
    assert result.stderr == (
        f"Warning: not using the cache folder {theirs}: the folder belongs to another user;"
        " answering from the data files\n"
    )


# The same checks without a second user: modes, and the control that makes them matter.


def test_a_forged_store_passes_every_content_check(cli: Cli, tmp_path: Path) -> None:
    """The control for the tests around it: in one's own private folder the forged store is
    served, so only the owner and mode checks keep it out where they apply."""
    data = user_folder(tmp_path)
    forge_store(data, tmp_path / "forger", cache_dir())
    assert served(cli, data) == POISON


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777, 0o720], ids=oct)
def test_cache_folder_others_can_write_is_not_used(cli: Cli, tmp_path: Path, mode: int) -> None:
    data = user_folder(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    forge_store(data, tmp_path / "forger", shared)
    shared.chmod(mode)
    result = lookup(cli, data, env={CACHE_ENV: str(shared)})
    assert first_fact(json.loads(result.stdout)) == OLD
    assert result.stderr == (
        f"Warning: not using the cache folder {shared}: other users can write to the folder;"
        " answering from the data files\n"
    )
    assert [path.name for path in shared.iterdir()] == [store_path(data).name]


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602], ids=oct)
def test_store_file_others_can_write_is_not_used(cli: Cli, tmp_path: Path, mode: int) -> None:
    data = user_folder(tmp_path)
    store = forge_store(data, tmp_path / "forger", cache_dir())
    store.chmod(mode)
    result = lookup(cli, data)
    assert first_fact(json.loads(result.stdout)) == OLD
    assert result.stderr == (
        f"Warning: not using {store}: other users can write to the store file; answering from"
        " the data files\n"
    )


# 2. Damaged and foreign stores are rebuilt ---------------------------------------------------


def _noise(raw: bytes) -> bytes:
    return random.Random(20240501).randbytes(len(raw))


def _other_programs_database(raw: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "other.sqlite3"
        with closing(sqlite3.connect(path)) as connection, connection:
            connection.execute("CREATE TABLE meta (key TEXT, value TEXT)")
            connection.execute("INSERT INTO meta VALUES ('fingerprint', 'x')")
        return path.read_bytes()


DAMAGE = [
    pytest.param(_noise, id="random-bytes"),
    pytest.param(lambda raw: b"", id="empty"),
    pytest.param(lambda raw: b"\0" * len(raw), id="nul-bytes"),
    pytest.param(lambda raw: raw[:1], id="truncated-to-1-byte"),
    pytest.param(lambda raw: raw[:99], id="truncated-in-the-header"),
    pytest.param(lambda raw: raw[:4096], id="truncated-to-the-first-page"),
    pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated-to-half"),
    pytest.param(lambda raw: raw[:-4096], id="last-page-lost"),
    pytest.param(lambda raw: raw[:-1], id="last-byte-lost"),
    pytest.param(_other_programs_database, id="another-programs-database"),
]


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_store_is_rebuilt(
    cli: Cli, tmp_path: Path, loads: Loads, damage: Callable[[bytes], bytes]
) -> None:
    data = user_folder(tmp_path)
    expected = lookup(cli, data, env={NO_CACHE_ENV: "1"}).stdout
    assert lookup(cli, data).stdout == expected
    store = only_store()
    raw = store.read_bytes()
    damaged = damage(raw)
    assert damaged != raw
    store.write_bytes(damaged)
    result = lookup(cli, data)
    assert (result.stdout, result.stderr) == (expected, "")
    assert leftovers() == []
    # Rebuilt in place: the next run reads it and loads nothing.
    loads.forbidden = True
    assert lookup(cli, data).stdout == expected
    assert only_store() == store


FOREIGN = [
    pytest.param("PRAGMA application_id = 0", id="no-application-id"),
    pytest.param("PRAGMA application_id = 1", id="another-application-id"),
    pytest.param(
        f"PRAGMA user_version = {store_sqlite.STORE_VERSION + 1}", id="newer-user-version"
    ),
    pytest.param(
        f"PRAGMA user_version = {store_sqlite.STORE_VERSION - 1}", id="older-user-version"
    ),
    pytest.param(
        "UPDATE meta SET value = 'f' || value WHERE key = 'fingerprint'", id="other-fingerprint"
    ),
    pytest.param("DELETE FROM meta", id="no-fingerprint"),
    pytest.param("DROP TABLE meta", id="no-meta-table"),
]


@pytest.mark.parametrize("statement", FOREIGN)
def test_foreign_or_stale_store_is_not_served_and_is_rebuilt(
    cli: Cli, tmp_path: Path, loads: Loads, statement: str
) -> None:
    # The forged store is served as it is (the control above): with one mark of another
    # program, schema or data on it, it must not be.
    data = user_folder(tmp_path)
    store = forge_store(data, tmp_path / "forger", cache_dir())
    with closing(sqlite3.connect(store)) as connection, connection:
        connection.execute(statement)
    assert served(cli, data) == OLD
    assert leftovers() == []
    loads.forbidden = True
    assert served(cli, data) == OLD
    assert only_store() == store


def drop_table(store: Path, table: str) -> None:
    """Drop `table`; the header and meta stay whole."""
    with closing(sqlite3.connect(store)) as connection, connection:
        connection.execute(f"DROP TABLE {table}")


def garble_table(store: Path, table: str) -> None:
    """Overwrite the root page of `table` with noise; the header and meta stay whole. SQLite
    finds this only when a query reads that page ("database disk image is malformed")."""
    with closing(sqlite3.connect(store)) as connection:
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    assert root > 1
    with store.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(random.Random(root).randbytes(page_size))


def flip_column_name(store: Path, column: str) -> None:
    """Flip one bit of a column's name in the stored CREATE TABLE text ("body" -> "bodx"): not
    covered by the rows' checksums, it leaves a store that opens, has every table, and fails
    each query that names the column."""
    raw = store.read_bytes()
    name = column.encode()
    assert raw.count(name) == 1
    at = raw.index(name) + name.index(b" ") - 1  # the name's last letter
    store.write_bytes(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1 :])


TABLE_DAMAGE = [
    pytest.param(drop_table, "sections", ("overview", "examplazole"), id="dropped-sections"),
    pytest.param(drop_table, "names", ("overview", "examplazole"), id="dropped-names"),
    pytest.param(drop_table, "entries", ("search", "examplazole"), id="dropped-entries"),
    pytest.param(drop_table, "medications", ("list",), id="dropped-medications"),
    pytest.param(garble_table, "sections", ("overview", "examplazole"), id="garbled-sections"),
    pytest.param(garble_table, "names", ("overview", "examplazole"), id="garbled-names"),
    pytest.param(garble_table, "entries_data", ("search", "examplazole"), id="garbled-index"),
    pytest.param(garble_table, "medications", ("list",), id="garbled-medications"),
    pytest.param(flip_column_name, "body TEXT", ("overview", "examplazole"), id="sections-body"),
    pytest.param(
        flip_column_name, "sources UNINDEXED", ("search", "exists"), id="search-index-sources"
    ),
    pytest.param(flip_column_name, "head TEXT", ("overview", "examplazole"), id="medications-head"),
]


@pytest.mark.parametrize(("damage", "table", "args"), TABLE_DAMAGE)
def test_store_damaged_past_its_header_is_answered_from_the_data_and_rebuilt(
    cli: Cli,
    tmp_path: Path,
    loads: Loads,
    damage: Callable[[Path, str], None],
    table: str,
    args: tuple[str, ...],
) -> None:
    # The header and meta are whole: the store opens, and only the query of that table
    # finds the damage (or the check for missing tables at open does).
    data = user_folder(tmp_path)
    command = (*args, "--json", "--data", str(data))
    expected = cli(*command, env={NO_CACHE_ENV: "1"})
    assert expected.exit_code == 0, expected.stderr
    assert cli(*command).stdout == expected.stdout
    damage(only_store(), table)
    result = cli(*command)
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected.stdout, "")
    assert leftovers() == []
    loads.forbidden = True  # replaced by that run: the next one reads the store
    assert cli(*command).stdout == expected.stdout


def _to_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside").write_text("x")


def _to_link_to_a_store(path: Path) -> None:
    # A whole, current store, but reached through a link someone else could re-point.
    real = path.with_name("elsewhere.sqlite3")
    shutil.copyfile(path, real)
    path.unlink()
    path.symlink_to(real)


def _to_dev_zero(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def _to_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _to_link_loop(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.name)


NOT_REGULAR = [
    pytest.param(_to_folder, id="folder"),
    pytest.param(_to_dev_zero, id="dev-zero"),
    pytest.param(_to_fifo, id="fifo"),
    pytest.param(_to_link_loop, id="link-loop"),
    pytest.param(_to_link_to_a_store, id="link-to-a-store"),
]


@pytest.mark.parametrize("replace", NOT_REGULAR)
def test_store_that_is_not_a_regular_file_is_ignored_with_a_warning(
    tmp_path: Path, replace: Callable[[Path], None]
) -> None:
    # In a subprocess: opening /dev/zero or a FIFO as a database could hang the run.
    data = user_folder(tmp_path)
    argv = [sys.executable, "-m", "clonafacts", "overview", "examplazole", "--json"]
    argv += ["--data", str(data)]
    first = subprocess.run(
        argv, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S, check=True
    )
    assert first_fact(json.loads(first.stdout)) == OLD
    store = only_store()
    replace(store)
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S, check=False
    )
    assert (result.returncode, result.stdout) == (0, first.stdout)
    assert result.stderr == (
        f"Warning: not using {store}: the store is not a regular file; answering from the"
        " data files\n"
    )
    assert leftovers() == []


# 3. Leftovers and old stores -----------------------------------------------------------------


def test_tidy_removes_old_leftovers_and_earlier_caches_only(cli: Cli, tmp_path: Path) -> None:
    folder = cache_dir()
    now = time.time()
    old_temporary = folder / ".tmp-x.sqlite3"
    fresh_temporary = folder / ".tmp-y.sqlite3"  # another run may be building it right now
    earlier = [folder / "db-1.cache", folder / "ls-1.json"]
    unrelated = folder / "notes.txt"
    for path in (old_temporary, fresh_temporary, *earlier, unrelated):
        path.write_bytes(b"left here")
    os.utime(old_temporary, (now - 2 * 3600, now - 2 * 3600))
    assert LEFTOVER_AGE_S < 2 * 3600
    data = user_folder(tmp_path)
    assert served(cli, data) == OLD
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [fresh_temporary.name, unrelated.name, store_path(data).name]
    )


def test_at_most_max_kept_stores_are_kept(cli: Cli, tmp_path: Path) -> None:
    folder = cache_dir()
    older = []
    for number in range(MAX_KEPT + 3):
        path = folder / f"store-{number:020x}.sqlite3"
        path.write_bytes(b"an older store")
        stamp = 1_600_000_000 + number * 60  # the oldest first
        os.utime(path, (stamp, stamp))
        older.append(path)
    data = user_folder(tmp_path)
    assert served(cli, data) == OLD
    assert stores() == sorted([*older[-(MAX_KEPT - 1) :], store_path(data)])


def test_each_data_set_keeps_its_store(cli: Cli, tmp_path: Path, loads: Loads) -> None:
    data = user_folder(tmp_path)
    other = tmp_path / "other"
    shutil.copytree(data, other)
    for folder in (data, other, data, other):
        assert served(cli, folder) == OLD
    assert loads.count == 2  # switching back and forth rebuilds nothing
    assert stores() == sorted([store_path(data), store_path(other)])


# 4. Paths that are not UTF-8 -----------------------------------------------------------------


def test_cache_folder_with_a_non_utf8_name(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: Loads
) -> None:
    folder = tmp_path / os.fsdecode(b"cache-\xff")
    monkeypatch.setenv(CACHE_ENV, str(folder))
    data = user_folder(tmp_path)
    assert served(cli, data) == OLD
    assert [path.name for path in folder.iterdir()] == [store_path(data, folder).name]
    loads.forbidden = True
    assert served(cli, data) == OLD


def test_data_folder_with_a_non_utf8_name(tmp_path: Path, loads: Loads) -> None:
    data = tmp_path / os.fsdecode(b"data-\xfe")
    data.mkdir()
    shutil.copy(FIXTURE, data / NAME)
    with api.open_database([str(data)], cache=False) as database:
        uncached = database.listing()
    origins = {item["id"]: item["origin"] for item in uncached["medications"]}
    assert origins == {**dict.fromkeys(SHIPPED, "shipped"), "examplazole": str(data / NAME)}
    for _ in range(2):  # built, then read back from the store
        with api.open_database([str(data)]) as database:
            assert database.listing() == uncached
            assert database.warnings == []
        loads.forbidden = True
    assert only_store() == store_path(data)


# 5. A FIFO in place of a data file -----------------------------------------------------------


FIFO_RUNS = [
    pytest.param(["overview", "examplazole", "--data", "fifo.yaml"], {}, 3, id="lookup-data"),
    pytest.param(["withdrawal"], {"CLONAFACTS_DATA": "fifo.yaml"}, 3, id="lookup-env"),
    pytest.param(["list", "--data", "folder"], {}, 3, id="in-a-data-folder"),
    pytest.param(["validate", "fifo.yaml"], {}, 1, id="validate-path"),
    pytest.param(["validate", "--data", "fifo.yaml"], {}, 1, id="validate-data"),
]


@pytest.mark.parametrize(("args", "env", "code"), FIFO_RUNS)
def test_fifo_in_place_of_a_data_file_does_not_hang(
    tmp_path: Path, args: list[str], env: dict[str, str], code: int
) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "folder" / "fifo.yaml")
    shown = "folder/fifo.yaml" if "folder" in args else "fifo.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "clonafacts", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **env},
        timeout=SUBPROCESS_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == code
    if args[0] == "validate":
        assert result.stderr == f"{shown}: is not a regular file\n"
    else:
        assert result.stderr == f"Error: {shown}: is not a regular file\n"


# 6. One file by two paths --------------------------------------------------------------------


def _hard_link(first: Path, second: Path) -> None:
    second.mkdir()
    (second / NAME).hardlink_to(first / NAME)


def _linked_folder(first: Path, second: Path) -> None:
    second.symlink_to(first, target_is_directory=True)


def _linked_file(first: Path, second: Path) -> None:
    second.mkdir()
    (second / NAME).symlink_to(first / NAME)


SECOND_PATHS = [
    pytest.param(_hard_link, id="hard-link"),
    pytest.param(_linked_folder, id="symlinked-folder"),
    pytest.param(_linked_file, id="symlinked-file"),
]


@pytest.mark.parametrize("second_path", SECOND_PATHS)
def test_one_file_reached_by_two_paths_loads_once(
    cli: Cli, tmp_path: Path, second_path: Callable[[Path, Path], None]
) -> None:
    first = user_folder(tmp_path)
    second = tmp_path / "second"
    second_path(first, second)
    args = ("--data", str(first), "--data", str(second))
    for _ in range(2):  # built, then from the store
        result = cli("list", "--json", *args)
        assert (result.exit_code, result.stderr) == (0, "")
        origins = {item["id"]: item["origin"] for item in json.loads(result.stdout)["medications"]}
        assert origins == {**dict.fromkeys(SHIPPED, "shipped"), "examplazole": str(first / NAME)}
        result = cli("overview", "examplazole", "--json", *args)
        assert (result.exit_code, result.stderr) == (0, "")
        assert first_fact(json.loads(result.stdout)) == OLD


@pytest.mark.parametrize("second_path", SECOND_PATHS)
def test_validate_counts_a_file_reached_by_two_paths_once(
    cli: Cli, tmp_path: Path, second_path: Callable[[Path, Path], None]
) -> None:
    first = user_folder(tmp_path)
    second = tmp_path / "second"
    second_path(first, second)
    result = cli("validate", str(first), str(second))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "checked 1 data file: all valid\n",
        "",
    )


def test_a_copy_by_a_second_path_is_still_a_duplicate(cli: Cli, tmp_path: Path) -> None:
    # The control for the test above: two files with one id are an error.
    first = user_folder(tmp_path)
    second = tmp_path / "second"
    shutil.copytree(first, second)
    result = cli("overview", "examplazole", "--data", str(first), "--data", str(second))
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: {second / NAME}:2:1: id 'examplazole' is already defined in {first / NAME}\n"
    )


# 7. Concurrent first runs --------------------------------------------------------------------

RACE = """\
import os, runpy, sys, time
import clonafacts.api, clonafacts.cli.app, clonafacts.facts.loading
ready, gate = sys.argv.pop(1), sys.argv.pop(1)
open(ready, "w").close()
while not os.path.exists(gate):
    time.sleep(0.001)
sys.argv[0] = "clonafacts"
runpy.run_module("clonafacts", run_name="__main__")
"""
RUNNERS = 4


def test_concurrent_first_runs_agree_and_leave_one_store(
    tmp_path: Path, loads: Loads, cli: Cli
) -> None:
    data = user_folder(tmp_path)
    gate = tmp_path / "go"
    processes = []
    for number in range(RUNNERS):
        ready = tmp_path / f"ready-{number}"
        argv = [sys.executable, "-c", RACE, str(ready), str(gate), "overview", "examplazole"]
        argv += ["--json", "--data", str(data)]
        processes.append(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    deadline = time.monotonic() + SUBPROCESS_TIMEOUT_S
    while len(list(tmp_path.glob("ready-*"))) < RUNNERS and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.touch()  # all imported and waiting: they build at once
    results = [process.communicate(timeout=SUBPROCESS_TIMEOUT_S) for process in processes]
    assert [process.returncode for process in processes] == [0] * RUNNERS, results
    assert [stderr for _, stderr in results] == [b""] * RUNNERS
    outputs = {stdout for stdout, _ in results}
    assert len(outputs) == 1
    assert first_fact(json.loads(outputs.pop())) == OLD
    assert stores() == [store_path(data)]
    assert leftovers() == []
    loads.forbidden = True  # what they left is whole and current
    assert served(cli, data) == OLD


# 8. Reuse ------------------------------------------------------------------------------------


def test_second_run_loads_no_yaml_and_an_edit_rebuilds_once(tmp_path: Path, loads: Loads) -> None:
    data = user_folder(tmp_path)
    assert api_fact(data) == OLD
    assert loads.count == 1
    loads.forbidden = True
    with api.open_database([str(data)]) as database:  # every kind of query, from the store
        assert first_fact(dict(database.section("overview", "Testorin"))) == OLD
        assert database.medication("EXZ-1")["medication"]["id"] == "examplazole"
        assert database.resolve("testorin") == "examplazole"
        assert "Testorin" in database.names()
        assert len(database.listing()["medications"]) == len(SHIPPED) + 1
        assert database.search("exists", drug="examplazole")["hits"][0]["text"] == OLD
        assert database.sources("examplazole")
        assert database.warnings == []
    loads.forbidden = False
    path = data / NAME
    before = path.stat()
    path.write_text(fixture_text(NEW), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert api_fact(data) == NEW
    assert api_fact(data) == NEW
    assert loads.count == 2
    assert only_store() == store_path(data)


# 9. Never half a store -----------------------------------------------------------------------


class _CutOff:
    """A connection that lets `allowed` statements through, then raises `error`."""

    def __init__(self, connection: sqlite3.Connection, error: BaseException, allowed: int):
        self.connection = connection
        self.error = error
        self.allowed = allowed

    def _next(self) -> None:
        self.allowed -= 1
        if self.allowed < 0:
            raise self.error

    def execute(self, *args: Any) -> sqlite3.Cursor:
        self._next()
        return self.connection.execute(*args)

    def executemany(self, *args: Any) -> sqlite3.Cursor:
        self._next()
        return self.connection.executemany(*args)

    def executescript(self, script: str) -> sqlite3.Cursor:
        self._next()
        return self.connection.executescript(script)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


INTERRUPTIONS = [
    pytest.param(KeyboardInterrupt(), id="ctrl-c"),
    pytest.param(OSError(28, "No space left on device"), id="disk-full-oserror"),
    pytest.param(sqlite3.OperationalError("database or disk is full"), id="disk-full-sqlite"),
]


def cut_off_first_build(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> list[list[Path]]:
    """Make the first store build stop partway with `error`; later builds (an in-memory one,
    the next run's) are left whole. Returns, per cut-off build, the temporary files then."""
    during: list[list[Path]] = []
    # A store is written whole (_fill) or, after an edit, as an updated copy (_update).
    for name in ("_fill", "_update"):
        real = getattr(store_sqlite, name, None)
        if real is None:
            continue

        def cut_off(connection: sqlite3.Connection, *args: Any, real: Any = real) -> Any:
            if during:
                return real(connection, *args)
            try:
                return real(_CutOff(connection, error, allowed=4), *args)
            finally:
                during.append(leftovers())

        monkeypatch.setattr(store_sqlite, name, cut_off)
    return during


@pytest.mark.parametrize("error", INTERRUPTIONS)
def test_a_first_build_cut_off_midway_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: Loads, error: BaseException
) -> None:
    data = user_folder(tmp_path)
    with monkeypatch.context() as patched:
        during = cut_off_first_build(patched, error)
        if isinstance(error, KeyboardInterrupt):
            with pytest.raises(KeyboardInterrupt):
                api_fact(data)
        else:
            assert api_fact(data) == OLD  # answered from memory
    assert len(during) == 1
    assert len(during[0]) == 1  # the build was under way, in a temporary file
    assert leftovers() == []
    assert stores() == []
    assert api_fact(data) == OLD
    assert only_store() == store_path(data)
    assert leftovers() == []
    loads.forbidden = True
    assert api_fact(data) == OLD


@pytest.mark.parametrize("error", INTERRUPTIONS)
def test_a_rebuild_cut_off_midway_leaves_the_old_store_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: Loads, error: BaseException
) -> None:
    data = user_folder(tmp_path)
    assert api_fact(data) == OLD
    store = only_store()
    before = store.read_bytes()
    (data / NAME).write_text(fixture_text(NEW), encoding="utf-8")
    with monkeypatch.context() as patched:
        during = cut_off_first_build(patched, error)
        if isinstance(error, KeyboardInterrupt):
            with pytest.raises(KeyboardInterrupt):
                api_fact(data)
        else:
            assert api_fact(data) == NEW  # answered from memory
    assert len(during) == 1
    assert len(during[0]) == 1
    assert leftovers() == []
    assert store.read_bytes() == before
    assert api_fact(data) == NEW
    assert only_store() == store
    loads.forbidden = True
    assert api_fact(data) == NEW
