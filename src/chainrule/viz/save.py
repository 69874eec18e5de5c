"""Graph.save(path): the format follows the file's extension."""

import sys
from pathlib import Path

from .dot import to_dot
from .page import to_html
from .render import GraphvizNotFoundError, LayoutLibraryNotFoundError, render_dot

_GRAPHVIZ = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def save(graph, path, **kwargs):
    """Write .html (self-contained, step-through), .dot, or .svg/.png/.pdf (Graphviz).

    Returns the path written. Where the tool a format needs is not installed, nothing is
    written: the message says what to install and what to use instead, printed to stderr
    rather than raised (a learner gets the advice, not a traceback), and None is returned.
    """
    try:
        return _save(graph, Path(path), **kwargs)
    except (GraphvizNotFoundError, LayoutLibraryNotFoundError) as e:
        print(f"chainrule.viz: {path} was not written. {e}", file=sys.stderr)
        return None


def _save(graph, path, **kwargs):
    ext = path.suffix.lower()
    if ext in (".html", ".htm"):
        text = to_html(graph, **kwargs)
        path.write_text(text, encoding="utf-8")
    elif ext in (".dot", ".gv"):
        path.write_text(to_dot(graph, **kwargs), encoding="utf-8")
    elif ext in _GRAPHVIZ:
        data = render_dot(to_dot(graph, **kwargs), _GRAPHVIZ[ext])
        path.write_bytes(data)
    else:
        raise ValueError(
            f"cannot save a graph as {path.name!r}: use .html, .dot, .svg, .png or .pdf"
        )
    return path
