"""Op table: the primitives behind nn losses and embedding (mse, smooth L1, Huber, binary cross
entropy with and without logits, nll, embedding)."""

from optable import A, OpCase, const, index


def prob(*shape, **kw):
    return A(*shape, low=0.05, high=0.95, **kw)


def _f(t):
    return t.nn.functional


CASES = []
for r in ("mean", "sum", "none"):
    CASES += [
        OpCase(
            f"mse_loss_{r}",
            lambda t, a, b, r=r: _f(t).mse_loss(a, b, reduction=r),
            (A(3, 4), A(3, 4)),
        ),
        OpCase(
            f"smooth_l1_loss_{r}",
            lambda t, a, b, r=r: _f(t).smooth_l1_loss(a, b, reduction=r, beta=0.5),
            (A(3, 4), A(3, 4)),
        ),
        OpCase(
            f"huber_loss_{r}",
            lambda t, a, b, r=r: _f(t).huber_loss(a, b, reduction=r, delta=0.7),
            (A(3, 4), A(3, 4)),
        ),
        OpCase(
            f"binary_cross_entropy_{r}",
            lambda t, p, y, r=r: _f(t).binary_cross_entropy(p, y, reduction=r),
            (prob(3, 4), prob(3, 4)),
        ),
        OpCase(
            f"binary_cross_entropy_with_logits_{r}",
            lambda t, x, y, r=r: _f(t).binary_cross_entropy_with_logits(x, y, reduction=r),
            (A(3, 4), prob(3, 4)),
        ),
        OpCase(
            f"nll_loss_{r}",
            lambda t, x, i, r=r: _f(t).nll_loss(x, i, reduction=r),
            (A(5, 4), index(5, high=4)),
        ),
        OpCase(
            f"nll_loss_4d_{r}",
            lambda t, x, i, r=r: _f(t).nll_loss(x, i, reduction=r),
            (A(2, 3, 2, 2), index(2, 2, 2, high=3)),
        ),
    ]

CASES += [
    OpCase(
        "binary_cross_entropy_weight",
        lambda t, p, y, w: _f(t).binary_cross_entropy(p, y, w),
        (prob(3, 4), prob(3, 4), const(4, low=0.5)),
    ),
    OpCase(
        "binary_cross_entropy_with_logits_pos_weight",
        lambda t, x, y, w, pw: _f(t).binary_cross_entropy_with_logits(x, y, w, pos_weight=pw),
        (A(3, 4), prob(3, 4), const(3, 1, low=0.5), const(4, low=0.5)),
    ),
    OpCase(
        "nll_loss_weight_1d",
        lambda t, x, i, w: _f(t).nll_loss(x, i, w),
        (A(4), index(high=4), const(4, low=0.5)),
    ),
    OpCase("embedding", lambda t, w, i: _f(t).embedding(i, w), (A(5, 3), index(2, 3, high=5))),
    OpCase(
        "embedding_padding_idx_scale_grad_by_freq",
        lambda t, w, i: _f(t).embedding(i, w, padding_idx=-2, scale_grad_by_freq=True),
        (A(4, 3), index(3, 4, high=4)),
        # By design the gradient is not the function's derivative here (the padding row gets
        # none, repeated rows are scaled down), so only PyTorch's values are checked.
        gradcheck=False,
    ),
]
