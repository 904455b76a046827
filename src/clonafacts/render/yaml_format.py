"""YAML output: the same content as JSON, in block style."""

from __future__ import annotations

import re
from typing import Any

import yaml

from clonafacts.errors import SURROGATES, printable
from clonafacts.render.options import RenderOptions

try:
    from yaml import CSafeDumper as _SafeDumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _SafeDumper  # type: ignore[assignment]


class _Dumper(_SafeDumper):
    """Text with a line break or a control character is written double-quoted, with escapes:
    one value, one line, however it was named."""


def _represent_text(dumper: _Dumper, text: str) -> yaml.Node:
    style = '"' if _CONTROL.search(text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_Dumper.add_representer(str, _represent_text)

_SURROGATE = re.compile(f"[{SURROGATES}]")
# YAML escapes C0 and C1 controls itself, but writes bidi overrides as they are.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def render(document: dict[str, Any], options: RenderOptions) -> str:
    plain, bidi = _yaml_safe(document)
    text: str = yaml.dump(
        plain,
        Dumper=_Dumper,
        sort_keys=False,
        # With a bidi override anywhere, every non-ASCII character is written as an escape.
        allow_unicode=options.unicode and not bidi,
        width=1_000_000,
    )
    return text


def _yaml_safe(node: Any) -> tuple[Any, bool]:
    """The document with bytes that are not UTF-8 (in a file name) written as \\xNN escapes,
    which YAML cannot carry as they are; and whether it holds a bidi override."""
    if isinstance(node, str):
        if _SURROGATE.search(node):
            node = _SURROGATE.sub(lambda match: printable(match.group()), node)
        return node, bool(_BIDI.search(node))
    if isinstance(node, dict):
        pairs = [(key, _yaml_safe(value)) for key, value in node.items()]
        return {key: value for key, (value, _) in pairs}, any(bidi for _, (_, bidi) in pairs)
    if isinstance(node, list):
        items = [_yaml_safe(value) for value in node]
        return [value for value, _ in items], any(bidi for _, bidi in items)
    return node, False
