"""Graph.save(path): the format follows the file's extension."""

import sys
from pathlib import Path

from .dot import to_dot
from .page import to_html
from .render import GraphvizNotFoundError, render_dot
from .svg import to_svg

_GRAPHVIZ = {".png": "png", ".pdf": "pdf"}


def save(graph, path, **kwargs):
    """Write .html (self-contained, step-through), .svg, .dot, or .png/.pdf (Graphviz).

    Returns the path written. chainrule writes .html, .svg and .dot itself. Where
    Graphviz is not installed, .png/.pdf are not written: the message says what to
    install and what to use instead, printed to stderr rather than raised (a learner
    gets the advice, not a traceback), and None is returned.
    """
    try:
        return _save(graph, Path(path), **kwargs)
    except GraphvizNotFoundError as e:
        print(f"chainrule.viz: {path} was not written. {e}", file=sys.stderr)
        return None


def _save(graph, path, **kwargs):
    ext = path.suffix.lower()
    if ext in (".html", ".htm"):
        path.write_text(to_html(graph, **kwargs), encoding="utf-8")
    elif ext == ".svg":
        path.write_text(to_svg(graph, **kwargs), encoding="utf-8")
    elif ext in (".dot", ".gv"):
        path.write_text(to_dot(graph, **kwargs), encoding="utf-8")
    elif ext in _GRAPHVIZ:
        path.write_bytes(render_dot(to_dot(graph, **kwargs), _GRAPHVIZ[ext]))
    else:
        raise ValueError(
            f"cannot save a graph as {path.name!r}: use .html, .svg, .dot, .png or .pdf"
        )
    return path
