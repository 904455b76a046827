"""YAML output: the same content as JSON, in block style."""

from __future__ import annotations

from typing import Any

import yaml

from clonafacts.render.options import RenderOptions

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]


def render(document: dict[str, Any], options: RenderOptions) -> str:
    text: str = yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=options.unicode, width=1_000_000
    )
    return text
