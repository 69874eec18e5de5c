"""PixelShuffle/PixelUnshuffle/ChannelShuffle, CosineSimilarity/PairwiseDistance with the
distance functions, GLU, RReLU, Softmax2d and EmbeddingBag against PyTorch: forward and
gradients (float32 and float64), reprs, grad_fn names and errors word for word."""

from __future__ import annotations

import numpy as np
import pytest
from modcheck import compare

import chainrule


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


class _Call:
    """A module whose forward is a function of the library (for functional forms)."""

    @staticmethod
    def make(fn):
        def build(lib):
            class Fn(lib.nn.Module):
                def forward(self, *xs):
                    return fn(lib, *xs)

            return Fn()

        return build


LAYERS = [
    ("pixel_shuffle", lambda t: t.nn.PixelShuffle(2), [(2, 8, 3, 2)]),
    ("pixel_unshuffle", lambda t: t.nn.PixelUnshuffle(2), [(1, 2, 4, 6)]),
    ("channel_shuffle", lambda t: t.nn.ChannelShuffle(2), [(2, 6, 3, 2)]),
    ("cosine_similarity", lambda t: t.nn.CosineSimilarity(), [(4, 5), (4, 5)]),
    ("cosine_similarity_broadcast", lambda t: t.nn.CosineSimilarity(-1, 1e-6), [(3, 1, 4), (2, 4)]),
    # broadcast along the reduced dim: the norms are those of the broadcast inputs
    ("cosine_similarity_along_broadcast", lambda t: t.nn.CosineSimilarity(-2),
     [(1, 2, 3), (2, 1, 3)]),
    ("pairwise_distance", lambda t: t.nn.PairwiseDistance(), [(4, 5), (4, 5)]),
    ("pairwise_distance_p1_keepdim", lambda t: t.nn.PairwiseDistance(1, keepdim=True),
     [(4, 5), (5,)]),
    ("pdist", _Call.make(lambda t, x: t.nn.functional.pdist(x, 2.5)), [(5, 3)]),
    ("cdist", _Call.make(lambda t, a, b: t.cdist(a, b)), [(2, 4, 3), (2, 5, 3)]),
    ("cdist_many_rows", _Call.make(lambda t, a, b: t.cdist(a, b)), [(30, 3), (4, 3)]),
    ("cdist_inf", _Call.make(lambda t, a, b: t.cdist(a, b, float("inf"))), [(4, 3), (5, 3)]),
    ("dist", _Call.make(lambda t, a, b: t.dist(a, b, 3)), [(4, 3), (3,)]),
    ("glu", lambda t: t.nn.GLU(), [(3, 6)]),
    ("glu_dim1", lambda t: t.nn.GLU(1), [(3, 4, 2)]),
    ("rrelu_eval", lambda t: t.nn.RReLU(0.1, 0.4), [(4, 5)]),
    ("softmax2d", lambda t: t.nn.Softmax2d(), [(2, 3, 2, 2)]),
    ("softmax2d_unbatched", lambda t: t.nn.Softmax2d(), [(3, 2, 2)]),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,make,shapes", LAYERS, ids=[c[0] for c in LAYERS])
def test_layers_match_torch(name, make, shapes, dtype, torch):
    inputs = [_x(*s, seed=i) for i, s in enumerate(shapes)]
    (_, _, ours), (_, _, theirs) = compare(torch, make, inputs, dtype)
    assert ours == theirs


BAGS = [
    ("mean", {"input": [1, 2, 4, 5, 4, 3, 2, 9], "offsets": [0, 4]}, {}),
    ("sum_last_offset", {"input": [1, 2, 4, 5, 4, 3, 2, 9], "offsets": [0, 3, 8]},
     {"mode": "sum", "include_last_offset": True}),
    ("max_empty_bag", {"input": [1, 2, 4, 5, 4, 3, 2, 9], "offsets": [0, 4, 4]}, {"mode": "max"}),
    ("2d_padding", {"input": [[1, 2, 4], [4, 3, 2]]}, {"padding_idx": 4}),
    ("frequency", {"input": [1, 4, 1, 4], "offsets": [0, 1]},
     {"mode": "sum", "scale_grad_by_freq": True}),
    ("max_norm", {"input": [1, 2, 4, 5], "offsets": [0, 2]}, {"max_norm": 1.0}),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,data,kw", BAGS, ids=[b[0] for b in BAGS])
def test_embedding_bag_matches_torch(name, data, kw, dtype, torch):
    def call(m, lib, *consts):
        return m(*consts)

    extra = [np.array(data["input"])] + ([np.array(data["offsets"])] if "offsets" in data else [])
    compare(torch, lambda t: t.nn.EmbeddingBag(10, 3, **kw), [], dtype, call=call, extra=extra)


def test_embedding_bag_per_sample_weights(torch):
    w = _x(10, 3)
    psw = _x(8, seed=1)
    results = []
    for lib in (chainrule, torch):
        bag = lib.nn.EmbeddingBag.from_pretrained(lib.tensor(w), freeze=False, mode="sum")
        p = lib.tensor(psw, requires_grad=True)
        out = bag(lib.tensor([1, 2, 4, 5, 4, 3, 2, 9]), lib.tensor([0, 4]), per_sample_weights=p)
        gw, gp = lib.autograd.grad(out, (bag.weight, p), lib.ones_like(out))
        results.append((out.detach().numpy(), gw.numpy(), gp.numpy(), out.grad_fn.name()))
    for a, b in zip(results[0][:3], results[1][:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert results[0][3] == results[1][3] == "EmbeddingBagBackward0"


def test_embedding_bag_frequency_scaling_is_per_index():
    """Each row's gradient is divided by how often its index occurs. (PyTorch 2.13's CPU kernel
    divides some rows by the count of another index; chainrule keeps nn.Embedding's rule.)"""
    w = chainrule.zeros(10, 1, requires_grad=True)
    out = chainrule.nn.functional.embedding_bag(
        chainrule.tensor([1, 1, 4, 1]), w, chainrule.tensor([0, 1]), mode="sum",
        scale_grad_by_freq=True,
    )  # fmt: skip
    out.backward(chainrule.tensor([[1.0], [10.0]]))
    assert w.grad.flatten()[[1, 4]].tolist() == pytest.approx([7.0, 10.0])


def test_rrelu_training_draws_slopes_in_range():
    chainrule.manual_seed(0)
    x = chainrule.linspace(-2, 2, 400, requires_grad=True)
    y = chainrule.nn.RReLU(0.1, 0.3)(x)
    assert y.grad_fn.name() == "RreluWithNoiseBackward0"
    slope = (y / x).detach().numpy()
    neg = x.detach().numpy() < 0
    assert (slope[~neg] == 1).all()
    assert (slope[neg] >= 0.1 - 1e-6).all() and (slope[neg] <= 0.3 + 1e-6).all()
    assert len(np.unique(np.round(slope[neg], 6))) > 100  # drawn per element
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slope, rtol=1e-5)


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 2.0, float("inf")])
@pytest.mark.parametrize(("shape1", "shape2"), [((2, 3, 0), (2, 4, 0)), ((2, 0, 3), (2, 4, 3))])
def test_cdist_of_empty_rows_or_columns(p, shape1, shape2, torch):
    """No differences to differentiate: zero gradients of the inputs' shapes, as PyTorch's
    (the inf norm of an empty difference is not refused: only the reduced dim being empty
    is, and an empty reduction here has nothing to reduce)."""
    results = []
    for lib in (torch, chainrule):
        a = lib.ones(*shape1, requires_grad=True)
        b = lib.ones(*shape2, requires_grad=True)
        out = lib.cdist(a, b, p=p)
        out.sum().backward()
        results.append((tuple(out.shape), out.detach().numpy().tolist(), a.grad.shape, b.grad))
    (s0, v0, g0, b0), (s1, v1, g1, b1) = results
    assert (s1, v1, tuple(g1)) == (s0, v0, tuple(g0))
    assert tuple(b1.shape) == tuple(b0.shape) and not b1.numpy().any()


def test_vector_norm_inf_over_non_empty_dims_of_an_empty_tensor(torch):
    for lib in (torch, chainrule):
        out = lib.linalg.vector_norm(lib.zeros(0, 3), float("inf"), dim=-1)
        assert tuple(out.shape) == (0,)
    x = chainrule.ones(3, 0, requires_grad=True)
    chainrule.nn.functional.pdist(x, p=float("inf")).sum().backward()
    assert tuple(x.grad.shape) == (3, 0)


def test_reprs(torch):
    for make in (
        lambda t: t.nn.PixelShuffle(2),
        lambda t: t.nn.PixelUnshuffle(3),
        lambda t: t.nn.ChannelShuffle(2),
        lambda t: t.nn.CosineSimilarity(),
        lambda t: t.nn.PairwiseDistance(),
        lambda t: t.nn.GLU(),
        lambda t: t.nn.RReLU(),
        lambda t: t.nn.RReLU(0.1, 0.3, inplace=True),
        lambda t: t.nn.Softmax2d(),
        lambda t: t.nn.EmbeddingBag(10, 3),
        lambda t: t.nn.EmbeddingBag(10, 3, max_norm=1.0, mode="max", padding_idx=0),
        lambda t: t.nn.EmbeddingBag(10, 3, norm_type=1.5, scale_grad_by_freq=True, mode="sum"),
    ):
        ours, theirs = make(chainrule), make(torch)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.functional.pixel_shuffle(t.zeros(2, 8), 2),
        lambda t: t.nn.functional.pixel_shuffle(t.zeros(2, 7, 3, 3), 2),
        lambda t: t.nn.functional.pixel_shuffle(t.zeros(2, 8, 3, 3), 0),
        lambda t: t.nn.functional.pixel_unshuffle(t.zeros(2, 2, 3, 3), 2),
        lambda t: t.nn.functional.pixel_unshuffle(t.zeros(2, 2, 4, 3), 2),
        lambda t: t.nn.functional.channel_shuffle(t.zeros(2, 8, 3, 3), 3),
        lambda t: t.nn.functional.channel_shuffle(t.zeros(2, 8), 2),
        lambda t: t.nn.Softmax2d()(t.zeros(3, 3)),
        lambda t: t.nn.functional.glu(t.zeros(2, 3)),
        lambda t: t.nn.functional.glu(t.tensor(1.0)),
        lambda t: t.nn.functional.glu(t.zeros(2, 4), dim=2),
        lambda t: t.nn.functional.cosine_similarity(t.zeros(2, 3), t.zeros(2, 4)),
        lambda t: t.nn.functional.cosine_similarity(t.zeros(3), t.zeros(3), dim=1),
        lambda t: t.nn.functional.pdist(t.zeros(2, 3, 4)),
        lambda t: t.nn.functional.pdist(t.zeros(3, 4), p=-1),
        lambda t: t.nn.functional.pdist(t.zeros(3, 4, dtype=t.int64)),
        lambda t: t.cdist(t.zeros(3), t.zeros(2, 3)),
        lambda t: t.cdist(t.zeros(3, 5), t.zeros(2, 4)),
        lambda t: t.cdist(t.zeros(3, 5), t.zeros(2, 5), p=-1),
        lambda t: t.cdist(t.zeros(3, 5, dtype=t.int64), t.zeros(2, 5, dtype=t.int64)),
        lambda t: t.dist(t.zeros(3), t.zeros(4)),
        lambda t: t.nn.functional.rrelu(t.zeros(3), 0.5, 0.2),
        lambda t: t.nn.functional.embedding_bag(t.tensor([1, 2, 4]), t.zeros(10, 3), t.tensor([1])),
        lambda t: t.nn.functional.embedding_bag(
            t.tensor([1, 2, 4]), t.zeros(10, 3), t.tensor([0, 5])
        ),
        lambda t: t.nn.functional.embedding_bag(
            t.tensor([1, 2, 10]), t.zeros(10, 3), t.tensor([0])
        ),
        lambda t: t.nn.functional.embedding_bag(t.tensor([1, 2, 4]), t.zeros(10, 3)),
        lambda t: t.nn.functional.embedding_bag(
            t.tensor([1, 2, 4]), t.zeros(10, 3), t.tensor([0]), mode="foo"
        ),
        lambda t: t.nn.functional.embedding_bag(
            t.tensor([1, 2, 4]), t.zeros(10, 3), t.tensor([0]), per_sample_weights=t.ones(3)
        ),
        lambda t: t.nn.functional.embedding_bag(
            t.tensor([1.0, 2, 4]), t.zeros(10, 3), t.tensor([0])
        ),
        lambda t: t.nn.functional.embedding_bag(
            t.tensor([1, 2, 4]), t.zeros(10, 3), t.tensor([0]), padding_idx=10
        ),
        lambda t: t.nn.EmbeddingBag(10, 3, padding_idx=10),
    ],
)
def test_errors_match_torch(call, torch):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(chainrule)
    assert str(ours.value) == str(theirs.value)
