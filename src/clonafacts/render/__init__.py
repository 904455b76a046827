"""Renderers: one per output format, chosen through RENDERERS.

Each renderer is a pure function from an output document to text. They are imported only
when used, so JSON output never pays for Rich, nor text output for YAML.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from clonafacts.render.options import RenderOptions

Renderer = Callable[[dict[str, Any], RenderOptions], str]

#: format name -> module that defines `render(document, options) -> str`
RENDERERS: dict[str, str] = {
    "text": "clonafacts.render.text",
    "json": "clonafacts.render.json_format",
    "yaml": "clonafacts.render.yaml_format",
    "markdown": "clonafacts.render.markdown",
}

FORMATS = tuple(RENDERERS)


def renderer_for(format_name: str) -> Renderer:
    render: Renderer = import_module(RENDERERS[format_name]).render
    return render


__all__ = ["FORMATS", "RENDERERS", "RenderOptions", "Renderer", "renderer_for"]
