"""Division and power at their edges, as PyTorch records and differentiates them: floor
division of operands that require grad (recorded, with no derivative), div's explicit
`rounding_mode=None` (its own grad_fn name) and a Python number 0 (or below 0) raised to a
tensor (the exponent's gradient where log(base) is -inf or nan). Every value compared here
is exact in both libraries (0, 1, inf, nan, integer powers of 2, one IEEE division), so the
comparisons are exact, made as text so that NaN equals NaN."""

from __future__ import annotations

import pytest

import chainrule
from chainrule.autograd import gradcheck


def _outcome(fn):
    """fn()'s result, or its exception's type name and message."""
    try:
        return fn()
    except Exception as e:
        return type(e).__name__, str(e)


def _floor_division(lib):
    a = lib.tensor([3.5, -2.0, 7.0], requires_grad=True)
    b = lib.tensor([2.0, 3.0, -0.5], requires_grad=True)
    plain = lib.tensor([2.0, 3.0, -0.5])
    in_place = a * 1
    in_place //= plain
    through_view = a * 1
    through_view[1:].floor_divide_(2)
    seen = []
    for y in (
        a // b,
        a // 2,
        a // plain,
        plain // a,
        7 // a,
        lib.floor_divide(a, b),
        a.floor_divide(2.5),
        lib.tensor([7, -3, 4]) // a,
        in_place,
        through_view,
    ):
        gradient = _outcome(lambda y=y: lib.autograd.grad(y.sum(), a))
        seen.append((y.tolist(), y.requires_grad, y.grad_fn.name(), gradient))
    return seen


def test_floor_divide_of_operands_requiring_grad_is_recorded_without_a_derivative(torch):
    ours, theirs = _floor_division(chainrule), _floor_division(torch)
    y = chainrule.ones(1, requires_grad=True) // 2
    assert type(y.grad_fn).__name__ == "NotImplemented"
    assert str(y) == "tensor([0.], grad_fn=<NotImplemented>)"
    assert str(ours) == str(theirs)
    assert ours[0][2] == "torch::autograd::NotImplemented"
    assert ours[0][3] == ("RuntimeError", "derivative for aten::floor_divide is not implemented")


def test_floor_divide_without_a_gradient_records_nothing():
    a = chainrule.tensor([3.5, -2.0], requires_grad=True)
    with chainrule.no_grad():
        assert not (a // 2).requires_grad
    q = chainrule.tensor([7, -3]) // chainrule.tensor([2, 2])
    assert (q.requires_grad, q.grad_fn, q.tolist()) == (False, None, [3, -2])
    y = a.detach() // 2
    assert (y.requires_grad, y.grad_fn) == (False, None)


def _divisions(lib):
    a = lib.tensor([3.5, -2.0], requires_grad=True)
    b = lib.tensor([2.0, -3.0], requires_grad=True)
    seen = []
    for y in (
        a / b,
        a / 2,
        lib.div(a, b),
        lib.div(a, 2.0),
        a.true_divide(b),
        lib.div(a, b, rounding_mode=None),
        lib.div(a, 2.0, rounding_mode=None),
        a.div(2, rounding_mode=None),
        lib.divide(a, b, rounding_mode=None),
        lib.div(lib.tensor(2.0), b, rounding_mode=None),
        (a * 1).div_(b, rounding_mode=None),
        (a * 1).div_(2, rounding_mode=None),
        (a * 1).div_(2),
    ):
        ga, gb = lib.autograd.grad(y.sum(), (a, b), allow_unused=True)
        edges = [type(n).__name__ if n else None for n, _ in y.grad_fn.next_functions]
        seen.append((y.grad_fn.name(), edges, y.tolist(), ga, gb))
    return seen


def test_div_with_rounding_mode_none_given_is_divbackward2(torch):
    ours, theirs = _divisions(chainrule), _divisions(torch)
    assert [row[:3] for row in ours] == [row[:3] for row in theirs]
    for o, t in zip(ours, theirs):
        for go, gt in zip(o[3:], t[3:]):
            assert (go is None) == (gt is None)
            assert go is None or go.tolist() == gt.tolist()
    assert [row[0] for row in ours[:7]] == ["DivBackward0"] * 5 + ["DivBackward2"] * 2


def test_div_rounding_mode_errors_unchanged():
    with pytest.raises(RuntimeError, match="found 'round'"):
        chainrule.div(chainrule.ones(2), 2, rounding_mode="round")
    assert chainrule.div(chainrule.tensor([3, 4]), 2, rounding_mode=None).tolist() == [1.5, 2.0]


_EXPONENTS = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -0.5, 3.0, -2.0, 1e-30, -1e-30]
_EXPONENTS += [float("inf"), float("-inf"), float("nan")]


def _powers_of_a_number(lib, base, form, dtype):
    e = lib.tensor(_EXPONENTS, dtype=getattr(lib, dtype), requires_grad=True)
    y = base**e if form == "operator" else lib.pow(base, e)
    (g,) = lib.autograd.grad(y.sum(), e, create_graph=dtype == "float64")
    seen = [y.grad_fn.name(), str(y.dtype), y.tolist(), g.tolist()]
    if dtype == "float64":
        (gg,) = lib.autograd.grad(g.sum(), e)
        seen.append(gg.tolist())
    return str(seen)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("form", ["operator", "pow"])
@pytest.mark.parametrize("base", [0, 0.0, -0.0, -2, -2.0])
def test_zero_or_negative_number_to_a_tensor_power(torch, base, form, dtype):
    ours = _powers_of_a_number(chainrule, base, form, dtype)
    assert ours == _powers_of_a_number(torch, base, form, dtype)


def test_zero_to_a_tensor_power_literal():
    e = chainrule.tensor([0.0, 2.0, -1.0, 0.5, -0.5], requires_grad=True)
    y = 0**e
    y.sum().backward()
    inf = float("inf")
    assert y.tolist() == [1.0, 0.0, inf, 0.0, inf]
    # 0 where the exponent is >= 0 (0**b is flat there), (0**b) * log(0) below it
    assert e.grad.tolist() == [0.0, 0.0, -inf, 0.0, -inf]


def test_zero_to_a_tensor_power_gradchecks():
    e = chainrule.tensor([0.5, 1.5, 3.0], dtype=chainrule.float64, requires_grad=True)
    assert gradcheck(lambda e: 0**e, (e,))
    assert gradcheck(lambda e: 0.0**e, (e,))
    # (no gradgradcheck: the second derivative is 0 * log(0)**2 = nan, in PyTorch as here;
    # the parity test above compares it)
