"""JSON output: the document itself, indented, UTF-8, newline-terminated; never Rich."""

from __future__ import annotations

import json
from typing import Any

from clonafacts.render.options import RenderOptions


def render(document: dict[str, Any], options: RenderOptions) -> str:
    # On a stdout that cannot take Unicode, \u escapes keep the JSON exact.
    return json.dumps(document, indent=2, ensure_ascii=not options.unicode) + "\n"
