"""gradcheck and gradgradcheck: they pass on correct derivatives and catch wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule.autograd import Function, GradcheckError, gradcheck, gradgradcheck


def x64(rng, *shape, requires_grad=True):
    return chainrule.tensor(rng.standard_normal(shape), dtype=chainrule.float64).requires_grad_(
        requires_grad
    )


class WrongCube(Function):
    """x**3 with a deliberately wrong derivative (2x**2 instead of 3x**2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x**2


class RightFirstWrongSecond(Function):
    """x**3 whose first derivative is right but not differentiable correctly:
    backward computes 3 * x * x_detached, so the second derivative is half what it should be."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x.detach()


class RightCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda a: a.sin(), [(3,)]),
        (lambda a, b: a * b + a / (b * b + 1), [(2, 3), (2, 3)]),
        (lambda a, b: (a + b).tanh(), [(2, 3), (3,)]),  # broadcasting
        (lambda a: (a.exp() * a).sum(), [(4,)]),
        (lambda a: a.reshape(2, 3).transpose(0, 1).sigmoid(), [(6,)]),
        (RightCube.apply, [(3,)]),
    ],
    ids=["sin", "mul_div", "broadcast_tanh", "exp_sum", "view_sigmoid", "custom_cube"],
)
def test_gradcheck_and_gradgradcheck_pass_on_correct_functions(fn, shapes, rng):
    inputs = tuple(x64(rng, *s) for s in shapes)
    assert gradcheck(fn, inputs) is True
    assert gradgradcheck(fn, inputs) is True


def test_gradcheck_raises_on_wrong_derivative(rng):
    x = x64(rng, 3)
    with pytest.raises(
        GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"
    ):
        gradcheck(WrongCube.apply, (x,))
    assert issubclass(GradcheckError, RuntimeError)


def test_gradcheck_returns_false_without_raising(rng):
    x = x64(rng, 3)
    assert gradcheck(WrongCube.apply, (x,), raise_exception=False) is False
    assert gradcheck(RightCube.apply, (x,), raise_exception=False) is True


def test_gradgradcheck_catches_a_wrong_second_derivative(rng):
    x = x64(rng, 3)
    assert gradcheck(RightFirstWrongSecond.apply, (x,)) is True
    with pytest.raises(GradcheckError):
        gradgradcheck(RightFirstWrongSecond.apply, (x,))
    assert gradgradcheck(RightFirstWrongSecond.apply, (x,), raise_exception=False) is False


def test_gradcheck_with_only_some_inputs_requiring_grad(rng):
    a = x64(rng, 3)
    b = x64(rng, 3, requires_grad=False)
    assert gradcheck(lambda a, b: a * b.exp(), (a, b))


def test_gradcheck_needs_an_input_that_requires_grad(rng):
    with pytest.raises(ValueError, match="gradcheck expects at least one input tensor to require"):
        gradcheck(lambda a: a * 2, (x64(rng, 3, requires_grad=False),))


def test_gradcheck_warns_for_float32_inputs():
    x = chainrule.tensor([0.5, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Input #0 requires gradient and is not a double"):
        gradcheck(lambda a: a * 2, (x,), raise_exception=False)


def test_gradcheck_restores_its_inputs(rng):
    x = x64(rng, 4)
    before = x.detach().numpy().copy()
    gradcheck(lambda a: a.sin(), (x,))
    np.testing.assert_array_equal(x.detach().numpy(), before)


def test_gradcheck_catches_a_wrong_builtin_like_derivative(rng):
    class WrongSin(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x.sin()  # should be cos

    assert gradcheck(WrongSin.apply, (x64(rng, 3),), raise_exception=False) is False


def test_gradcheck_two_outputs(rng):
    class Both(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x, x.exp()

        @staticmethod
        def backward(ctx, g1, g2):
            (x,) = ctx.saved_tensors
            return g1 * 2 * x + g2 * x.exp()

    class SecondWrong(Both):
        @staticmethod
        def backward(ctx, g1, g2):
            (x,) = ctx.saved_tensors
            return g1 * 2 * x + g2

    x = x64(rng, 3)
    assert gradcheck(Both.apply, (x,))
    assert gradgradcheck(Both.apply, (x,))
    with pytest.raises(GradcheckError, match="output 1 with respect to input 0"):
        gradcheck(SecondWrong.apply, (x,))
