"""Graphviz's `dot`: the one outside tool a picture may use, for .png and .pdf.

Optional. chainrule draws .svg and the HTML page itself; .png/.pdf go through
the DOT text (dot.py) and `dot`. Without it they raise GraphvizNotFoundError,
whose message names the install and the alternatives that need none.
"""

import shutil
import subprocess


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program is needed for this output and is not installed."""


def graphviz_available():
    return shutil.which("dot") is not None


def render_dot(dot_text, fmt):
    """Run `dot -T<fmt>` on DOT text; the rendered bytes."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizNotFoundError(
            f"Writing .{fmt} needs Graphviz's `dot` program, which is not installed. "
            "Install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
            "graphviz; conda: conda install graphviz), or save the graph as .svg or .html "
            "instead (graph.save('graph.svg'), graph.save('graph.html')): chainrule draws "
            "those itself."
        )
    done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"dot -T{fmt} failed: {done.stderr.decode('utf-8', 'replace')}")
    return done.stdout
