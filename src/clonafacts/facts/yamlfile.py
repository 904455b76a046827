"""Read one YAML data file into plain Python data, remembering where every value came from.

Rather than `yaml.load`, we walk the parser's event stream ourselves. That keeps the reading
safe and bounded: only plain scalars, mappings and lists are built, no tag ever constructs an
object, aliases are refused (no expansion bombs), duplicate keys are errors, nesting and size
are capped, and every value keeps its line and column for error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from clonafacts.errors import Problem
from clonafacts.facts.limits import MAX_DEPTH, MAX_NODES
from clonafacts.store.discovery import UnreadableFile, read_data_file

try:  # The C parser is much faster; the pure-Python one behaves the same.
    from yaml import CSafeLoader as _Loader

    _C_PARSER = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _C_PARSER = False

Location = tuple[int, int]  # 1-based line and column
PathKey = tuple[str | int, ...]


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


def decode(raw: bytes, shown: str) -> str:
    """A data file's text: UTF-8 (a BOM allowed) with no NUL bytes."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        line, column = _position(raw, raw.index(b"\x00"))
        raise YamlFileError(
            Problem(shown, "binary content (NUL byte); not a YAML file", line, column)
        )
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
    except yaml.reader.ReaderError as error:
        # libyaml counts the position in UTF-8 bytes, the pure-Python reader in characters.
        if _C_PARSER:
            line, column = _position(text.encode("utf-8", "surrogateescape"), error.position)
        else:
            line = text.count("\n", 0, error.position) + 1
            column = error.position - text.rfind("\n", 0, error.position)
        raise YamlFileError(
            Problem(
                shown,
                f"control character U+{error.character:04X} is not allowed in YAML",
                line,
                column,
            )
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "invalid YAML"
        if "tab" in message or (mark is not None and _tab_at(text, mark)):
            message = "tab character; YAML is indented with spaces only"
        raise _fail(shown, f"YAML syntax error: {message}", mark) from None
    except yaml.YAMLError as error:
        raise _fail(shown, f"YAML error: {error}") from None
    finally:
        loader.dispose()


def _tab_at(text: str, mark: Any) -> bool:
    lines = text.split("\n")
    if mark.line >= len(lines):
        return False
    line: str = lines[mark.line]
    return line[mark.column : mark.column + 1] == "\t"


def load(path: Path, shown: str | None = None) -> YamlDocument:
    """Read, decode and parse one data file, with every value located."""
    shown = str(path) if shown is None else shown
    try:
        raw, _ = read_data_file(str(path))
    except UnreadableFile as error:
        raise _fail(shown, str(error)) from None
    return parse(decode(raw, shown), shown)


# The plain scalars that stay text: `resolve` is asked only about the others.
_PLAIN_TEXT = re.compile(r"[A-Za-z][^:#]*\Z")
_SPECIAL_WORDS = frozenset(
    [
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "null",
        "Null",
        "NULL",
    ]
)


def parse_fast(text: str) -> Any:
    """The data of the YAML text when it is plain data with nothing unusual in it; None
    otherwise (also for every error), so that `parse` finds and locates the problem.

    Why: building every value's position costs more than the rest of loading together, and
    it is needed only to report a problem. What this accepts, `parse` accepts alike: one
    document of mappings, lists and untagged text, numbers, booleans and nulls, string keys
    without duplicates, within the depth and size caps.
    """
    loader = _Loader(text)
    try:
        return _fast_build(loader)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _fast_build(loader: Any) -> Any:
    get_event = loader.get_event
    scalar, mapping_start, sequence_start = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.SequenceStartEvent,
    )
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    framing = (yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.DocumentEndEvent)
    # Each open container, and for a mapping the key awaiting its value (None: a key next).
    containers: list[Any] = []
    keys: list[Any] = []
    root: Any = None
    nodes = documents = 0
    while True:
        event = get_event()
        kind = event.__class__
        if kind is scalar:
            if event.anchor is not None or event.tag not in (None, "!"):
                return None
            value = event.value
            if (
                not event.style
                and event.implicit[0]
                and not (_PLAIN_TEXT.match(value) and value not in _SPECIAL_WORDS)
            ):
                value = _resolved(loader, event)
                if value is _UNUSUAL:
                    return None
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag not in (None, "!"):
                return None
            if containers and keys[-1] is None and type(containers[-1]) is dict:
                return None  # a mapping or list as a key
            if len(containers) >= MAX_DEPTH:
                return None
            nodes += 1
            containers.append({} if kind is mapping_start else [])
            keys.append(None)
            continue
        elif kind in closing:
            value = containers.pop()
            keys.pop()
        elif kind in framing:
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return None
            continue
        elif kind is yaml.StreamEndEvent:
            return root
        else:  # an alias
            return None
        nodes += kind is scalar
        if nodes > MAX_NODES:
            return None
        if not containers:
            root = value
            continue
        container = containers[-1]
        if type(container) is list:
            container.append(value)
        elif keys[-1] is None:
            if type(value) is not str or value in container:
                return None  # a key that is not text, or a duplicate
            keys[-1] = value
        else:
            container[keys[-1]] = value
            keys[-1] = None


_UNUSUAL = object()


def _resolved(loader: Any, event: Any) -> Any:
    """A plain scalar's value, or _UNUSUAL for anything but text, numbers, booleans, null."""
    tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    kind = tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else ""
    if kind not in ("str", "int", "float", "bool", "null"):
        return _UNUSUAL
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    return loader.yaml_constructors[tag](loader, node)


@dataclass(slots=True)
class _Frame:
    """A mapping or list being built, with its path; for mappings, the key awaiting a value."""

    container: dict[str, Any] | list[Any]
    path: PathKey
    key: str | None = None
    seen: set[str] = field(default_factory=set)

    @property
    def wants_key(self) -> bool:
        return isinstance(self.container, dict) and self.key is None

    def child_path(self) -> PathKey:
        if isinstance(self.container, dict):
            return self.path if self.key is None else (*self.path, self.key)
        return (*self.path, len(self.container))

    def add(self, value: Any) -> None:
        if isinstance(self.container, dict):
            assert self.key is not None
            self.container[self.key] = value
            self.key = None
        else:
            self.container.append(value)


def _at(mark: Any) -> Location:
    return (mark.line + 1, mark.column + 1)


class _Builder:
    """Turns parser events into data with an explicit stack (no recursion, so no depth crash)."""

    def __init__(self, loader: Any, path: str) -> None:
        self.loader = loader
        self.path = path
        self.doc = YamlDocument(path, None)

    def build(self) -> YamlDocument:
        stack: list[_Frame] = []
        root: Any = None
        documents = nodes = 0
        while True:
            event = self.loader.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self._error(
                        "a data file holds exactly one YAML document; found a second one", event
                    )
                continue
            if isinstance(event, yaml.StreamStartEvent | yaml.DocumentEndEvent):
                continue
            if isinstance(event, yaml.AliasEvent):
                raise self._error("aliases (*name) are not supported in data files", event)
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                value = stack.pop().container
                if stack:
                    stack[-1].add(value)
                else:
                    root = value
                continue
            # A node starts: a scalar, a mapping or a list.
            nodes += 1
            if nodes > MAX_NODES:
                raise self._error(f"too many values (over {MAX_NODES:,})", event)
            if event.anchor is not None:
                raise self._error("anchors (&name) are not supported in data files", event)
            parent = stack[-1] if stack else None
            if isinstance(event, yaml.ScalarEvent):
                value = self._scalar(event)
                if parent is not None and parent.wants_key:
                    self._set_key(parent, value, event)
                    continue
                self.doc.locations[parent.child_path() if parent else ()] = _at(event.start_mark)
                if parent is None:
                    root = value
                else:
                    parent.add(value)
                continue
            is_mapping = isinstance(event, yaml.MappingStartEvent)
            self._check_tag(event, "map" if is_mapping else "seq")
            if parent is not None and parent.wants_key:
                raise self._error("mapping keys must be plain strings", event)
            if len(stack) >= MAX_DEPTH:
                raise self._error(f"nested more than {MAX_DEPTH} levels deep", event)
            here = parent.child_path() if parent else ()
            self.doc.locations[here] = _at(event.start_mark)
            stack.append(_Frame({} if is_mapping else [], here))
        if root is None:
            raise _fail(self.path, "the file holds no data (it is empty or null)")
        self.doc.data = root
        return self.doc

    def _error(self, message: str, event: Any) -> YamlFileError:
        return _fail(self.path, message, event.start_mark)

    def _set_key(self, frame: _Frame, key: Any, event: Any) -> None:
        if not isinstance(key, str):
            raise self._error(f"mapping keys must be text, not {_kind(key)}", event)
        if key in frame.seen:
            raise self._error(f"duplicate key {key!r}", event)
        frame.seen.add(key)
        frame.key = key
        self.doc.key_locations[(*frame.path, key)] = _at(event.start_mark)

    def _check_tag(self, event: Any, kind: str) -> None:
        tag = event.tag
        if tag is None or tag == "!" or tag == f"tag:yaml.org,2002:{kind}":
            return
        raise self._error(f"tag {_short_tag(tag)!r} is not allowed in data files", event)

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        kind = tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else ""
        if kind not in ("str", "int", "float", "bool", "null"):
            if event.tag not in (None, "!"):
                raise self._error(
                    f"tag {_short_tag(event.tag)!r} is not allowed in data files", event
                )
            if kind in ("value", "merge"):  # `=` and `<<` mean something to YAML
                raise self._error(f"{event.value!r} has a special meaning in YAML; quote it", event)
            raise self._error(
                f"{kind or 'tagged'} values are not supported; quote the value to make it text",
                event,
            )
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.loader.yaml_constructors[tag](self.loader, node)
        except (ValueError, KeyError, TypeError, IndexError, yaml.YAMLError):
            # An explicit tag on a value it does not fit, such as `!!int abc`.
            raise self._error(f"{event.value!r} is not a valid {kind}", event) from None


def _short_tag(tag: str) -> str:
    """`tag:yaml.org,2002:python/object` -> `!!python/object`, as the author wrote it."""
    return (
        "!!" + tag.removeprefix("tag:yaml.org,2002:")
        if tag.startswith("tag:yaml.org,2002:")
        else tag
    )


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", type(None): "null"}.get(
        type(value), type(value).__name__
    )
