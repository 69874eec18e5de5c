"""Apply rows (ops/op.py): a derivative row that is one op of the gradient and a saved value
runs on arrays when nothing is recorded. The array path must give the bits, shapes and
Nones of the rows run as tensors, step in only where it may, and leave every error and
create_graph to the tensor path."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops.op import REGISTRY, Apply, backward_on_arrays
from chainrule.ops.pointwise import Mul

RNG = np.random.default_rng(0)


def _values(shape, dtype, positive=False):
    x = RNG.standard_normal(shape)
    return (np.abs(x) + 0.5 if positive else x).astype(dtype)


def _leaf(shape, dtype, positive=False, requires_grad=True):
    return cr.tensor(_values(shape, dtype, positive), requires_grad=requires_grad)


# Graphs whose last node has Apply rows: each a function of the dtype giving that output.
CASES = {
    "x * y": lambda d: _leaf((3, 4), d) * _leaf((3, 4), d),
    "x * y, y constant": lambda d: _leaf((3, 4), d) * _leaf((3, 4), d, requires_grad=False),
    "x * 0.9": lambda d: _leaf((5,), d) * 0.9,
    "2 * x": lambda d: 2 * _leaf((5,), d),
    "x * 3 (an int)": lambda d: _leaf((2, 2), d) * 3,
    "x * y broadcast": lambda d: _leaf((3, 1), d) * _leaf((1, 4), d),
    "x * y, 0-d": lambda d: _leaf((), d) * _leaf((), d),
    "x / y, y constant": lambda d: _leaf((4,), d) / _leaf((4,), d, True, requires_grad=False),
    "x / 1.1": lambda d: _leaf((2, 3), d) / 1.1,
    "tanh": lambda d: cr.tanh(_leaf((6,), d)),
    "tanh, one element": lambda d: cr.tanh(_leaf((1,), d)),
    "tanh, 0-d": lambda d: cr.tanh(_leaf((), d)),
    "sigmoid": lambda d: cr.sigmoid(_leaf((2, 5), d)),
    "exp": lambda d: cr.exp(_leaf((7,), d)),
    "log": lambda d: cr.log(_leaf((7,), d, positive=True)),
}


def _both_ways(out, grad):
    """The node's backward run as tensors (nothing recorded) and on arrays."""
    node = out.grad_fn
    assert node.op.on_arrays is backward_on_arrays
    with cr.no_grad():
        as_tensors = node.op.backward(node, grad)
        on_arrays = node.op.on_arrays(node, grad)
    return as_tensors, on_arrays


def _as_tuple(results):
    return results if isinstance(results, tuple) else (results,)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_arrays_give_the_bits_of_tensors(case, dtype):
    out = CASES[case](dtype)
    grad = cr.tensor(_values(out.shape, dtype))
    as_tensors, on_arrays = _both_ways(out, grad)
    assert on_arrays is not None  # (the array path took it)
    assert type(as_tensors) is type(on_arrays)
    for t, a in zip(_as_tuple(as_tensors), _as_tuple(on_arrays)):
        assert (t is None) == (a is None)
        if t is not None:
            assert a._data.dtype == t._data.dtype and a._data.shape == t._data.shape
            word = np.uint32 if dtype == np.float32 else np.uint64
            np.testing.assert_array_equal(a._data.view(word), t._data.view(word))


def test_a_row_that_is_not_an_apply_row_sends_the_node_to_the_tensor_path():
    out = _leaf((4,), np.float32) / _leaf((4,), np.float32, positive=True)  # d/db: a lambda
    as_tensors, on_arrays = _both_ways(out, cr.ones_like(out))
    assert on_arrays is None and all(t is not None for t in as_tensors)


def test_every_op_with_apply_rows_is_covered():
    ops = {op.__name__ for op in REGISTRY if op.on_arrays is not None}
    covered = {type(CASES[c](np.float32).grad_fn).op.__name__ for c in CASES}
    assert ops == covered
    assert all(isinstance(r, Apply) and r.op is Mul for r in Mul.derivatives)


def test_other_dtypes_take_the_tensor_path():
    x = cr.tensor(np.array([0.5, 2.0], np.float16), requires_grad=True)
    out = x * 0.9
    with cr.no_grad():
        assert out.grad_fn.op.on_arrays(out.grad_fn, cr.ones_like(out)) is None
    z = cr.tensor(np.array([0.5, 2.0j], np.complex64), requires_grad=True) * 0.9
    assert z.grad_fn.op.on_arrays is None  # (complex: the op's conjugated variant)


def test_a_mixed_dtype_product_takes_the_tensor_path():
    x = _leaf((3,), np.float32)
    y = _leaf((3,), np.float64)
    out = x * y  # float64; x's gradient is grad * y in float64, then cast by the engine
    grad = cr.ones_like(out)
    with cr.no_grad():
        assert out.grad_fn.op.on_arrays(out.grad_fn, grad.float()) is None


def test_the_engine_runs_apply_rows_on_arrays_only_when_nothing_is_recorded(monkeypatch):
    calls = []

    def counted(ctx, grad):
        calls.append(type(ctx).__name__)
        return backward_on_arrays(ctx, grad)

    monkeypatch.setattr(Mul, "on_arrays", staticmethod(counted))
    x = _leaf((3,), np.float32)
    (x * 0.9).sum().backward()
    assert calls == ["MulBackward0"]
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 0.9, np.float32))
    calls.clear()
    (g,) = cr.autograd.grad((x * x).sum(), x, create_graph=True)
    assert calls == [] and g.requires_grad  # recorded: the rows ran as tensors
    g.sum().backward()  # and they differentiate again: d(2x)/dx = 2
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 2.9, np.float32))


def test_a_changed_saved_tensor_still_raises_pytorchs_error():
    x = _leaf((3,), np.float32)
    y = _leaf((3,), np.float32)
    out = x * y
    with cr.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_a_changed_saved_output_still_raises_pytorchs_error():
    x = _leaf((3,), np.float32)
    out = cr.tanh(x)
    out.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_a_freed_graph_still_raises_pytorchs_error():
    x = _leaf((3,), np.float32)
    loss = cr.tanh(x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second"):
        loss.backward()


def test_retained_graph_runs_again_on_arrays():
    x = _leaf((3,), np.float32)
    loss = cr.sigmoid(x * 2.0).sum()
    loss.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), first + first)


def test_gradients_match_pytorch(torch):
    # tanh, sigmoid, exp, log, * and / in a chain, float64: PyTorch's vectorised exp, log
    # and tanh may round differently from NumPy's by an ulp, which the chain carries on
    values = _values((5,), np.float64, positive=True)
    grads = []
    for lib in (cr, torch):
        x = lib.tensor(values, requires_grad=True)
        y = (lib.tanh(x * 0.7) / 1.3).exp()
        z = lib.log(lib.sigmoid(y) * x) / x
        z.sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-14, atol=0)
