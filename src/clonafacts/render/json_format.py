"""JSON output: the document itself, indented, UTF-8, newline-terminated; never Rich."""

from __future__ import annotations

import json
import re
from typing import Any

from clonafacts.render.options import RenderOptions

# What json.dumps leaves raw but a terminal could act on (C1 controls, DEL, bidi overrides, line
# separators) and lone surrogates (bytes of a file name that are not UTF-8), which UTF-8 cannot
# carry: written as \u escapes, so the output is valid UTF-8 and the data stays exact.
_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def render(document: dict[str, Any], options: RenderOptions) -> str:
    # On a stdout that cannot take Unicode, \u escapes keep the JSON exact.
    text = json.dumps(document, indent=2, ensure_ascii=not options.unicode)
    return _RAW.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + "\n"
