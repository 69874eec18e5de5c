"""Indexing beyond the op table: random index expressions against NumPy and PyTorch,
x[key] = v with autograd, PyTorch's errors, and views sharing their base's version."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainrule

# -- random index expressions -------------------------------------------------------------
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


@st.composite
def slices(draw, size, negative_steps):
    bound = st.one_of(st.none(), st.integers(-size - 2, size + 2))
    steps = st.integers(1, 3)
    if negative_steps:
        steps = st.one_of(steps, st.integers(-3, -1))
    return slice(draw(bound), draw(bound), draw(st.one_of(st.none(), steps)))


@st.composite
def basic_keys(draw, shape, negative_steps=False):
    """A tuple of ints, slices, None and at most one Ellipsis that fits `shape`."""
    key = []
    dim = 0
    used_ellipsis = False
    while dim < len(shape) and draw(st.booleans()):
        choice = draw(st.sampled_from(["int", "slice", "none", "ellipsis"]))
        if choice == "int":
            key.append(draw(st.integers(-shape[dim], shape[dim] - 1)))
            dim += 1
        elif choice == "slice":
            key.append(draw(slices(shape[dim], negative_steps)))
            dim += 1
        elif choice == "none":
            key.append(None)
        elif not used_ellipsis:
            key.append(Ellipsis)
            used_ellipsis = True
            # the rest of the key then indexes exactly the last `rest` dims
            rest = draw(st.integers(0, len(shape) - dim))
            for size in shape[len(shape) - rest :]:
                if draw(st.booleans()):
                    key.append(draw(st.integers(-size, size - 1)))
                else:
                    key.append(draw(slices(size, negative_steps)))
            break
    return tuple(key)


@st.composite
def mixed_keys(draw, shape):
    """Basic items mixed with integer lists (repeats, negatives) and bool masks."""
    key = []
    for size in shape:
        if not draw(st.booleans()):
            break
        choice = draw(st.sampled_from(["int", "slice", "none", "list", "mask"]))
        if choice == "int":
            key.append(draw(st.integers(-size, size - 1)))
        elif choice == "slice":
            key.append(draw(slices(size, False)))
        elif choice == "none":
            key.append(None)
            key.append(slice(None))
        elif choice == "list":
            key.append(draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=5)))
        else:
            key.append(np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size))))
    return tuple(key)


def _for_lib(lib, key):
    """The key with NumPy masks and lists as the library's own tensors."""
    out = []
    for k in key:
        if isinstance(k, np.ndarray):
            out.append(lib.tensor(k))
        elif isinstance(k, list):
            out.append(lib.tensor(k, dtype=lib.int64))
        else:
            out.append(k)
    return tuple(out)


def _grads(lib, data, key, seed):
    x = lib.tensor(data, requires_grad=True)
    y = x[_for_lib(lib, key)]
    w = lib.tensor(np.random.default_rng(seed).standard_normal(tuple(y.shape)))
    (y * w).sum().backward()
    return y.detach().numpy().copy(), x.grad.numpy().copy()


_settings = settings(
    max_examples=int(__import__("os").environ.get("CHAINRULE_HYPOTHESIS_EXAMPLES", 150)),
    deadline=None,
    # the torch fixture is only the module: nothing to reset between examples
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@_settings
@given(data=st.data())
def test_basic_indexing_matches_numpy(data):
    shape = data.draw(shapes)
    key = data.draw(basic_keys(shape, negative_steps=True))
    a = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    x = chainrule.tensor(a)
    y = x[key]
    expected = a[key]
    assert tuple(y.shape) == expected.shape
    np.testing.assert_array_equal(y.numpy(), expected)
    # basic indexing gives a view that shares the base's memory and version counter
    if y.numel():
        assert y._base is x
        assert np.shares_memory(y.numpy(), x.numpy())


@_settings
@given(data=st.data())
def test_basic_indexing_gradient_matches_numpy(data):
    shape = data.draw(shapes)
    key = data.draw(basic_keys(shape, negative_steps=True))
    a = np.random.default_rng(0).standard_normal(shape)
    values, grad = _grads(chainrule, a, key, seed=1)
    np.testing.assert_array_equal(values, a[key])
    expected = np.zeros(shape)
    w = np.random.default_rng(1).standard_normal(a[key].shape)
    expected[key] += w
    np.testing.assert_allclose(grad, expected)


@_settings
@given(data=st.data())
def test_index_expressions_match_torch(data, torch):
    shape = data.draw(shapes)
    key = data.draw(st.one_of(basic_keys(shape), mixed_keys(shape)))
    a = np.random.default_rng(2).standard_normal(shape)
    try:
        ours, our_grad = _grads(chainrule, a, key, seed=3)
    except IndexError as e:  # e.g. index arrays that do not broadcast: PyTorch agrees
        with pytest.raises(IndexError, match=re.escape(str(e))):
            _grads(torch, a, key, seed=3)
        return
    theirs, their_grad = _grads(torch, a, key, seed=3)
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "key",
    [
        ([0, 0, 2, 0],),
        (slice(None), [1, -1, 1]),
        ([[0, 1], [1, 1]], [2, 2]),
        ([0, 1], slice(None), [0, 0]),
    ],
    ids=str,
)
def test_repeated_indices_accumulate(key, torch):
    a = np.random.default_rng(4).standard_normal((3, 3, 3))
    _, ours = _grads(chainrule, a, key, seed=5)
    _, theirs = _grads(torch, a, key, seed=5)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert np.abs(ours).max() > 0


def test_index_double_backward(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = (x[lib.tensor([0, 2, 0])] ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        return g.detach().numpy().copy(), gg.numpy().copy()

    for ours, theirs in zip(run(chainrule), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# -- x[key] = value with autograd -----------------------------------------------------------
def _mask(lib):
    return lib.tensor([[True, False, True, False], [False, False, True, True], [True] * 4])


SETITEM_CASES = {
    "row": lambda lib, y, v: y.__setitem__(0, v[0]),
    "column": lambda lib, y, v: y.__setitem__((slice(None), 1), v[:, 0]),
    "block": lambda lib, y, v: y.__setitem__((slice(1, 3), slice(None, 2)), v[1:, :2] * 2),
    "scalar": lambda lib, y, v: y.__setitem__((1, 2), 7.0),
    "mask_scalar": lambda lib, y, v: y.__setitem__(_mask(lib), 0.0),
    "mask_values": lambda lib, y, v: y.__setitem__(_mask(lib), v[_mask(lib)].exp()),
    "compare_mask": lambda lib, y, v: y.__setitem__(y > 0, v[0, 0]),
    "index_list": lambda lib, y, v: y.__setitem__(lib.tensor([2, 0]), v[:2] + 1),
    "index_broadcast": lambda lib, y, v: y.__setitem__(lib.tensor([1]), v[2]),
    "two_indices": lambda lib, y, v: y.__setitem__(
        (lib.tensor([0, 2]), lib.tensor([3, 1])), v[0, :2]
    ),
    "ellipsis": lambda lib, y, v: y.__setitem__((Ellipsis, -1), v[:, 1]),
    "leading_ones": lambda lib, y, v: y.__setitem__(1, v[:1]),
    "twice": lambda lib, y, v: (y.__setitem__(0, v[1]), y.__setitem__(2, y[0].exp())),
}


@pytest.mark.parametrize("name", sorted(SETITEM_CASES))
def test_setitem_autograd_matches_torch(name, torch):
    rng = np.random.default_rng(abs(hash(name)) % 1000)
    a = rng.standard_normal((3, 4))
    b = rng.standard_normal((3, 4))
    seed = rng.standard_normal((3, 4))

    def run(lib):
        x = lib.tensor(a, requires_grad=True)
        v = lib.tensor(b, requires_grad=True)
        y = x * 1.5
        SETITEM_CASES[name](lib, y, v)
        (y * lib.tensor(seed)).sum().backward()
        grads = [t.grad.numpy().copy() if t.grad is not None else None for t in (x, v)]
        return y.detach().numpy().copy(), grads, type(y.grad_fn).__name__

    ours, our_grads, our_node = run(chainrule)
    theirs, their_grads, their_node = run(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    for g, h in zip(our_grads, their_grads):
        assert (g is None) == (h is None)
        if g is not None:
            np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-15)
    assert our_node == their_node.split("::")[-1]


def test_setitem_into_buffer_that_does_not_require_grad(torch):
    def run(lib):
        w = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        out = lib.zeros(3, 3, dtype=lib.float64)
        for i in range(3):
            out[i] = w * (i + 1)
        out[:, 0] = w.exp()
        assert out.requires_grad and not out.is_leaf
        (out**2).sum().backward()
        return out.detach().numpy().copy(), w.grad.numpy().copy()

    for ours, theirs in zip(run(chainrule), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_setitem_on_a_view_is_recorded_on_its_base(torch):
    """out[i][j] = v writes through the view out[i]; the base records it (CopySlices)."""

    def run(lib):
        w = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        out = lib.zeros(3, 3, dtype=lib.float64)
        for i in range(3):
            for j in range(3):
                out[i][j] = w[j] * (i + 1)
        row = out[1]
        out[2][0] = w[0] ** 2
        y = w * 2
        v = y[0:2]
        v[0] = w[2]
        v[1:][0] = 7.0
        loss = (out**2).sum() + (y * y).sum() + (row * v[0]).sum()
        loss.backward()
        names = [out.grad_fn.name(), y.grad_fn.name()]
        return [out.detach().numpy().copy(), y.detach().numpy().copy(), w.grad.numpy().copy()], [
            n.split("::")[-1] for n in names
        ]

    ours, our_names = run(chainrule)
    theirs, their_names = run(torch)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert our_names == their_names == ["CopySlices", "CopySlices"]


def test_setitem_without_grad_writes_in_place():
    x = chainrule.zeros(2, 3)
    data = x.numpy()
    v0 = x._version
    x[0, 1] = 4
    x[:, 2] = chainrule.tensor([1.0, 2.0])
    x[x > 3] = -1
    assert x.numpy() is data
    np.testing.assert_array_equal(data, [[0, -1, 1], [0, 0, 2]])
    assert x._version == v0 + 3


def test_setitem_under_no_grad_on_a_leaf_parameter():
    w = chainrule.ones(3, requires_grad=True)
    with chainrule.no_grad():
        w[1] = 5.0
    assert w.is_leaf and w.grad_fn is None
    np.testing.assert_array_equal(w.detach().numpy(), [1, 5, 1])


def test_setitem_casts_the_value_to_the_tensors_dtype():
    x = chainrule.zeros(3, dtype=chainrule.int64)
    x[0] = 2.7
    x[1:] = chainrule.tensor([1.5, -1.5], dtype=chainrule.float64)
    assert x.dtype == chainrule.int64
    assert x.tolist() == [2, 1, -1]


def test_setitem_on_a_leaf_that_requires_grad_raises():
    w = chainrule.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        w[0] = 1.0
    with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad"):
        w[w > 0] = 1.0


def test_setitem_invalidates_saved_tensors():
    x = chainrule.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * y
    y[0] = 3.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


# -- views share their base's version counter ---------------------------------------------
@pytest.mark.parametrize(
    "make_view",
    [
        lambda x: x[0],
        lambda x: x[:, 1:],
        lambda x: x[None, ..., 0],
        lambda x: x.narrow(1, 0, 2),
        lambda x: x.view(6),
        lambda x: x.t(),
        lambda x: x.unbind(1)[2],
        lambda x: x.split(1)[1],
        lambda x: x.chunk(3, 1)[0],
        lambda x: x.diagonal(),
        lambda x: x.unsqueeze(0).expand(2, 2, 3)[1],
    ],
)
def test_views_share_the_version_counter(make_view):
    x = chainrule.zeros(2, 3)
    v = make_view(x)
    assert v._base is x
    before = x._version
    if v.numpy().flags.writeable:
        v.add_(1)
        assert x._version == before + 1
        assert x.numpy().sum() == v.numel()
    # a write to the base is seen by the view's counter too
    x.mul_(2)
    assert v._version == x._version


def test_flip_dims_as_keyword_sequence_or_arguments(torch):
    for lib in (torch, chainrule):
        x = lib.arange(24).reshape(2, 3, 4)
        forms = [lib.flip(x, dims=(0, 2)), lib.flip(x, [0, 2]), x.flip(0, 2), x.flip(dims=[0, 2])]
        assert all(f.tolist() == x.numpy()[::-1, :, ::-1].tolist() for f in forms)


def test_advanced_indexing_and_flip_copy():
    x = chainrule.zeros(3, 2)
    for y in (x[[0, 1]], x[x == 0], x.flip(0), x.roll(1, 0), x.repeat(2, 1)):
        assert y._base is None
        y.add_(1)
    assert x.numpy().sum() == 0


def test_in_place_on_a_view_bumps_the_base_version_and_breaks_saved_values():
    x = chainrule.tensor([1.0, 2.0, 3.0], requires_grad=True)
    base = x * 1
    z = base * base
    with chainrule.no_grad():
        base[1:].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


# -- errors, with PyTorch's types and words -------------------------------------------------
ERRORS = [
    (lambda t, x: x[5], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda t, x: x[-4], IndexError, "index -4 is out of bounds for dimension 0 with size 3"),
    (lambda t, x: x[0, 4], IndexError, "index 4 is out of bounds for dimension 1 with size 4"),
    (lambda t, x: x[[0, 5]], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda t, x: x[:, [4]], IndexError, "index 4 is out of bounds for dimension 0 with size 4"),
    (lambda t, x: x[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    (lambda t, x: x[1.5], IndexError, "only integers, slices"),
    (
        lambda t, x: x[t.tensor([1.0])],
        IndexError,
        "tensors used as indices must be long, int, byte or bool tensors",
    ),
    (
        lambda t, x: x[t.tensor([True, False])],
        IndexError,
        r"The shape of the mask \[2\] at index 0 does not match the shape of the indexed "
        r"tensor \[3, 4\] at index 0",
    ),
    (
        lambda t, x: x[[0, 1], [0, 1, 2]],
        IndexError,
        r"shape mismatch: indexing tensors could not be broadcast together with shapes "
        r"\[2\], \[3\]",
    ),
    (lambda t, x: x[t.tensor(5)], IndexError, "index 5 is out of bounds for dimension 0"),
    (
        lambda t, x: x.gather(1, t.zeros(3, dtype=t.int64)),
        RuntimeError,
        "Index tensor must have the same number of dimensions as input tensor",
    ),
    (
        lambda t, x: x.gather(1, t.full((3, 1), 7)),
        RuntimeError,
        "index 7 is out of bounds for dimension 1 with size 4",
    ),
    (
        lambda t, x: x.gather(1, t.zeros(4, 1, dtype=t.int64)),
        RuntimeError,
        r"Size does not match at dimension 0 expected index \[4, 1\] to be no larger than "
        r"self \[3, 4\] apart from dimension 1",
    ),
    (
        lambda t, x: x.index_select(0, t.tensor([5])),
        IndexError,
        "index out of range in self",
    ),
    (
        lambda t, x: x.index_select(0, t.tensor([[0]])),
        IndexError,
        r"index_select\(\): Index is supposed to be a vector",
    ),
    (lambda t, x: t.cat([]), ValueError, r"torch.cat\(\): expected a non-empty list of Tensors"),
    (
        lambda t, x: t.cat([x, t.randn(3, 5)]),
        RuntimeError,
        "Sizes of tensors must match except in dimension 0. Expected size 4 but got size 5 "
        "for tensor number 1 in the list.",
    ),
    (
        lambda t, x: t.cat([x, t.randn(3)]),
        RuntimeError,
        "Tensors must have same number of dimensions: got 2 and 1",
    ),
    (
        lambda t, x: t.cat([x, x], 2),
        IndexError,
        r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)",
    ),
    (
        lambda t, x: t.stack([x, t.randn(3, 5)]),
        RuntimeError,
        r"stack expects each tensor to be equal size, but got \[3, 4\] at entry 0 and "
        r"\[3, 5\] at entry 1",
    ),
    (lambda t, x: t.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    (lambda t, x: t.cat(x), TypeError, "must be tuple of Tensors, not Tensor"),
    (
        lambda t, x: x.narrow(0, 2, 2),
        RuntimeError,
        r"start \(2\) \+ length \(2\) exceeds dimension size \(3\).",
    ),
    (
        lambda t, x: x.repeat(2),
        RuntimeError,
        "Number of dimensions of repeat dims can not be smaller than number of dimensions",
    ),
    (
        lambda t, x: x.flatten(1, 0),
        RuntimeError,
        "flatten\\(\\) has invalid args: start_dim cannot come after end_dim",
    ),
    (
        lambda t, x: x.unflatten(1, (3, 2)),
        RuntimeError,
        r"unflatten: Provided sizes \[3, 2\] don't multiply up to the size of dim 1 \(4\)",
    ),
    (
        lambda t, x: x.split(0),
        RuntimeError,
        "split_size can only be 0 if dimension size is 0, but got dimension size of 3",
    ),
    (
        lambda t, x: x.chunk(0),
        RuntimeError,
        "chunk expects `chunks` to be greater than 0, got: 0",
    ),
    (
        lambda t, x: x.split([1, 1]),
        RuntimeError,
        r"split_with_sizes expects split_sizes to sum exactly to 3",
    ),
    (
        lambda t, x: x.roll((1, 2), (0,)),
        RuntimeError,
        "shifts and dimensions must align. shifts: 2, dims:1",
    ),
    (lambda t, x: x.flip(0, 0), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (
        lambda t, x: t.flip(x),
        TypeError,
        'flip\\(\\) missing 1 required positional arguments: "dims"',
    ),
    (
        lambda t, x: x.masked_fill(t.ones(4), 1),
        RuntimeError,
        "masked_fill_ only supports boolean masks, but got mask with dtype float",
    ),
    (
        lambda t, x: x.masked_fill(x > 0, t.ones(2)),
        RuntimeError,
        "masked_fill_ only supports a 0-dimensional value tensor",
    ),
    (
        lambda t, x: x.masked_fill(t.ones(2, dtype=t.bool), 1),
        RuntimeError,
        "The size of tensor a",
    ),
    (
        lambda t, x: x.take(t.tensor([12])),
        IndexError,
        "out of range: tried to access index 12 on a tensor of 12 elements.",
    ),
    (
        lambda t, x: x.scatter(1, t.zeros(3, 1, dtype=t.int64), t.ones(3, 1, dtype=t.float64)),
        RuntimeError,
        r"scatter\(\): Expected self.dtype to be equal to src.dtype",
    ),
    (
        lambda t, x: x.scatter(1, t.full((3, 1), 9), 1.0),
        RuntimeError,
        "index 9 is out of bounds for dimension 1 with size 4",
    ),
    (
        lambda t, x: x.diagonal(0, 0, 0),
        RuntimeError,
        "diagonal dimensions cannot be identical 0, 0",
    ),
    (
        lambda t, x: t.randn(3).tril(),
        RuntimeError,
        "tril: input tensor must have at least 2 dimensions",
    ),
    (
        lambda t, x: x.__setitem__(0, t.ones(3)),
        RuntimeError,
        None,
    ),
    (
        lambda t, x: x.__setitem__(x > 0, t.ones(20)),
        RuntimeError,
        "shape mismatch: value tensor of shape \\[20\\] cannot be broadcast to indexing result",
    ),
    (lambda t, x: x.__setitem__(0, "a"), TypeError, "can't assign a str to a torch.FloatTensor"),
    (lambda t, x: x.__setitem__(5, 1.0), IndexError, "index 5 is out of bounds for dimension 0"),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case, torch):
    fn, exc, message = ERRORS[case]
    x = chainrule.randn(3, 4)
    with pytest.raises(exc, match=message) as ours:
        fn(chainrule, x)
    with pytest.raises(exc, match=message):
        fn(torch, torch.randn(3, 4))
    assert type(ours.value) is exc


# -- nonzero, one-argument where, and forms that return several tensors --------------------
def test_nonzero_forms(torch):
    a = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    for lib in (chainrule, torch):
        x = lib.tensor(a)
        assert x.nonzero().tolist() == [[0, 1], [1, 0], [1, 2]]
        assert [t.tolist() for t in x.nonzero(as_tuple=True)] == [[0, 1, 1], [1, 0, 2]]
        assert [t.tolist() for t in lib.where(x > 0)] == [[0, 1], [1, 0]]
        assert lib.argwhere(x < 0).tolist() == [[1, 2]]
        assert x.nonzero().dtype == lib.int64
    assert tuple(chainrule.tensor(5.0).nonzero().shape) == (1, 0)
    assert [t.tolist() for t in chainrule.tensor(5.0).nonzero(as_tuple=True)] == [[0]]


def test_split_pieces_are_views_and_unused_pieces_get_zero_grads():
    x = chainrule.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    a, b, c = x.split(2)
    assert a.shape == (2,) and c.shape == (1,)
    assert all(p._base is x for p in (a, b, c))
    (b * 3).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 3.0, 3.0, 0.0]


def test_unbind_pieces_are_views():
    x = chainrule.arange(6.0).reshape(2, 3)
    rows = x.unbind()
    assert all(np.shares_memory(r.numpy(), x.numpy()) for r in rows)
    rows[1][0] = 10.0
    assert x[1, 0].item() == 10.0


def test_grad_fn_names_match_torch(torch):
    exprs = [
        "x[0]",
        "x[1:]",
        "x[:, 1]",
        "x[None]",
        "x[...]",
        "x[[0, 1]]",
        "x[x > 0]",
        "x.narrow(1, 0, 2)",
        "x.t()",
        "x.T",
        "x.transpose(0, 1).reshape(12)",
        "x.reshape(4, 3)",
        "x.squeeze()",
        "x.squeeze(0)",
        "x.squeeze((0, 1))",
        "x.flip(0)",
        "x.roll(1, 0)",
        "x.repeat(2, 1)",
        "x.movedim(0, 1)",
        "x.diagonal()",
        "x.tril()",
        "x.masked_fill(x > 0, 0)",
        "x.gather(1, lib.zeros(3, 1, dtype=lib.int64))",
        "x.index_select(0, lib.tensor([0, 0]))",
        "x.take(lib.tensor([1]))",
        "lib.cat([x, x])",
        "lib.stack([x, x])",
        "x.split(2)[0]",
        "x.split([1, 2])[0]",
        "x.chunk(2)[0]",
        "x.unbind()[0]",
    ]
    for e in exprs:
        names = []
        for lib in (chainrule, torch):
            x = lib.randn(3, 4, requires_grad=True)  # noqa: F841 (used by eval)
            names.append(type(eval(e)).__name__ and eval(e).grad_fn.name().split("::")[-1])
        assert names[0] == names[1], e


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.functional.prelu(t.tensor(-2.0), t.tensor([0.25])),
        lambda t: t.index_select(t.tensor(3.0), 0, t.tensor([0])),
        lambda t: t.index_select(t.tensor(3.0), 0, t.tensor(0)),
        lambda t: t.index_fill(t.tensor(3.0), 0, t.tensor([0]), t.tensor(-1.0)),
        lambda t: t.masked_select(t.tensor(3.0), t.tensor(True)),
        lambda t: t.masked_select(t.tensor(3.0), t.tensor(False)),
        lambda t: t.gather(t.tensor(3.0), 0, t.tensor([0])),
        lambda t: t.gather(t.tensor(3.0), 0, t.tensor(0)),
        lambda t: t.gather(t.tensor([3.0, 4.0]), 0, t.tensor([1], dtype=t.int32)),
        lambda t: t.gather(t.zeros(5), 0, t.zeros(2, 0, dtype=t.uint8)),
        lambda t: t.gather(t.zeros(5), 0, t.zeros(2, dtype=t.int16)),
        lambda t: t.scatter(t.zeros(3, 2), 0, t.tensor([[1, 0]], dtype=t.int32), t.ones(1, 2)),
        lambda t: t.scatter(t.zeros(3, 2), 0, t.tensor([[1, 0]], dtype=t.int16), t.ones(1, 2)),
        lambda t: t.scatter_add(t.zeros(3), 0, t.tensor([1, 1], dtype=t.int32), t.ones(2)),
        lambda t: t.scatter_reduce(t.zeros(3), 0, t.tensor([2], dtype=t.int32), t.ones(1), "sum"),
    ],
)
def test_0_dim_inputs_and_index_dtypes_as_pytorch(call, torch):
    """0-dim inputs read as their one element (results shaped as PyTorch's), int32 indices
    taken by gather and scatter, other dtypes refused unless the index is empty."""
    seen = []
    for lib in (torch, chainrule):
        try:
            y = call(lib)
            seen.append((tuple(y.shape), str(y.dtype).removeprefix("torch."), y.tolist()))
        except RuntimeError as e:
            seen.append(str(e))
    assert seen[1] == seen[0]


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x: t.take_along_dim(x, t.tensor([1, 2])),
        lambda t, x: t.take_along_dim(x, t.tensor([1, 2]), 1),
        lambda t, x: t.take_along_dim(x, t.tensor([[1, 2]], dtype=t.int32), 1),
        lambda t, x: t.take_along_dim(x, t.tensor([[1], [2], [3]]), 1),
        lambda t, x: t.take_along_dim(x, t.tensor([[1, 4]]), 1),
        lambda t, x: t.take_along_dim(x, t.tensor([[1], [0]]), 0),
        lambda t, x: t.take_along_dim(x[:1], t.tensor([[1, 2], [3, 4], [0, 0]]), 1),
        lambda t, x: t.take_along_dim(x.unsqueeze(0), t.tensor([[[1], [0]]]), -1),
    ],
)
def test_take_along_dim_broadcasts_as_pytorch(call, torch):
    """The dims other than dim broadcast between input and indices: values, gradients and
    PyTorch's errors."""
    seen = []
    for lib in (torch, chainrule):
        x = lib.arange(10.0).reshape(2, 5).requires_grad_(True)
        try:
            y = call(lib, x)
            y.sum().backward()
            seen.append((tuple(y.shape), y.tolist(), x.grad.tolist()))
        except RuntimeError as e:
            seen.append(str(e))
    assert seen[1] == seen[0]
