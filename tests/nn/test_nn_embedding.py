"""nn.Embedding, F.embedding and F.one_hot: values, gradients and errors against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule.autograd import gradcheck, gradgradcheck

F = chainrule.nn.functional
nn = chainrule.nn


def _weight(rng, rows=6, cols=3, dtype=np.float32):
    return rng.standard_normal((rows, cols)).astype(dtype)


def _lookup(lib, w, idx, seed, **kw):
    weight = lib.tensor(w, requires_grad=True)
    out = lib.nn.functional.embedding(lib.tensor(idx), weight, **kw)
    out.backward(lib.tensor(seed))
    return out.detach().numpy(), weight.grad.numpy(), weight.detach().numpy()


OPTIONS = [
    {},
    {"padding_idx": 2},
    {"padding_idx": -1},
    {"padding_idx": 0, "scale_grad_by_freq": True},
    {"scale_grad_by_freq": True},
    {"max_norm": 1.0},
    {"max_norm": 1.5, "norm_type": 1.0},
    {"sparse": False},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "plain")
@pytest.mark.parametrize("shape", [(), (5,), (2, 4)], ids=["0d", "1d", "2d"])
def test_embedding_matches_torch(shape, options, dtype, rng, torch):
    w = _weight(rng, dtype=dtype)
    idx = rng.integers(0, 6, shape).astype(np.int64)
    if idx.ndim:
        idx.reshape(-1)[:2] = [2, 5]  # a padding row and a repeat are reached
    seed = rng.standard_normal(shape + (3,)).astype(dtype)
    ours = _lookup(chainrule, w, idx, seed, **options)
    theirs = _lookup(torch, w, idx, seed, **options)
    tol = {"rtol": 1e-6, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12}
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, **tol)


def test_int32_indices_work_as_int64(rng):
    w = chainrule.tensor(_weight(rng))
    a = F.embedding(chainrule.tensor([1, 4], dtype=chainrule.int32), w)
    b = F.embedding(chainrule.tensor([1, 4]), w)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_padding_row_gets_no_gradient_and_repeats_accumulate():
    w = chainrule.ones(4, 2, requires_grad=True)
    F.embedding(chainrule.tensor([[1, 1], [3, 1]]), w, padding_idx=3).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 0], [3, 3], [0, 0], [0, 0]])


def test_grad_fn_is_embedding_backward(rng):
    w = chainrule.tensor(_weight(rng), requires_grad=True)
    out = F.embedding(chainrule.tensor([0, 2]), w)
    assert type(out.grad_fn).__name__ == "EmbeddingBackward0"
    assert type(out.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"
    assert len(out.grad_fn.next_functions) == 1


def test_gradcheck_and_gradgradcheck(rng):
    w = chainrule.tensor(_weight(rng, 5, 2, np.float64), requires_grad=True)
    idx = chainrule.tensor([[0, 3, 3], [4, 0, 1]])

    def fn(weight):
        return F.embedding(idx, weight)

    assert gradcheck(fn, (w,))
    assert gradgradcheck(fn, (w,))


def test_double_backward_reads_the_rows_again(rng, torch):
    w = _weight(rng, 5, 2, np.float64)
    idx = np.array([0, 3, 3, 1])
    v = rng.standard_normal((4, 2))

    def run(lib):
        weight = lib.tensor(w, requires_grad=True)
        grad_out = lib.tensor(v, requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor(idx), weight, padding_idx=1)
        (g,) = lib.autograd.grad(out, weight, grad_out, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), grad_out)
        return g.detach().numpy(), gg.numpy(), type(g.grad_fn).__name__

    ours, theirs = run(chainrule), run(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    assert ours[2] == theirs[2] == "EmbeddingDenseBackwardBackward0"


def test_max_norm_renormalises_the_weight_in_place_without_a_graph(rng):
    w = chainrule.nn.Parameter(chainrule.tensor(_weight(rng) * 3))
    before = w._version
    F.embedding(chainrule.tensor([1, 2]), w, max_norm=1.0)
    norms = w.detach().norm(dim=1).numpy()
    assert norms[1] <= 1.0 + 1e-6 and norms[2] <= 1.0 + 1e-6
    assert w._version > before and w.grad_fn is None


# -- errors -----------------------------------------------------------------------------------
ERRORS = [
    (
        "above_range",
        lambda t: t.nn.functional.embedding(t.tensor([1, 6]), t.randn(6, 3)),
        IndexError,
        "index out of range in self",
    ),
    (
        "negative",
        lambda t: t.nn.functional.embedding(t.tensor([-1]), t.randn(6, 3)),
        IndexError,
        "index out of range in self",
    ),
    (
        "float_index",
        lambda t: t.nn.functional.embedding(t.tensor([1.0]), t.randn(6, 3)),
        RuntimeError,
        "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
        "Long, Int; but got torch.FloatTensor instead (while checking arguments for embedding)",
    ),
    (
        "uint8_index",
        lambda t: t.nn.functional.embedding(t.tensor([1], dtype=t.uint8), t.randn(6, 3)),
        RuntimeError,
        "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
        "Long, Int; but got torch.ByteTensor instead (while checking arguments for embedding)",
    ),
    (
        "bool_index",
        lambda t: t.nn.functional.embedding(t.tensor([True]), t.randn(6, 3)),
        RuntimeError,
        "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
        "Long, Int; but got CPUBoolType instead (while checking arguments for embedding)",
    ),
    (
        "list_index",
        lambda t: t.nn.functional.embedding([1, 2], t.randn(6, 3)),
        TypeError,
        "embedding(): argument 'indices' (position 2) must be Tensor, not list",
    ),
    (
        "weight_1d",
        lambda t: t.nn.functional.embedding(t.tensor([1]), t.randn(6)),
        RuntimeError,
        "'weight' must be 2-D",
    ),
    (
        "padding_high",
        lambda t: t.nn.functional.embedding(t.tensor([1]), t.randn(6, 3), padding_idx=6),
        AssertionError,
        "Padding_idx must be within num_embeddings",
    ),
    (
        "padding_low",
        lambda t: t.nn.functional.embedding(t.tensor([1]), t.randn(6, 3), padding_idx=-7),
        AssertionError,
        "Padding_idx must be within num_embeddings",
    ),
    (
        "module_padding",
        lambda t: t.nn.Embedding(5, 3, padding_idx=5),
        AssertionError,
        "Padding_idx must be within num_embeddings",
    ),
    (
        "module_padding_low",
        lambda t: t.nn.Embedding(5, 3, padding_idx=-6),
        AssertionError,
        "Padding_idx must be within num_embeddings",
    ),
    (
        "module_weight_shape",
        lambda t: t.nn.Embedding(5, 3, _weight=t.randn(4, 3)),
        AssertionError,
        "Shape of weight does not match num_embeddings and embedding_dim",
    ),
    (
        "pretrained_1d",
        lambda t: t.nn.Embedding.from_pretrained(t.randn(4)),
        AssertionError,
        "Embeddings parameter is expected to be 2-dimensional",
    ),
    (
        "one_hot_large",
        lambda t: t.nn.functional.one_hot(t.tensor([1, 2]), 2),
        RuntimeError,
        "Class values must be smaller than num_classes.",
    ),
    (
        "one_hot_negative",
        lambda t: t.nn.functional.one_hot(t.tensor([1, -1]), 3),
        RuntimeError,
        "Class values must be non-negative.",
    ),
    (
        "one_hot_negative_infer",
        lambda t: t.nn.functional.one_hot(t.tensor([1, -1])),
        RuntimeError,
        "Class values must be non-negative.",
    ),
    (
        "one_hot_bad_classes",
        lambda t: t.nn.functional.one_hot(t.tensor([1, 2]), -5),
        RuntimeError,
        "Class values must be smaller than num_classes.",
    ),
    (
        "one_hot_int32",
        lambda t: t.nn.functional.one_hot(t.tensor([1], dtype=t.int32), 3),
        RuntimeError,
        "one_hot is only applicable to index tensor of type LongTensor.",
    ),
    (
        "one_hot_float",
        lambda t: t.nn.functional.one_hot(t.tensor([1.0]), 3),
        RuntimeError,
        "one_hot is only applicable to index tensor of type LongTensor.",
    ),
    (
        "one_hot_empty",
        lambda t: t.nn.functional.one_hot(t.tensor([], dtype=t.int64)),
        RuntimeError,
        "Can not infer total number of classes from empty tensor.",
    ),
    (
        "one_hot_empty_zero",
        lambda t: t.nn.functional.one_hot(t.tensor([], dtype=t.int64), 0),
        RuntimeError,
        "Can not infer total number of classes from empty tensor.",
    ),
    (
        "one_hot_list",
        lambda t: t.nn.functional.one_hot([1, 2], 3),
        TypeError,
        "one_hot(): argument 'input' (position 1) must be Tensor, not list",
    ),
]


@pytest.mark.parametrize(
    "call, error, message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call(chainrule)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "call, error, message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_errors_match_torch(call, error, message, torch):
    with pytest.raises(error) as info:
        call(torch)
    assert str(info.value) == message


# -- the module -------------------------------------------------------------------------------
def test_module_init_is_standard_normal_with_the_padding_row_zero():
    chainrule.manual_seed(0)
    e = nn.Embedding(400, 50, padding_idx=7)
    w = e.weight.detach().numpy()
    assert e.weight.shape == (400, 50) and e.weight.requires_grad
    assert isinstance(e.weight, nn.Parameter) and e.weight.dtype == chainrule.float32
    assert np.all(w[7] == 0)
    rest = np.delete(w, 7, axis=0)
    assert abs(rest.mean()) < 0.02 and abs(rest.std() - 1) < 0.02
    assert [n for n, _ in e.named_parameters()] == ["weight"]


def test_module_negative_padding_idx_counts_from_the_end():
    e = nn.Embedding(5, 3, padding_idx=-2)
    assert e.padding_idx == 3
    assert np.all(e.weight.detach().numpy()[3] == 0)


def test_module_padding_row_does_not_change_in_training():
    e = nn.Embedding(4, 2, padding_idx=0)
    with chainrule.no_grad():
        e.weight[0] = chainrule.tensor([5.0, 5.0])
    e(chainrule.tensor([[0, 1], [2, 0]])).pow(2).sum().backward()
    assert np.all(e.weight.grad.numpy()[0] == 0)
    assert np.all(e.weight.grad.numpy()[1] != 0)


def test_module_forward_matches_functional(rng):
    e = nn.Embedding(6, 3, max_norm=2.0, scale_grad_by_freq=True)
    idx = chainrule.tensor(rng.integers(0, 6, (3, 2)))
    out = e(idx)
    assert out.shape == (3, 2, 3)
    np.testing.assert_array_equal(out.detach().numpy(), e.weight.detach().numpy()[idx.numpy()])


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((10, 3), {}),
        ((10, 3), {"padding_idx": 0}),
        ((10, 3), {"padding_idx": -1}),
        ((5, 2), {"max_norm": 1.0, "norm_type": 1, "scale_grad_by_freq": True, "sparse": True}),
        ((5, 2), {"norm_type": 3.0}),
    ],
)
def test_module_repr_matches_torch(args, kwargs, torch):
    assert repr(nn.Embedding(*args, **kwargs)) == repr(torch.nn.Embedding(*args, **kwargs))


def test_module_with_weight_and_dtype():
    w = chainrule.randn(4, 3)
    e = nn.Embedding(4, 3, _weight=w)
    np.testing.assert_array_equal(e.weight.detach().numpy(), w.numpy())
    assert nn.Embedding(2, 2, dtype=chainrule.float64).weight.dtype == chainrule.float64


def test_from_pretrained_is_frozen_by_default():
    w = chainrule.randn(4, 3)
    e = nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad and repr(e) == "Embedding(4, 3)"
    np.testing.assert_array_equal(e(chainrule.tensor([2])).numpy()[0], w.numpy()[2])
    assert e(chainrule.tensor([2])).grad_fn is None


def test_from_pretrained_unfrozen_with_padding():
    w = chainrule.randn(4, 3)
    e = nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
    assert e.weight.requires_grad and e.padding_idx == 1
    # PyTorch keeps the pretrained padding row as given
    np.testing.assert_array_equal(e.weight.detach().numpy()[1], w.numpy()[1])
    e(chainrule.tensor([1, 2])).sum().backward()
    np.testing.assert_array_equal(e.weight.grad.numpy()[1], [0, 0, 0])


# -- one_hot ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "values, num_classes",
    [([1, 2, 0], -1), ([1, 2], 5), ([[1, 2], [0, 3]], 4), (2, 3), ([], 3)],
)
def test_one_hot_matches_torch(values, num_classes, torch):
    ours = F.one_hot(chainrule.tensor(values, dtype=chainrule.int64), num_classes)
    theirs = torch.nn.functional.one_hot(torch.tensor(values, dtype=torch.int64), num_classes)
    assert ours.dtype == chainrule.int64
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
