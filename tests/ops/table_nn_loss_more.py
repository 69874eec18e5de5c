"""Op table: the loss primitives soft_margin_loss, multi_margin_loss,
multilabel_margin_loss and ctc_loss, each with every reduction."""

from optable import A, OpCase


def F(lib):
    return lib.nn.functional


def _signs(t, shape):
    n = 1
    for s in shape:
        n *= s
    return t.tensor([1.0 if i % 3 else -1.0 for i in range(n)]).reshape(shape)


def _ctc(r, **kw):
    def fn(t, x):
        lp = x.log_softmax(2)
        targets = t.tensor([[1, 2, 2], [3, 1, 0]])
        return F(t).ctc_loss(lp, targets, t.tensor([5, 4]), t.tensor([3, 2]), reduction=r, **kw)

    return fn


def _ctc_gradient(t, x):
    """The CTC gradient with create_graph: it holds the (not differentiable) backward Op."""
    lp = x.log_softmax(2)
    loss = F(t).ctc_loss(lp, t.tensor([[1, 2], [3, 0]]), t.tensor([3, 3]), t.tensor([2, 1]))
    (g,) = t.autograd.grad(loss, lp, create_graph=True)
    return g


_TOL = {"parity_rtol": 1e-5, "parity_atol": 1e-6}

CASES = []
for r in ("mean", "sum", "none"):
    CASES += [
        OpCase(
            f"soft_margin_loss_{r}",
            lambda t, x, r=r: F(t).soft_margin_loss(x, _signs(t, (3, 4)).to(x.dtype), reduction=r),
            (A(3, 4),),
            **_TOL,
        ),
        OpCase(
            f"multi_margin_loss_{r}",
            lambda t, x, r=r: F(t).multi_margin_loss(x, t.tensor([0, 3, 1]), reduction=r),
            (A(3, 4, distinct=True),),
            **_TOL,
        ),
        OpCase(
            f"multi_margin_loss_p2_weight_{r}",
            lambda t, x, r=r: F(t).multi_margin_loss(
                x,
                t.tensor([2, 0]),
                p=2,
                margin=0.5,
                weight=t.tensor([0.5, 1.0, 2.0], dtype=x.dtype),
                reduction=r,
            ),  # fmt: skip
            (A(2, 3, distinct=True),),
            **_TOL,
        ),
        OpCase(
            f"multilabel_margin_loss_{r}",
            lambda t, x, r=r: F(t).multilabel_margin_loss(
                x, t.tensor([[0, 3, -1, 1], [2, -1, 0, 0]]), reduction=r
            ),
            (A(2, 4, distinct=True),),
            **_TOL,
        ),
        OpCase(f"ctc_loss_{r}", _ctc(r), (A(5, 2, 4),), double=False, **_TOL),
    ]
CASES += [
    OpCase(
        "ctc_loss_blank_zero_infinity",
        _ctc("sum", blank=3, zero_infinity=True),
        (A(5, 2, 4),),
        double=False,
        **_TOL,
    ),  # fmt: skip
    # Reached only: its derivative raises, in both libraries.
    OpCase("ctc_loss_gradient", _ctc_gradient, (A(3, 2, 4),), gradcheck=False, torch=False),
]
