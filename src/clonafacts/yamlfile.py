"""Read one YAML data file into plain Python data, remembering where every value came from.

Rather than `yaml.load`, we walk the parser's event stream ourselves. That keeps the reading
safe and bounded: only plain scalars, mappings and lists are built, no tag ever constructs an
object, aliases are refused (no expansion bombs), duplicate keys are errors, nesting and size
are capped, and every value keeps its line and column for error messages.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from clonafacts.errors import Problem
from clonafacts.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES

try:  # The C parser is much faster; the pure-Python one behaves the same.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Location = tuple[int, int]  # 1-based line and column
PathKey = tuple[str | int, ...]

# Explicit tags we accept; they all mean what the untagged value would.
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
}


@dataclass
class YamlDocument:
    """The data of one file and, for each path into it, where it stood in the file."""

    path: str
    data: Any
    locations: dict[PathKey, Location] = field(default_factory=dict)
    key_locations: dict[PathKey, Location] = field(default_factory=dict)

    def locate(self, loc: PathKey) -> Location:
        """The position of the deepest part of `loc` that exists in the file."""
        # An unknown key is best shown at the key itself.
        if loc in self.key_locations:
            return self.key_locations[loc]
        for end in range(len(loc), -1, -1):
            found = self.locations.get(loc[:end])
            if found is not None:
                return found
        return (1, 1)


class YamlFileError(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def _fail(path: str, message: str, mark: Any = None) -> YamlFileError:
    if mark is None:
        return YamlFileError(Problem(path, message))
    return YamlFileError(Problem(path, message, mark.line + 1, mark.column + 1))


def read_text(path: Path, shown: str) -> str:
    """The file's text: a regular file, within the size cap, UTF-8 with no NUL bytes."""
    try:
        info = path.stat()
    except RecursionError:
        raise _fail(shown, "cannot read: symbolic link loop") from None
    except OSError as error:
        raise _fail(shown, f"cannot read: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _fail(shown, "is a folder, not a data file")
    if not stat.S_ISREG(info.st_mode):
        raise _fail(shown, "is not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise _fail(shown, f"file is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _fail(shown, f"cannot read: {error.strerror or error}") from None
    if len(raw) > MAX_FILE_BYTES:  # grew since stat
        raise _fail(shown, f"file is over the {MAX_FILE_BYTES:,}-byte limit")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        line, column = _position(raw, raw.index(b"\x00"))
        raise YamlFileError(Problem(shown, "binary content (NUL byte); not a YAML file", line, column))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position(raw, error.start)
        raise YamlFileError(
            Problem(shown, f"not UTF-8: invalid byte 0x{raw[error.start]:02x}", line, column)
        ) from None


def _position(raw: bytes, offset: int) -> Location:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    return line, len(raw[start:offset].decode("utf-8", "replace")) + 1


def parse(text: str, shown: str) -> YamlDocument:
    """Parse YAML text holding exactly one document of plain data."""
    loader = _Loader(text)
    try:
        return _Builder(loader, shown).build()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "invalid YAML"
        if error.context and error.problem:
            message = f"{error.problem} ({error.context})"
        raise _fail(shown, f"YAML syntax error: {message}", mark) from None
    except yaml.YAMLError as error:
        raise _fail(shown, f"YAML error: {error}") from None
    finally:
        loader.dispose()


def load(path: Path, shown: str | None = None) -> YamlDocument:
    shown = str(path) if shown is None else shown
    return parse(read_text(path, shown), shown)


class _Builder:
    """Turns parser events into data with an explicit stack (no recursion, so no depth crash)."""

    def __init__(self, loader: Any, path: str) -> None:
        self.loader = loader
        self.path = path
        self.doc = YamlDocument(path, None)
        self.nodes = 0

    def build(self) -> YamlDocument:
        events = self.loader
        documents = 0
        # Each frame: [container, path, pending key (mappings), key mark, seen keys]
        stack: list[list[Any]] = []
        root: Any = None
        have_root = False
        while True:
            event = events.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _fail(
                        self.path,
                        "a data file holds exactly one YAML document; found a second one",
                        event.start_mark,
                    )
                continue
            if isinstance(event, yaml.StreamStartEvent | yaml.DocumentEndEvent):
                continue
            if isinstance(event, yaml.AliasEvent):
                raise _fail(self.path, "aliases (*name) are not supported in data files",
                            event.start_mark)
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                done = stack.pop()
                value = done[0]
                if not stack:
                    root, have_root = value, True
                else:
                    self._add(stack, value, event)
                continue
            # A node starts: scalar, mapping or sequence.
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _fail(self.path, f"too many values (over {MAX_NODES:,})", event.start_mark)
            if getattr(event, "anchor", None) is not None:
                raise _fail(self.path, "anchors (&name) are not supported in data files",
                            event.start_mark)
            here = self._child_path(stack, event)
            if isinstance(event, yaml.ScalarEvent):
                value = self._scalar(event)
                if stack and stack[-1][2] is _NO_KEY and isinstance(stack[-1][0], dict):
                    self._set_key(stack[-1], value, event)
                    continue
                self.doc.locations[here] = (event.start_mark.line + 1, event.start_mark.column + 1)
                if not stack:
                    root, have_root = value, True
                else:
                    self._add(stack, value, event)
                continue
            self._check_tag(event, "map" if isinstance(event, yaml.MappingStartEvent) else "seq")
            if stack and stack[-1][2] is _NO_KEY and isinstance(stack[-1][0], dict):
                raise _fail(self.path, "mapping keys must be plain strings", event.start_mark)
            if len(stack) >= MAX_DEPTH:
                raise _fail(self.path, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            self.doc.locations[here] = (event.start_mark.line + 1, event.start_mark.column + 1)
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            stack.append([container, here, _NO_KEY, None, set()])
        if not have_root or root is None:
            raise _fail(self.path, "the file holds no data (it is empty or null)")
        self.doc.data = root
        return self.doc

    def _child_path(self, stack: list[list[Any]], event: Any) -> PathKey:
        if not stack:
            return ()
        frame = stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, dict):
            if frame[2] is _NO_KEY:  # this node is a key
                return path
            return (*path, frame[2])
        return (*path, len(container))

    def _set_key(self, frame: list[Any], key: Any, event: Any) -> None:
        if not isinstance(key, str):
            raise _fail(self.path, f"mapping keys must be strings, not {_kind(key)}", event.start_mark)
        if key in frame[4]:
            raise _fail(self.path, f"duplicate key {key!r}", event.start_mark)
        frame[4].add(key)
        frame[2] = key
        self.doc.key_locations[(*frame[1], key)] = (
            event.start_mark.line + 1,
            event.start_mark.column + 1,
        )

    @staticmethod
    def _add(stack: list[list[Any]], value: Any, event: Any) -> None:
        frame = stack[-1]
        if isinstance(frame[0], dict):
            frame[0][frame[2]] = value
            frame[2] = _NO_KEY
        else:
            frame[0].append(value)

    def _check_tag(self, event: Any, kind: str) -> None:
        tag = event.tag
        if tag is None or tag == "!" or tag == f"tag:yaml.org,2002:{kind}":
            return
        raise _fail(self.path, f"tag {tag!r} is not allowed in data files", event.start_mark)

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is not None and tag != "!" and tag not in _STANDARD_TAGS - {
            "tag:yaml.org,2002:map",
            "tag:yaml.org,2002:seq",
        }:
            raise _fail(self.path, f"tag {tag!r} is not allowed in data files", event.start_mark)
        node = yaml.ScalarNode(
            tag or "", event.value, event.start_mark, event.end_mark, style=event.style
        )
        if not tag or tag == "!":
            node.tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        kind = node.tag.rsplit(":", 1)[-1]
        if kind not in ("str", "int", "float", "bool", "null"):
            raise _fail(
                self.path,
                f"{kind} values are not supported; quote the value to make it text",
                event.start_mark,
            )
        return self.loader.yaml_constructors[node.tag](self.loader, node)


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", type(None): "null"}.get(
        type(value), type(value).__name__
    )


_NO_KEY: Any = object()

