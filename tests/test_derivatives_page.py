"""docs/derivatives.md is generated from the Op registry; it must match the code."""

import importlib.util
from pathlib import Path

import chainrule
from chainrule.ops.op import REGISTRY

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location(
        "derivatives_page", ROOT / "tools" / "derivatives_page.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_derivatives_page_is_current():
    tool = _tool()
    assert (ROOT / "docs" / "derivatives.md").read_text() == tool.render(), (
        f"docs/derivatives.md is stale: run `{tool.COMMAND}` and commit the result"
    )


def test_every_differentiable_op_is_a_row_with_a_formula_and_a_place():
    rows = _tool().rows()
    ops = [op for op in REGISTRY if op.differentiable]
    assert len(rows) == len(ops) > 100
    names = {name for _, _, _, name, _ in rows}
    assert {"MulBackward0", "ExpBackward0", "IndexBackward0", "MmBackward0"} <= names
    for path, line, cls, name, formula in rows:
        assert (ROOT / path).is_file() and line > 0, (cls, path, line)
        text = (ROOT / path).read_text().splitlines()[line - 1]
        # a class statement, or the line that assigns a class made by a factory call
        assert f"class {cls}" in text or text.startswith(f"{cls} = "), (cls, path, text)
        assert formula, f"{cls} has no formula"
        # (NotImplemented: PyTorch's name for the node of an op whose backward raises)
        assert name == "NotImplemented" or name.endswith(
            ("Backward0", "Backward1", "Backward2", "Backward3", "Backwards")
        )


def test_a_grad_fn_on_the_page_is_the_one_recorded():
    x = chainrule.tensor([0.5, 2.0], requires_grad=True)
    text = (ROOT / "docs" / "derivatives.md").read_text()
    for out in (x * x, x.exp(), x.tanh(), x[[1, 0]]):
        assert f"`{out.grad_fn.name()}`" in text
