"""chainrule.viz imports one way: relative imports at the top of each module, no cycle
between its modules, so no import needs to wait inside a function."""

import ast
from pathlib import Path

import chainrule.viz

VIZ = Path(chainrule.viz.__file__).parent


def _imports():
    """module -> (the viz modules it imports at its top, imports anywhere else)."""
    out = {}
    for f in sorted(VIZ.glob("*.py")):
        tree = ast.parse(f.read_text())
        top, late = set(), []
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            if node not in tree.body:
                late.append(ast.unparse(node))
            elif isinstance(node, ast.ImportFrom) and node.level == 1:
                top.update([node.module] if node.module else [a.name for a in node.names])
            elif isinstance(node, ast.Import) or node.level == 0:
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                )
                assert not any(n.startswith("chainrule") for n in names), (f.name, names)
        out[f.stem] = (top, late)
    return out


def test_no_late_imports_and_no_future_imports():
    imports = _imports()
    assert {m: late for m, (_, late) in imports.items() if late} == {}
    for f in VIZ.glob("*.py"):
        assert "from __future__" not in f.read_text(), f.name


def test_no_import_cycle():
    graph = {m: top for m, (top, _) in _imports().items()}
    done, active = set(), []

    def visit(m):
        assert m not in active, " -> ".join(active[active.index(m) :] + [m])
        if m in done:
            return
        active.append(m)
        for n in graph.get(m, ()):
            visit(n)
        active.pop()
        done.add(m)

    for m in graph:
        visit(m)
    assert len(done) == len(graph) > 15
