"""What a renderer needs to know about where its output goes."""

from __future__ import annotations

from typing import NamedTuple


class RenderOptions(NamedTuple):
    width: int = 100
    color: bool = False  # escape codes for colour and style
    unicode: bool = True  # box drawing and symbols; ASCII otherwise
    show_sources: bool = False  # numbered markers and full citations
