"""What the user's code calls things, read from the code that is running.

- `user_frame()`: the frame that called into chainrule (the first outside the package).
- `operator_site(frame, args)`: when that frame is evaluating a binary operator
  (`x * w`), the source of the expression says which operand was written first
  and what each is called. Python runs `1.0 * w` as `w.__rmul__(1.0)`, so the op
  sees (w, 1.0); the source puts them back as written, and a number gets its
  variable's name (`x`). Needs the instruction positions of Python 3.11+; on
  older Pythons the op's own order is shown.
- `tensors_in(frame)`: the tensors a frame's variables hold, by name, which
  name the values a function computed (`y_pred` in the lesson's loss()).

IPython's output cache (`_`, `_2`, `Out`, `_oh`, `_i3`, ...) never names anything:
those are the notebook's names for what a cell showed, not the user's.
"""

import ast
import linecache
import os
import re
import sys

from ..tensor import Tensor

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_CACHE_NAME = re.compile(r"_+|_\d+|_i+|_i\d+|_[iod]h|In|Out|exit|quit|get_ipython")
_NUMBER = (int, float)
# the op classes whose operands an infix operator gives, by the operator's AST name
_OPERATORS = {
    "Add": ("Add",),
    "Sub": ("Sub",),
    "Mult": ("Mul",),
    "Div": ("Div", "Mul"),  # a number divided by a tensor is its reciprocal times it
    "Pow": ("Pow",),
    "MatMult": ("Mm", "Matmul", "Mv", "Dot", "BatchedMatmul"),
}
_INFIX_OPS = {name for names in _OPERATORS.values() for name in names}
# (id(code), instruction) -> (code, what _binop_at found there); the code object is kept
# so that its id is not reused while the entry stands (hashing code objects is slow)
_sites = {}


def is_user_name(name):
    """Whether a variable's name is the user's own (not dunder, not IPython's cache)."""
    return not name.startswith("__") and not _CACHE_NAME.fullmatch(name)


def user_frame(depth=1):
    """The innermost frame outside the chainrule package, from `depth` frames up."""
    f = sys._getframe(depth + 1)
    while f is not None and f.f_code.co_filename.startswith(_PACKAGE):
        f = f.f_back
    return f


def tensors_in(frame):
    """(name, tensor) for each of a frame's variables that holds a tensor."""
    try:
        scope = frame.f_locals
    except Exception:  # noqa: BLE001  (a frame torn down under us: nothing to read)
        return []
    return [
        (name, obj)
        for name, obj in list(scope.items())
        if isinstance(obj, Tensor) and is_user_name(name)
    ]


def operator_site(frame, op_class, args):
    """How the infix expression being evaluated in `frame` wrote the op's two operands:
    (swapped, names), where `swapped` says the second operand was written first and
    `names[i]` is the variable that held number operand i (None where it has none).
    None when the frame is not at an infix operator of this op."""
    if frame is None or len(args) != 2 or op_class.__name__ not in _INFIX_OPS:
        return None
    code, lasti = frame.f_code, frame.f_lasti
    cached = _sites.get((id(code), lasti))
    if cached is None or cached[0] is not code:
        if len(_sites) > 4096:
            _sites.clear()
        cached = _sites[id(code), lasti] = (code, _binop_at(code, lasti))
    site = cached[1]
    if site is None or op_class.__name__ not in _OPERATORS.get(site[0], ()):
        return None
    _, left, right = site
    a, b = args
    swapped = False
    if isinstance(b, _NUMBER) and not isinstance(a, _NUMBER):
        # a tensor and a number: reflected if the left operand is the number
        held = _value(frame, left)
        swapped = held is b if left[0] == "name" else (left[0] == "number" and left[1] == b)
    written = (right, left) if swapped else (left, right)
    names = tuple(
        w[1] if w[0] == "name" and isinstance(x, _NUMBER) and _value(frame, w) is x else None
        for x, w in zip(args, written)
    )
    return swapped, names


def _value(frame, operand):
    kind, text = operand
    if kind != "name":
        return None
    if text in frame.f_locals:
        return frame.f_locals[text]
    return frame.f_globals.get(text)


def _binop_at(code, lasti):
    """(operator, left, right) of the infix expression at an instruction, or None;
    each operand is ("name", text), ("number", value) or ("other", None)."""
    positions = getattr(code, "co_positions", None)
    if positions is None or lasti < 0:
        return None
    try:
        line, end_line, col, end_col = list(positions())[lasti // 2]
    except (IndexError, ValueError):
        return None
    if None in (line, end_line, col, end_col):
        return None
    lines = linecache.getlines(code.co_filename)
    if end_line > len(lines):
        return None
    if line == end_line:
        text = lines[line - 1].encode("utf-8")[col:end_col].decode("utf-8", "replace")
    else:
        parts = [lines[line - 1].encode("utf-8")[col:].decode("utf-8", "replace")]
        parts += lines[line : end_line - 1]
        parts.append(lines[end_line - 1].encode("utf-8")[:end_col].decode("utf-8", "replace"))
        text = "".join(parts)
    try:
        node = ast.parse(f"(\n{text}\n)", mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.BinOp):
        return None
    return type(node.op).__name__, _operand(node.left), _operand(node.right)


def _operand(node):
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.Constant) and type(node.value) in _NUMBER:
        return ("number", node.value)
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in _NUMBER
    ):
        return ("number", -node.operand.value)
    return ("other", None)
