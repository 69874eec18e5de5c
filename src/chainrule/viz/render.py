"""The outside tools a picture may need: Graphviz's `dot`, and the JS layout library.

Both are optional. Without `dot`, .svg/.png/.pdf raise GraphvizNotFoundError,
whose message names the install and the HTML alternative. The HTML page inlines
the layout library (@dagrejs/dagre), found at CHAINRULE_VIZ_JS, else in
js/node_modules of the source checkout, else in ./node_modules; without it,
LayoutLibraryNotFoundError names the one command that installs it.
"""

import os
import shutil
import subprocess
from pathlib import Path

LIBRARY = "@dagrejs/dagre"
LIBRARY_FILE = Path("@dagrejs", "dagre", "dist", "dagre.min.js")
INSTALL_JS = "npm install --prefix js --no-package-lock"


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program is needed for this output and is not installed."""


class LayoutLibraryNotFoundError(RuntimeError):
    """The JS layout library the HTML page inlines is not installed."""


def graphviz_available():
    return shutil.which("dot") is not None


def render_dot(dot_text, fmt):
    """Run `dot -T<fmt>` on DOT text; the rendered bytes."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizNotFoundError(
            f"Writing .{fmt} needs Graphviz's `dot` program, which is not installed. "
            "Install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
            "graphviz; conda: conda install graphviz), or save the graph as .html instead "
            "(graph.save('graph.html')): one self-contained page that needs no install to view."
        )
    done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"dot -T{fmt} failed: {done.stderr.decode('utf-8', 'replace')}")
    return done.stdout


def _checkout_root():
    # src/chainrule/viz/render.py -> the repository root of a source checkout
    return Path(__file__).resolve().parents[3]


def library_path():
    """Where the layout library is, or None."""
    env = os.environ.get("CHAINRULE_VIZ_JS")
    if env:
        return Path(env) if Path(env).is_file() else None
    for base in (_checkout_root() / "js" / "node_modules", Path.cwd() / "node_modules"):
        p = base / LIBRARY_FILE
        if p.is_file():
            return p
    return None


def library_source():
    """The layout library's code and its licence, ready to inline into a <script>."""
    path = library_path()
    if path is None:
        where = os.environ.get("CHAINRULE_VIZ_JS")
        found = f" (CHAINRULE_VIZ_JS={where} is not a file)" if where else ""
        raise LayoutLibraryNotFoundError(
            f"Saving a graph as .html inlines the layout library {LIBRARY}, which is not "
            f"installed{found}. In the chainrule source checkout run:\n    {INSTALL_JS}\n"
            "(or set CHAINRULE_VIZ_JS to the path of dagre.min.js). "
            "Graphviz output (.svg, .png, .dot) does not need it."
        )
    code = path.read_text(encoding="utf-8")
    # The source-map comment points at a file the page does not carry.
    lines = [ln for ln in code.splitlines() if not ln.startswith("//# sourceMappingURL")]
    code = "\n".join(lines)
    licence = ""
    legal = path.with_name(path.name + ".LEGAL.txt")
    if legal.is_file():
        licence = legal.read_text(encoding="utf-8")
    else:
        lic = path.parents[1] / "LICENSE"
        if lic.is_file():
            licence = lic.read_text(encoding="utf-8")
    return code, licence
