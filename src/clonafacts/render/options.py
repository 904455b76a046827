"""What a renderer needs to know about where its output goes."""

from __future__ import annotations

from typing import NamedTuple


class RenderOptions(NamedTuple):
    width: int = 100
    color: bool = False  # escape codes for colour and style
    unicode: bool = True  # box drawing and symbols; ASCII otherwise
    show_sources: bool = False  # numbered markers and full citations
    #: Whether the text goes to a terminal: only there is it framed (panels, rules, tables);
    #: anywhere else it is plain lines, as text piped to a pager, a file or a diff should be.
    terminal: bool = False
    brief: bool = False  # key facts and the names of structured entries only
