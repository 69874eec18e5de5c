"""Property tests for reductions and matmul (shapes and values against NumPy and PyTorch),
gradients with zeros, ties and saturated inputs, and PyTorch's error types and messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule

try:
    import torch as _torch
except ImportError:  # pragma: no cover - the NumPy checks still run
    _torch = None

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def array_and_dims(draw, min_side=1, max_dims=4):
    shape = tuple(draw(st.lists(st.integers(min_side, 4), min_size=0, max_size=max_dims)))
    seed = draw(st.integers(0, 2**31 - 1))
    data = np.random.default_rng(seed).uniform(-2, 2, shape)
    ndim = len(shape)
    if ndim == 0:
        dims = draw(st.sampled_from([None, ()]))
    else:
        axes = draw(st.lists(st.integers(-ndim, ndim - 1), unique_by=lambda d: d % ndim))
        dims = draw(st.sampled_from([None, tuple(axes)] + ([axes[0]] if axes else [])))
    keepdim = draw(st.booleans())
    return data, dims, keepdim


def _np_axes(dims, ndim):
    if dims is None or dims == ():
        return tuple(range(ndim))
    if isinstance(dims, int):
        return (dims % ndim,)
    return tuple(d % ndim for d in dims)


def _check(ours, expected, rtol=1e-10, atol=1e-12):
    got = ours.detach().numpy()
    expected = np.asarray(expected)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


def _torch_check(name, data, ours, *args, **kwargs):
    if _torch is None:
        return
    theirs = getattr(_torch.tensor(data), name)(*args, **kwargs)
    _check(ours, theirs.numpy())


@SETTINGS
@given(array_and_dims())
def test_sum_mean_prod_match_numpy_and_torch(case):
    data, dims, keepdim = case
    x = chainrule.tensor(data)
    axes = _np_axes(dims, data.ndim)
    for name, np_fn in (("sum", np.sum), ("mean", np.mean)):
        ours = getattr(x, name)(dims, keepdim=keepdim)
        _check(ours, np_fn(data, axis=axes, keepdims=keepdim))
        _torch_check(name, data, ours, dims, keepdim=keepdim)


@SETTINGS
@given(array_and_dims())
def test_amax_amin_logsumexp_norm_var_match(case):
    data, dims, keepdim = case
    x = chainrule.tensor(data)
    axes = _np_axes(dims, data.ndim)
    dim_arg = () if dims is None else dims
    _check(x.amax(dim_arg, keepdim), np.amax(data, axis=axes, keepdims=keepdim))
    _check(x.amin(dim_arg, keepdim), np.amin(data, axis=axes, keepdims=keepdim))
    _torch_check("amax", data, x.amax(dim_arg, keepdim), dim_arg, keepdim)
    lse = np.log(np.sum(np.exp(data), axis=axes, keepdims=keepdim))
    _check(x.logsumexp(dim_arg, keepdim), lse)
    norm = np.sqrt(np.sum(data**2, axis=axes, keepdims=keepdim))
    _check(x.norm(2, dim=dims, keepdim=keepdim), norm)
    _torch_check("norm", data, x.norm(2, dims, keepdim), 2, dim=dims, keepdim=keepdim)
    n = int(np.prod([data.shape[a] for a in axes])) if axes else 1
    if n > 1:
        ours = x.var(dims, keepdim=keepdim)
        _check(ours, np.var(data, axis=axes, ddof=1, keepdims=keepdim))
        _torch_check("var", data, ours, dims, keepdim=keepdim)
        ours = x.std(dims, correction=0, keepdim=keepdim)
        _check(ours, np.std(data, axis=axes, keepdims=keepdim))


@SETTINGS
@given(array_and_dims())
def test_logical_reductions_and_counts(case):
    data, dims, keepdim = case
    mask = data > 0
    x = chainrule.tensor(mask)
    axes = _np_axes(dims, data.ndim)
    assert x.all(dims, keepdim).numpy().tolist() == np.all(mask, axes, keepdims=keepdim).tolist()
    assert x.any(dims, keepdim).numpy().tolist() == np.any(mask, axes, keepdims=keepdim).tolist()
    counted = chainrule.count_nonzero(x, dims)
    assert counted.dtype == chainrule.int64
    assert counted.numpy().tolist() == np.count_nonzero(mask, axis=axes).tolist()


@st.composite
def array_and_dim(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    n = int(np.prod(shape))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    data = rng.permutation(n).reshape(shape) / n - 0.5  # distinct values: no ties
    return data, dim, draw(st.booleans())


@SETTINGS
@given(array_and_dim())
def test_max_min_median_argmax_along_a_dim(case):
    data, dim, keepdim = case
    x = chainrule.tensor(data)
    for name, values_fn, index_fn in (
        ("max", np.max, np.argmax),
        ("min", np.min, np.argmin),
    ):
        values, indices = getattr(x, name)(dim, keepdim)
        _check(values, values_fn(data, axis=dim, keepdims=keepdim))
        assert indices.dtype == chainrule.int64
        assert indices.numpy().tolist() == index_fn(data, axis=dim, keepdims=keepdim).tolist()
        arg = getattr(x, "arg" + name)(dim, keepdim)
        assert arg.numpy().tolist() == indices.numpy().tolist()
    if _torch is not None:
        theirs = _torch.tensor(data).median(dim, keepdim)
        ours = x.median(dim, keepdim)
        _check(ours.values, theirs.values.numpy())
        assert ours.indices.numpy().tolist() == theirs.indices.numpy().tolist()


@SETTINGS
@given(array_and_dim())
def test_softmax_cumsum_cumprod_along_a_dim(case):
    data, dim, _ = case
    x = chainrule.tensor(data * 8)
    y = x.softmax(dim)
    _check(y.sum(dim), np.ones(np.sum(data, axis=dim).shape))
    _check(x.log_softmax(dim).exp(), y.detach().numpy())
    _check(x.cumsum(dim), np.cumsum(data * 8, axis=dim))
    _check(x.cumprod(dim), np.cumprod(data * 8, axis=dim), rtol=1e-9)
    if _torch is not None:
        _check(y, _torch.tensor(data * 8).softmax(dim).numpy())


@SETTINGS
@given(array_and_dims())
def test_reduction_gradients_have_the_input_shape(case):
    data, dims, keepdim = case
    x = chainrule.tensor(data, requires_grad=True)
    total = x.sum(dims, keepdim).sum() + x.amax(() if dims is None else dims, keepdim).sum()
    total = total + x.logsumexp(() if dims is None else dims, keepdim).sum()
    total.backward()
    assert x.grad.shape == x.shape
    assert np.isfinite(x.grad.numpy()).all()


@st.composite
def matmul_shapes(draw):
    m, k, n = (draw(st.integers(1, 4)) for _ in range(3))
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    da = draw(st.integers(1, 2 + len(batch)))
    db = draw(st.integers(1, 2 + len(batch)))

    def shape(ndim, last2):
        lead = batch[len(batch) - (ndim - 2) :] if ndim > 2 else ()
        # Sometimes make a batch dim 1 so it broadcasts.
        lead = tuple(1 if draw(st.booleans()) and s > 1 else s for s in lead)
        return lead + last2

    a_shape = (k,) if da == 1 else shape(da, (m, k))
    b_shape = (k,) if db == 1 else shape(db, (k, n))
    return a_shape, b_shape


@SETTINGS
@given(matmul_shapes(), st.integers(0, 2**31 - 1))
def test_matmul_matches_numpy_values_and_gradient_shapes(shapes, seed):
    a_shape, b_shape = shapes
    rng = np.random.default_rng(seed)
    a_np, b_np = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    a = chainrule.tensor(a_np, requires_grad=True)
    b = chainrule.tensor(b_np, requires_grad=True)
    out = a @ b
    _check(out, np.matmul(a_np, b_np), rtol=1e-9)
    out.sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    if _torch is not None:
        ta = _torch.tensor(a_np, requires_grad=True)
        tb = _torch.tensor(b_np, requires_grad=True)
        (ta @ tb).sum().backward()
        _check(a.grad, ta.grad.numpy(), rtol=1e-9)
        _check(b.grad, tb.grad.numpy(), rtol=1e-9)


# -- gradients at zeros, ties and extremes ------------------------------------------------
ZERO_INPUTS = [
    [2.0, 0.0, 3.0, -1.5],
    [0.0, 0.0, 3.0, 2.0],
    [[1.5, 0.0, 2.0], [0.5, 3.0, -1.0]],
    [[0.0, 2.0, 0.0], [1.0, 0.0, 3.0]],
]


def _first_and_second(lib, data, fn):
    x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
    (g,) = lib.autograd.grad(fn(x).sum() if fn(x).dim() else fn(x), x, create_graph=True)
    weights = lib.tensor(np.linspace(0.5, 1.5, g.numel()).reshape(tuple(g.shape)))
    (gg,) = lib.autograd.grad((g * weights).sum(), x, allow_unused=True)
    return g.detach().numpy(), None if gg is None else gg.numpy()


@pytest.mark.parametrize("data", ZERO_INPUTS, ids=str)
@pytest.mark.parametrize(
    "fn",
    [lambda x: x.prod(), lambda x: x.prod(-1), lambda x: x.cumprod(-1), lambda x: x.cumprod(0)],
    ids=["prod", "prod_dim", "cumprod_last", "cumprod_first"],
)
def test_prod_and_cumprod_gradients_with_zeros(data, fn, torch):
    ours, ours2 = _first_and_second(chainrule, data, fn)
    theirs, theirs2 = _first_and_second(torch, data, fn)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    if np.sum(np.asarray(data) == 0) <= 1:  # one zero: second derivatives are exact too
        np.testing.assert_allclose(ours2, theirs2, rtol=1e-12, atol=1e-12)


def test_prod_gradient_with_one_zero_is_the_product_of_the_others():
    x = chainrule.tensor([2.0, 0.0, 3.0, -1.5], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, -9.0, 0.0, 0.0]


def test_max_splits_the_gradient_among_ties():
    x = chainrule.tensor([[1.0, 3.0], [3.0, 3.0]], dtype=chainrule.float64, requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [[0.0, 1 / 3], [1 / 3, 1 / 3]]
    y = chainrule.tensor([[1.0, 3.0], [3.0, 3.0]], requires_grad=True)
    y.amax(1).sum().backward()
    assert y.grad.tolist() == [[0.0, 1.0], [0.5, 0.5]]


def test_max_with_dim_sends_the_gradient_to_one_element():
    x = chainrule.tensor([[3.0, 3.0, 1.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [0]
    values.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0]]


def test_max_with_dim_returns_a_named_tuple():
    out = chainrule.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    assert isinstance(out, chainrule.return_types.max)
    assert out.values.tolist() == [5.0, 7.0] and out.indices.tolist() == [1, 0]
    assert repr(out).startswith("torch.return_types.max(\nvalues=tensor(")


def test_norm_gradient_is_zero_at_the_zero_vector():
    x = chainrule.zeros(3, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_softmax_and_logsumexp_are_stable_for_large_inputs():
    x = chainrule.tensor([1000.0, 1000.0, -1000.0], requires_grad=True)
    assert x.softmax(0).tolist() == [0.5, 0.5, 0.0]
    assert abs(x.logsumexp(0).item() - (1000 + math.log(2))) < 1e-3
    x.log_softmax(0).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_softmax_backward_matches_the_formula():
    x = chainrule.tensor([[0.1, -0.4, 2.0]], dtype=chainrule.float64, requires_grad=True)
    g = chainrule.tensor([[1.0, 2.0, -1.0]], dtype=chainrule.float64)
    y = x.softmax(1)
    (grad,) = chainrule.autograd.grad(y, x, g)
    yn, gn = y.detach().numpy(), g.numpy()
    np.testing.assert_allclose(grad.numpy(), yn * (gn - (gn * yn).sum(1, keepdims=True)))


def test_grad_fn_names_match_pytorch():
    x = chainrule.randn(3, 4, requires_grad=True)
    v = chainrule.randn(4, requires_grad=True)
    b = chainrule.randn(2, 4, 5, requires_grad=True)
    names = {
        "MaxBackward1": x.max(),
        "MaxBackward0": x.max(1).values,
        "AmaxBackward0": x.amax(1),
        "ProdBackward0": x.prod(),
        "ProdBackward1": x.prod(1),
        "VarBackward0": x.var(1),
        "StdBackward0": x.std(),
        "LinalgVectorNormBackward0": x.norm(),
        "LogsumexpBackward0": x.logsumexp(1),
        "SoftmaxBackward0": x.softmax(1),
        "LogSoftmaxBackward0": x.log_softmax(1),
        "CumsumBackward0": x.cumsum(0),
        "MvBackward0": x @ v,
        "DotBackward0": v @ v,
        "MmBackward0": x @ x.T,
        "UnsafeViewBackward0": b @ b.mT,
        "BmmBackward0": chainrule.bmm(b, b.mT),
        "AddmmBackward0": chainrule.addmm(v, x.T, x),
        "SumBackward0": x.sum(),
        "MeanBackward1": x.mean(0),
    }
    for name, t in names.items():
        assert type(t.grad_fn).__name__ == name


# -- errors: PyTorch's types and messages -------------------------------------------------
def _t(lib, *shape, dtype=None):
    return lib.ones(*shape, dtype=dtype or lib.float32)


ERRORS = [
    (
        lambda t: _t(t, 0).max(),
        RuntimeError,
        "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
        "reduction dim with the 'dim' argument.",
    ),
    (
        lambda t: _t(t, 2, 0).max(1),
        IndexError,
        "max(): Expected reduction dim 1 to have non-zero size.",
    ),
    (
        lambda t: _t(t, 2, 0).amax(1),
        IndexError,
        "amax(): Expected reduction dim 1 to have non-zero size.",
    ),
    (
        lambda t: _t(t, 0).argmax(),
        IndexError,
        "argmax(): Expected reduction dim to be specified for input.numel() == 0.",
    ),
    (
        lambda t: _t(t, 2, 3).sum(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        lambda t: _t(t, 2, 3).max(-3),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got -3)",
    ),
    (
        lambda t: _t(t, 2, 3).softmax(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        lambda t: _t(t, 2, 3).amax((0, -2)),
        RuntimeError,
        "dim 0 appears multiple times in the list of dims",
    ),
    (
        lambda t: _t(t, 3, dtype=t.int64).var(),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    ),
    (
        lambda t: _t(t, 3, dtype=t.int64).norm(),
        RuntimeError,
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long",
    ),
    (
        lambda t: _t(t, 0).norm(float("inf")),
        RuntimeError,
        "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
        "does not have an identity",
    ),
    (
        lambda t: t.linalg.vector_norm(_t(t, 3, 0), float("-inf"), dim=(0, 1)),
        RuntimeError,
        "linalg.vector_norm cannot compute the -inf norm on the dimension 1because this "
        "dimension is empty and the operation does not have an identity",
    ),
    (
        lambda t: _t(t, 2, 0, 3).norm(float("inf"), dim=-2),
        RuntimeError,
        "linalg.vector_norm cannot compute the inf norm on the dimension -2because this "
        "dimension is empty and the operation does not have an identity",
    ),
    (
        lambda t: t.dist(_t(t, 0), _t(t, 0), float("inf")),
        RuntimeError,
        "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
        "does not have an identity",
    ),
    (
        lambda t: t.mm(_t(t, 2, 3), _t(t, 4, 5)),
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
    ),
    (lambda t: t.mm(_t(t, 3), _t(t, 3, 5)), RuntimeError, "self must be a matrix"),
    (
        lambda t: t.mm(_t(t, 2, 3), _t(t, 3, 5, dtype=t.float64)),
        RuntimeError,
        "expected m1 and m2 to have the same dtype, but got: float != double",
    ),
    (
        lambda t: t.mv(_t(t, 2, 3), _t(t, 4)),
        RuntimeError,
        "size mismatch, got input (2), mat (2x3), vec (4)",
    ),
    (
        lambda t: t.dot(_t(t, 3), _t(t, 4)),
        RuntimeError,
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
        "elements, but got 3 and 4 elements respectively",
    ),
    (
        lambda t: t.dot(_t(t, 2, 2), _t(t, 2, 2)),
        RuntimeError,
        "1D tensors expected, but got 2D and 2D tensors",
    ),
    (
        lambda t: t.bmm(_t(t, 2, 3, 4), _t(t, 2, 5, 6)),
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].",
    ),
    (lambda t: t.bmm(_t(t, 2, 3), _t(t, 3, 2)), RuntimeError, "batch1 must be a 3D tensor"),
    (
        lambda t: _t(t, 4) @ _t(t, 2, 3),
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (1x4 and 2x3)",
    ),
    (
        lambda t: _t(t, 2, 2, 3) @ _t(t, 4, 5),
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)",
    ),
    (
        lambda t: _t(t, 2, 5, 3) @ _t(t, 4),
        RuntimeError,
        "size mismatch, got input (10), mat (10x3), vec (4)",
    ),
    (
        lambda t: _t(t, 2, 2, 3) @ _t(t, 2, 4, 5),
        RuntimeError,
        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].",
    ),
    (
        lambda t: _t(t, 2, 2, 3) @ _t(t, 3, 3, 5),
        RuntimeError,
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    ),
    (
        lambda t: t.matmul(t.tensor(1.0), _t(t, 4)),
        RuntimeError,
        "both arguments to matmul need to be at least 1D, but they are 0D and 1D",
    ),
    (
        lambda t: t.addmm(_t(t, 3), _t(t, 2, 3), _t(t, 3, 5)),
        RuntimeError,
        "The expanded size of the tensor (5) must match the existing size (3) at non-singleton "
        "dimension 1.  Target sizes: [2, 5].  Tensor sizes: [3]",
    ),
    (
        lambda t: t.outer(_t(t, 2, 3), _t(t, 3)),
        RuntimeError,
        "outer: Expected 1-D argument self, but got 2-D",
    ),
    (
        lambda t: t.einsum("ij,jk->ik", _t(t, 2, 3), _t(t, 2, 3)),
        RuntimeError,
        "einsum(): subscript j has size 2 for operand 1 which does not broadcast with previously "
        "seen size 3",
    ),
    (
        lambda t: t.einsum("ij,jk->ik", _t(t, 2, 3)),
        RuntimeError,
        "einsum(): fewer operands were provided than specified in the equation",
    ),
    (
        lambda t: t.einsum("ijk->i", _t(t, 2, 3)),
        RuntimeError,
        "einsum(): the number of subscripts in the equation (3) does not match the number of "
        "dimensions (2) for operand 0 and no ellipsis was given",
    ),
    (
        lambda t: t.einsum("ij->k", _t(t, 2, 3)),
        RuntimeError,
        "einsum(): output subscript k does not appear in the equation for any input operand",
    ),
    (
        lambda t: t.einsum("ij->ii", _t(t, 2, 3)),
        RuntimeError,
        "einsum(): output subscript i appears more than once in the output",
    ),
    (
        lambda t: t.linalg.matrix_norm(_t(t, 3)),
        RuntimeError,
        "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.",
    ),
    (
        lambda t: t.linalg.norm(_t(t, 2, 2, 2), 2),
        RuntimeError,
        "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D.",
    ),
]


@pytest.mark.parametrize("fn, exc, message", ERRORS, ids=[m[:48] for _, _, m in ERRORS])
def test_errors_have_pytorchs_type_and_message(fn, exc, message):
    with pytest.raises(exc) as info:
        fn(chainrule)
    assert str(info.value) == message


@pytest.mark.parametrize("fn, exc, message", ERRORS, ids=[m[:48] for _, _, m in ERRORS])
def test_pytorch_raises_the_same_error(fn, exc, message, torch):
    with pytest.raises(exc) as info:
        fn(torch)
    assert str(info.value) == message


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize(("shape", "dim"), [((5, 0, 0), -1), ((0, 3), 1), ((2, 0), 0)])
def test_softmax_family_of_empty_tensors(fn, shape, dim, torch):
    """An empty input normalises to an empty result (no slice has a max to subtract), and
    differentiates to an empty gradient, as in PyTorch."""
    seen = []
    for lib in (torch, chainrule):
        x = lib.zeros(*shape, dtype=lib.float64, requires_grad=True)
        y = getattr(lib.nn.functional, fn)(x, dim)
        y.sum().backward()
        seen.append((tuple(y.shape), str(y.dtype), y.grad_fn.name(), tuple(x.grad.shape)))
    assert seen[1] == seen[0]


@pytest.mark.parametrize(
    ("a", "b"), [((5, 5, 0), (0, 5)), ((5, 5, 0), (0,)), ((2, 0, 3), (3, 4)), ((2, 3, 4), (4, 0))]
)
def test_matmul_of_batched_empty_operands(a, b, torch):
    """A batch folded into rows where a dim is empty: shapes and gradients as PyTorch's."""
    seen = []
    for lib in (torch, chainrule):
        x = lib.ones(*a, requires_grad=True)
        y = lib.ones(*b, requires_grad=True)
        out = lib.matmul(x, y)
        out.sum().backward()
        seen.append((tuple(out.shape), out.tolist(), tuple(x.grad.shape), tuple(y.grad.shape)))
    assert seen[1] == seen[0]


def test_reshape_of_nothing_with_an_inferred_dim_is_ambiguous(torch):
    for lib in (torch, chainrule):
        with pytest.raises(RuntimeError) as info:
            lib.ones(0).reshape(2, -1, 0)
        assert str(info.value) == (
            "cannot reshape tensor of 0 elements into shape [2, -1, 0] because the unspecified "
            "dimension size -1 can be any value and is ambiguous"
        )


@pytest.mark.parametrize(
    ("a", "b", "dims"),
    [
        ((1, 1, 1), (2, 1, 2), ([0, 1], [2, 0])),
        ((3, 1), (2, 4), ([1], [0])),
        ((3, 2), (3, 4), ([1], [0])),
        ((0, 2), (2, 3), 1),
        ((3, 0), (0, 4), 1),
        ((2, 3, 4), (3, 4, 5), 2),
    ],
)
def test_tensordot_pairs_a_size_1_dim_with_any_size(a, b, dims, torch):
    """A contracted dim of size 1 pairs with the other side's whole dim (summed), empty
    operands contract to zeros: values (within 4 ulp: a matrix product), gradients, errors."""
    seen = []
    for lib in (torch, chainrule):
        g = lib.Generator().manual_seed(0)
        x = lib.randn(*a, generator=g, dtype=lib.float64).requires_grad_(True)
        y = lib.randn(*b, generator=g, dtype=lib.float64).requires_grad_(True)
        try:
            out = lib.tensordot(x, y, dims)
            out.sum().backward()
            seen.append([out.detach().numpy(), x.grad.numpy(), y.grad.numpy()])
        except RuntimeError as e:
            seen.append(str(e))
    if isinstance(seen[0], str):
        assert seen[1] == seen[0]
        return
    for ours, theirs in zip(seen[1], seen[0]):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=4 * np.finfo(np.float64).eps, atol=1e-15)
