"""The margin, ranking, embedding and likelihood losses and CTCLoss against PyTorch: each
with every reduction (values and gradients in float32 and float64, grad_fn names), the
modules and their reprs, and PyTorch's errors word for word. Gradchecks of the primitives
are in the op table (tests/ops/table_nn_loss_more.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule


def _arrays(seed, dtype):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 5)).astype(dtype)
    y = rng.standard_normal((4, 5)).astype(dtype)
    z = rng.standard_normal((4, 5)).astype(dtype)
    return x, y, z


def _sign(a):
    return np.where(a >= 0, 1.0, -1.0).astype(a.dtype)


# Each case: fn(lib, F, reduction, x, y, z) with x, y, z (4, 5) tensors that require grad.
CASES = {
    "margin_ranking": lambda t, F, r, x, y, z: F.margin_ranking_loss(
        x[:, 0], y[:, 0], t.tensor([1.0, -1.0, 1.0, -1.0], dtype=x.dtype), 0.3, reduction=r
    ),
    "soft_margin": lambda t, F, r, x, y, z: F.soft_margin_loss(
        x, t.tensor(_sign(y.detach().numpy())), reduction=r
    ),
    "multi_margin": lambda t, F, r, x, y, z: F.multi_margin_loss(
        x, t.tensor([0, 3, 1, 4]), reduction=r
    ),
    "multi_margin_p2_weight": lambda t, F, r, x, y, z: F.multi_margin_loss(
        x,
        t.tensor([0, 3, 1, 4]),
        p=2,
        margin=0.7,
        weight=t.tensor([0.5, 0.75, 1.0, 1.25, 1.5], dtype=x.dtype),
        reduction=r,
    ),  # fmt: skip
    "multi_margin_1d": lambda t, F, r, x, y, z: F.multi_margin_loss(x[0], t.tensor(2), reduction=r),
    "multilabel_margin": lambda t, F, r, x, y, z: F.multilabel_margin_loss(
        x,
        t.tensor([[0, 3, -1, 1, 2], [1, -1, 0, 0, 0], [2, 2, 4, -1, 0], [4, 3, 2, 1, 0]]),
        reduction=r,
    ),  # fmt: skip
    "multilabel_margin_1d": lambda t, F, r, x, y, z: F.multilabel_margin_loss(
        x[1], t.tensor([3, 1, -1, 0, 0]), reduction=r
    ),
    "multilabel_soft_margin": lambda t, F, r, x, y, z: F.multilabel_soft_margin_loss(
        x,
        (y.detach() > 0).to(x.dtype),
        weight=t.tensor([0.5, 0.75, 1.0, 1.25, 1.5], dtype=x.dtype),
        reduction=r,
    ),  # fmt: skip
    "triplet": lambda t, F, r, x, y, z: F.triplet_margin_loss(x, y, z, reduction=r),
    "triplet_p1_swap": lambda t, F, r, x, y, z: F.triplet_margin_loss(
        x, y, z, margin=2.0, p=1, swap=True, reduction=r
    ),
    "triplet_distance": lambda t, F, r, x, y, z: F.triplet_margin_with_distance_loss(
        x, y, z, reduction=r
    ),
    "triplet_distance_cosine_swap": lambda t, F, r, x, y, z: F.triplet_margin_with_distance_loss(
        x,
        y,
        z,
        distance_function=lambda a, b: 1 - F.cosine_similarity(a, b),
        margin=0.5,
        swap=True,
        reduction=r,
    ),  # fmt: skip
    "cosine_embedding": lambda t, F, r, x, y, z: F.cosine_embedding_loss(
        x, y, t.tensor([1.0, -1.0, -1.0, 1.0], dtype=x.dtype), margin=0.1, reduction=r
    ),
    "cosine_embedding_1d": lambda t, F, r, x, y, z: F.cosine_embedding_loss(
        x[0], y[0], t.tensor(-1.0, dtype=x.dtype), reduction=r
    ),
    "hinge_embedding": lambda t, F, r, x, y, z: F.hinge_embedding_loss(
        x, t.tensor(_sign(y.detach().numpy())), margin=0.5, reduction=r
    ),
    "poisson_nll": lambda t, F, r, x, y, z: F.poisson_nll_loss(x, y.abs(), reduction=r),
    "poisson_nll_rate_full": lambda t, F, r, x, y, z: F.poisson_nll_loss(
        x.abs() + 0.1, y.abs() * 3, log_input=False, full=True, reduction=r
    ),
    "gaussian_nll": lambda t, F, r, x, y, z: F.gaussian_nll_loss(x, y, z.abs() + 0.1, reduction=r),
    "gaussian_nll_full_clamped": lambda t, F, r, x, y, z: F.gaussian_nll_loss(
        x, y, z[:, 0].abs() * 0.01, full=True, eps=1e-3, reduction=r
    ),
    "gaussian_nll_heteroscedastic": lambda t, F, r, x, y, z: F.gaussian_nll_loss(
        x, y, z[:, :1].abs(), reduction=r
    ),
    "gaussian_nll_float_var": lambda t, F, r, x, y, z: F.gaussian_nll_loss(x, y, 0.5, reduction=r),
    "ctc": lambda t, F, r, x, y, z: F.ctc_loss(
        x.reshape(2, 2, 5).log_softmax(2).repeat(2, 1, 1),
        t.tensor([[1, 2, 2], [3, 4, 0]]),
        t.tensor([4, 3]),
        t.tensor([3, 2]),
        reduction=r,
    ),  # fmt: skip
    "ctc_concatenated_blank": lambda t, F, r, x, y, z: F.ctc_loss(
        x.reshape(4, 1, 5).log_softmax(2).expand(4, 2, 5),
        t.tensor([1, 2, 0, 3]),
        (4, 4),
        (2, 2),
        blank=4,
        reduction=r,
    ),  # fmt: skip
    "ctc_unbatched": lambda t, F, r, x, y, z: F.ctc_loss(
        x.log_softmax(1), t.tensor([1, 1]), t.tensor(4), t.tensor(2), reduction=r
    ),
    "ctc_zero_infinity": lambda t, F, r, x, y, z: F.ctc_loss(
        x.reshape(2, 2, 5).log_softmax(2),
        t.tensor([[1, 2, 2], [3, 4, 0]]),
        t.tensor([2, 2]),
        t.tensor([3, 1]),
        zero_infinity=True,
        reduction=r,
    ),  # fmt: skip
}

PARAMS = [(name, r) for name in CASES for r in ("mean", "sum", "none")]


def _run(lib, name, reduction, dtype, seed):
    ts = [lib.tensor(a, requires_grad=True) for a in _arrays(seed, dtype)]
    out = CASES[name](lib, lib.nn.functional, reduction, *ts)
    v = lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)).astype(dtype))
    grads = lib.autograd.grad(out, ts, v, allow_unused=True)
    return out, grads


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,reduction", PARAMS)
def test_losses_match_torch(name, reduction, dtype, torch):
    (oa, ga), (ob, gb) = (_run(lib, name, reduction, dtype, 5) for lib in (chainrule, torch))
    assert str(oa.dtype) == str(ob.dtype) and tuple(oa.shape) == tuple(ob.shape)
    assert oa.grad_fn.name() == ob.grad_fn.name()
    # Kind 2: sums of a few terms (and log1p/exp) in PyTorch's vectorised order.
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(oa.detach().numpy(), ob.detach().numpy(), **tol)
    for a, b in zip(ga, gb):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a.numpy(), b.numpy(), **tol)


MODULES = [
    lambda t: t.nn.MarginRankingLoss(0.5),
    lambda t: t.nn.SoftMarginLoss(reduction="sum"),
    lambda t: t.nn.MultiMarginLoss(p=2, margin=0.5, weight=t.ones(3)),
    lambda t: t.nn.MultiLabelMarginLoss(),
    lambda t: t.nn.MultiLabelSoftMarginLoss(weight=t.ones(3)),
    lambda t: t.nn.TripletMarginLoss(margin=0.3, p=1),
    lambda t: t.nn.TripletMarginWithDistanceLoss(margin=2.0),
    lambda t: t.nn.TripletMarginWithDistanceLoss(distance_function=t.nn.CosineSimilarity()),
    lambda t: t.nn.CosineEmbeddingLoss(),
    lambda t: t.nn.HingeEmbeddingLoss(2.0),
    lambda t: t.nn.PoissonNLLLoss(log_input=False),
    lambda t: t.nn.GaussianNLLLoss(full=True),
    lambda t: t.nn.CTCLoss(blank=1, reduction="sum", zero_infinity=True),
]


@pytest.mark.parametrize("make", MODULES)
def test_modules_reprs_and_state(make, torch):
    ours, theirs = make(chainrule), make(torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.reduction == theirs.reduction


def test_modules_compute_their_losses(torch):
    x, y, z = _arrays(2, np.float64)
    results = []
    for lib in (chainrule, torch):
        a, b, c = (lib.tensor(v) for v in (x, y, z))
        target = lib.tensor([0, 3, 1, 4])
        results.append(
            [
                lib.nn.MultiMarginLoss(p=2)(a, target).item(),
                lib.nn.TripletMarginLoss(swap=True)(a, b, c).item(),
                lib.nn.TripletMarginWithDistanceLoss(margin=0.5)(a, b, c).item(),
                lib.nn.GaussianNLLLoss()(a, b, c.abs()).item(),
                lib.nn.PoissonNLLLoss()(a, b.abs()).item(),
                lib.nn.CTCLoss()(
                    a.reshape(2, 2, 5).log_softmax(2),
                    lib.tensor([[1, 2], [3, 0]]),
                    (2, 2),
                    (2, 1),
                ).item(),  # fmt: skip
            ]
        )
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_ctc_gradient_is_not_differentiated_again(torch):
    for lib in (chainrule, torch):
        x = lib.randn(4, 2, 5, dtype=lib.float64, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(
            x.log_softmax(2), lib.tensor([[1, 2], [3, 0]]), (4, 4), (2, 1)
        )
        (g,) = lib.autograd.grad(loss, x, create_graph=True)
        with pytest.raises(RuntimeError, match="derivative for aten::_ctc_loss_backward is not"):
            g.sum().backward()


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.nn.functional.margin_ranking_loss(t.zeros(3), t.zeros(3), t.ones(3, 1)),
        lambda t: t.nn.functional.margin_ranking_loss(
            t.zeros(3), t.zeros(3), t.ones(3), reduction="foo"
        ),
        lambda t: t.nn.functional.soft_margin_loss(t.zeros(3, 4), t.ones(3, 5)),
        lambda t: t.nn.functional.soft_margin_loss(t.zeros(3, 4), t.ones(3, 4, requires_grad=True)),
        lambda t: t.nn.functional.soft_margin_loss(
            t.zeros(3, 4, dtype=t.int64), t.zeros(3, 4, dtype=t.int64)
        ),
        lambda t: t.nn.functional.multi_margin_loss(t.zeros(3, 4), t.tensor([0, 4, 1])),
        lambda t: t.nn.functional.multi_margin_loss(t.zeros(3, 4), t.tensor([0, 1])),
        lambda t: t.nn.functional.multi_margin_loss(t.zeros(3, 4), t.tensor([0, 1, 2]), p=3),
        lambda t: t.nn.functional.multi_margin_loss(
            t.zeros(3, 4), t.tensor([0, 1, 2]), weight=t.ones(2, 2)
        ),
        lambda t: t.nn.functional.multi_margin_loss(t.zeros(3, 4), t.tensor([0.0, 1, 2])),
        lambda t: t.nn.functional.multi_margin_loss(t.zeros(2, 3, 4), t.tensor([0, 1])),
        lambda t: t.nn.functional.multilabel_margin_loss(
            t.zeros(3, 4), t.tensor([[0, 4, -1, 1], [1, -1, 0, 0], [2, 1, 0, -1]])
        ),
        lambda t: t.nn.functional.multilabel_margin_loss(t.zeros(3, 4), t.tensor([[0, 1]])),
        lambda t: t.nn.functional.multilabel_soft_margin_loss(
            t.zeros(3, 4), t.ones(3, 4), reduction="foo"
        ),
        lambda t: t.nn.functional.cosine_embedding_loss(t.zeros(3, 4), t.zeros(3, 4), t.ones(3, 1)),
        lambda t: t.nn.functional.cosine_embedding_loss(
            t.zeros(3, 4), t.zeros(3, 4), t.tensor(1.0)
        ),
        lambda t: t.nn.functional.triplet_margin_loss(t.zeros(3, 4), t.zeros(3, 4), t.zeros(4)),
        lambda t: t.nn.functional.triplet_margin_loss(
            t.zeros(3, 4), t.zeros(3, 4), t.zeros(3, 4), margin=0
        ),
        lambda t: t.nn.functional.triplet_margin_with_distance_loss(
            t.zeros(3, 4), t.zeros(3, 4), t.zeros(3, 4), reduction="foo"
        ),
        lambda t: t.nn.TripletMarginLoss(margin=-1),
        lambda t: t.nn.TripletMarginWithDistanceLoss(margin=0),
        lambda t: t.nn.MultiMarginLoss(p=3),
        lambda t: t.nn.MultiMarginLoss(weight=t.ones(2, 2)),
        lambda t: t.nn.functional.gaussian_nll_loss(t.zeros(3, 4), t.zeros(3, 4), -t.ones(3, 4)),
        lambda t: t.nn.functional.gaussian_nll_loss(t.zeros(3, 4), t.zeros(3, 4), t.ones(2, 4)),
        lambda t: t.nn.functional.gaussian_nll_loss(
            t.zeros(3, 4), t.zeros(3, 4), t.ones(3, 4), reduction="foo"
        ),
        lambda t: t.nn.functional.gaussian_nll_loss(t.zeros(3, 4), t.zeros(3, 4), -1.0),
        lambda t: t.nn.functional.poisson_nll_loss(t.zeros(3, 4), t.zeros(3, 4), reduction="foo"),
        lambda t: t.nn.functional.hinge_embedding_loss(t.zeros(3, 4), t.ones(3, 5)),
        lambda t: t.nn.functional.ctc_loss(
            t.zeros(6, 2, 5), t.tensor([[1, 2, 2], [3, 4, 0]]), t.tensor([7, 5]), t.tensor([3, 2])
        ),
        lambda t: t.nn.functional.ctc_loss(
            t.zeros(6, 2, 5), t.tensor([[1, 2, 2], [3, 4, 0]]), t.tensor([6, 5]), t.tensor([4, 2])
        ),
        lambda t: t.nn.functional.ctc_loss(
            t.zeros(6, 2, 5),
            t.tensor([[1, 2, 2], [3, 4, 0]]),
            t.tensor([6, 5]),
            t.tensor([3, 2]),
            blank=5,
        ),  # fmt: skip
        lambda t: t.nn.functional.ctc_loss(
            t.zeros(6, 2, 5), t.tensor([[1, 2, 2], [3, 4, 0]]), t.tensor([6]), t.tensor([3, 2])
        ),
        lambda t: t.nn.functional.ctc_loss(
            t.zeros(6, 2, 5),
            t.tensor([[1, 2, 2], [3, 4, 0]]),
            t.tensor([6, 5]),
            t.tensor([3, 2]),
            reduction="foo",
        ),  # fmt: skip
    ],
)
def test_errors_match_torch(call, torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            call(torch)
        with pytest.raises(type(theirs.value)) as ours:
            call(chainrule)
    assert str(ours.value) == str(theirs.value)


def test_deprecated_keywords_pick_the_reduction(torch):
    x, y, _ = _arrays(1, np.float64)
    for lib in (chainrule, torch):
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            out = lib.nn.functional.soft_margin_loss(
                lib.tensor(x), lib.tensor(_sign(y)), size_average=False
            )
        assert out.dim() == 0
    with pytest.warns(UserWarning):
        loss = chainrule.nn.MarginRankingLoss(reduce=False)
    assert loss.reduction == "none"


@pytest.mark.parametrize("loss", ["multi_margin_loss", "multilabel_margin_loss"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize(
    ("x", "target"),
    [(0.7, 0), (0.7, [0]), ([0.7], 0), ([0.7], [0]), ([0.2, 0.9], [1, -1]), ([0.2, 0.9], [1])],
)
def test_vector_and_0_dim_inputs_as_pytorch(loss, reduction, x, target, torch):
    """A 0-dim input is one sample of one class, and a vector's target may be any tensor of
    at most one dim with as many entries: results, shapes, gradients or errors as PyTorch's."""
    seen = []
    for lib in (torch, chainrule):
        xt = lib.tensor(x, dtype=lib.float64, requires_grad=True)
        try:
            out = getattr(lib.nn.functional, loss)(xt, lib.tensor(target), reduction=reduction)
            out.sum().backward()
            seen.append((tuple(out.shape), out.tolist(), xt.grad.tolist()))
        except (RuntimeError, ValueError) as e:
            seen.append((type(e).__name__, str(e)))
    assert seen[1] == seen[0]


def test_ctc_in_float32_is_float64_rounded(torch):
    """CTC's tables are kept in double precision whatever the input's dtype: a float32 loss
    is within 1 ulp of PyTorch's float64 loss, and its gradient within 1e-6 of the float64
    gradient (the gradient subtracts whole-sequence log-probabilities, ~100 here, that cancel:
    PyTorch's float32 kernel is off by ~2e-5 on this input)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 4, 20))
    targets = rng.integers(1, 20, (4, 30))
    lengths = ([50] * 4, [21, 29, 18, 15])

    def run(lib, dtype):
        lp = lib.tensor(x, dtype=dtype).log_softmax(2).detach().requires_grad_(True)
        out = lib.nn.functional.ctc_loss(lp, lib.tensor(targets), *lengths, reduction="none")
        out.sum().backward()
        return out.detach().numpy(), lp.grad.numpy()

    loss, grad = run(chainrule, chainrule.float32)
    exact_loss, exact_grad = run(torch, torch.float64)
    assert loss.dtype == np.float32 and grad.dtype == np.float32
    ulp = np.spacing(exact_loss.astype(np.float32)).astype(np.float64)
    assert (np.abs(loss - exact_loss) <= ulp).all()
    assert np.abs(grad - exact_grad).max() <= 1e-6
