"""The contract an op is written against (docs/DESIGN.md, "How an op is defined"):
derivative rows, ctx.needs_input_grad, the error for a missing derivative, one owner
per Tensor method.

The ops here have no class-level `name`, so that they stay out of the registry (the op
table's coverage test and docs/derivatives.md); each call names its grad_fn instead."""

import numpy as np
import pytest

import chainrule
from chainrule.ops.op import GRAD, Op, apply, apply_binary, tensor_method


class _Scale(Op):
    """a * b with a row per operand that counts its calls."""

    formula = "d(a*b)/da = b, d(a*b)/db = a"
    calls = []

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    derivatives = (
        lambda ctx, grad, a, b: _Scale.calls.append("a") or grad * b,
        lambda ctx, grad, a, b: _Scale.calls.append("b") or grad * a,
    )


class _NoDerivative(Op):
    formula = "none"

    @staticmethod
    def forward(ctx, a):
        return a * 2


class _PassFirst(Op):
    formula = "d(a+2b)/da = 1, d(a+2b)/db = 2"

    @staticmethod
    def forward(ctx, a, b):
        return a + 2 * b

    derivatives = (GRAD, lambda ctx, grad: grad * 2)


class _Needs(Op):
    formula = "d(a+b+c)/dx = 1"
    seen = []

    @staticmethod
    def forward(ctx, a, b, c):
        return a + b + c

    @staticmethod
    def backward(ctx, grad):
        _Needs.seen.append(ctx.needs_input_grad)
        return tuple(grad if need else None for need in ctx.needs_input_grad)


def test_a_row_runs_only_for_an_operand_that_needs_a_gradient():
    a = chainrule.tensor([1.0, 2.0], requires_grad=True)
    b = chainrule.tensor([3.0, 4.0])
    _Scale.calls.clear()
    apply_binary(_Scale, a, b, node_name="ScaleBackward0").sum().backward()
    assert _Scale.calls == ["a"]
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])
    b.requires_grad_()
    _Scale.calls.clear()
    out = apply(_Scale, (a, b), {}, node_name="ScaleBackward0")
    ga, gb = chainrule.autograd.grad(out.sum(), (a, b))
    assert sorted(_Scale.calls) == ["a", "b"]
    np.testing.assert_array_equal(gb.numpy(), [1.0, 2.0])


def test_grad_row_hands_the_gradient_on():
    a = chainrule.tensor([1.0], requires_grad=True)
    b = chainrule.tensor([1.0], requires_grad=True)
    (apply(_PassFirst, (a, b), {}, node_name="PassFirstBackward0") * 5).sum().backward()
    assert a.grad.item() == 5.0 and b.grad.item() == 10.0


def test_an_op_without_a_derivative_says_which():
    a = chainrule.tensor([1.0], requires_grad=True)
    out = apply(_NoDerivative, (a,), {}, node_name="NoDerivativeBackward0")
    with pytest.raises(NotImplementedError, match="no derivative for NoDerivativeBackward0"):
        out.sum().backward()


def test_needs_input_grad_follows_the_operands():
    a = chainrule.tensor([1.0], requires_grad=True)
    b = chainrule.tensor([1.0])
    c = chainrule.tensor([1.0], requires_grad=True)
    _Needs.seen.clear()
    apply(_Needs, (a, b, c), {}, node_name="NeedsBackward0").sum().backward()
    apply(_Needs, (a, 2.0, c), {}, node_name="NeedsBackward0").sum().backward()
    assert _Needs.seen == [(True, False, True), (True, False, True)]


def test_a_tensor_method_has_one_owner():
    with pytest.raises(RuntimeError, match="Tensor.exp is already defined"):
        tensor_method("exp")(lambda self: self)
    with pytest.raises(RuntimeError, match="Tensor.__hash__ is already defined"):
        tensor_method("__hash__")(lambda self: 0)
