"""A plain UnaryOp (exp, tanh, sin, ...) is recorded by apply_unary without calling its
forward (Op.direct): the same values, the same saved tensors and version checks, and the
graph recorder still sees it. Compared with PyTorch, 0-d tensors included."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.gradcheck import gradcheck
from chainrule.ops import unary
from parity import assert_ulp

DIRECT = ["exp", "tanh", "sigmoid", "sin", "log1p", "sqrt", "reciprocal", "frac"]


def test_the_plain_unary_ops_are_direct_and_those_with_a_forward_are_not():
    assert unary.Exp.direct and unary.Tanh.direct and unary.Sin.direct and unary.Abs.direct

    class Doubled(unary.UnaryOp):  # (no name: not registered as an op)
        ufunc = np.exp

        @staticmethod
        def forward(ctx, a):
            return 2 * np.exp(a)

    assert not Doubled.direct


@pytest.mark.parametrize("name", DIRECT)
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_and_gradients_match_pytorch(torch, name, shape, dtype):
    data = np.linspace(0.2, 0.9, int(np.prod(shape))).reshape(shape).astype(dtype)
    ours = cr.tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    y, z = getattr(cr, name)(ours), getattr(torch, name)(theirs)
    assert y.grad_fn.name() == z.grad_fn.name()
    (y * 3).sum().backward()
    (z * 3).sum().backward()
    # Kind 2: NumPy and PyTorch vectorise exp, tanh, log1p, sin differently (SLEEF, SVML,
    # glibc): within 4 ulp, the values and the gradients computed from them
    assert_ulp(y, z, 4)
    assert_ulp(ours.grad, theirs.grad, 4)


@pytest.mark.parametrize("name", DIRECT)
def test_gradcheck(name):
    x = cr.tensor([0.3, 0.6, 0.8], dtype=cr.float64, requires_grad=True)
    assert gradcheck(getattr(cr, name), (x,))


@pytest.mark.parametrize("name", ["exp", "tanh", "sigmoid", "sqrt"])  # they save their output
@pytest.mark.parametrize("shape", [(), (2,)])
def test_an_output_changed_in_place_raises_as_in_pytorch(torch, name, shape):
    messages = []
    for lib in (cr, torch):
        y = getattr(lib, name)(lib.full(shape, 0.5, requires_grad=True))
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation") as e:
            y.sum().backward()
        messages.append(str(e.value).split(";")[0])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("shape", [(), (2,)])
def test_an_input_changed_in_place_raises(torch, shape):
    for lib in (cr, torch):
        x = lib.full(shape, 0.5, requires_grad=True)
        a = x * 1  # a non-leaf, so it may be changed in place
        y = lib.sin(a)  # saves its input
        a.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_the_graph_recorder_sees_direct_ops():
    x = cr.tensor([0.5], requires_grad=True)
    with cr.viz.record() as rec:
        y = cr.tanh(cr.exp(x))
    names = {node.name() for node in rec.entries}
    assert {"ExpBackward0", "TanhBackward0"} <= names
    assert unary.UnaryOp.direct  # put back when the recording ends
    assert "direct" not in unary.Exp.__dict__
    assert y.item() == pytest.approx(np.tanh(np.exp(0.5)))
