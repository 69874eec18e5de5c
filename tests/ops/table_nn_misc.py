"""Op table: pixel_shuffle/unshuffle and channel_shuffle, the distance Ops (dist, pdist,
cdist), glu, rrelu (eval mode: its slope is fixed) and embedding_bag."""

from optable import A, OpCase

_TOL = {"parity_rtol": 1e-5, "parity_atol": 1e-6}


def F(lib):
    return lib.nn.functional


def _bag(mode, psw=False, **kw):
    def fn(t, w, *rest):
        idx = t.tensor([1, 2, 4, 0, 4, 3, 2, 1])
        offsets = t.tensor([0, 3, 3, 6])
        weights = rest[0] if psw else None
        return F(t).embedding_bag(idx, w, offsets, mode=mode, per_sample_weights=weights, **kw)

    return fn


CASES = [
    OpCase("pixel_shuffle", lambda t, x: F(t).pixel_shuffle(x, 2), (A(2, 8, 2, 3),)),
    OpCase("pixel_unshuffle", lambda t, x: F(t).pixel_unshuffle(x, 2), (A(1, 2, 4, 2),)),
    OpCase("channel_shuffle", lambda t, x: F(t).channel_shuffle(x, 3), (A(2, 6, 2),)),
    OpCase("dist", lambda t, a, b: t.dist(a, b), (A(3, 4), A(4)), **_TOL),
    OpCase("dist_p1_5", lambda t, a, b: t.dist(a, b, 1.5), (A(3, 4), A(3, 4)), **_TOL),
    OpCase(
        "dist_inf", lambda t, a, b: t.dist(a, b, float("inf")), (A(5, distinct=True), A(5)), **_TOL
    ),
    OpCase("pdist", lambda t, x: F(t).pdist(x), (A(4, 3),), **_TOL),
    OpCase("pdist_p3", lambda t, x: F(t).pdist(x, 3), (A(4, 3),), **_TOL),
    OpCase("pdist_p1", lambda t, x: F(t).pdist(x, 1), (A(3, 2),), double=False, **_TOL),
    OpCase("cdist", lambda t, a, b: t.cdist(a, b), (A(2, 3, 4), A(2, 5, 4)), **_TOL),
    OpCase("cdist_p0_5", lambda t, a, b: t.cdist(a, b, 0.5), (A(3, 2), A(4, 2)), **_TOL),
    OpCase(
        "cdist_mm",
        lambda t, a, b: t.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
        (A(3, 2), A(4, 2)),
        **_TOL,
    ),  # fmt: skip
    OpCase(
        "pairwise_distance",
        lambda t, a, b: F(t).pairwise_distance(a, b),
        (A(3, 4), A(3, 4)),
        **_TOL,
    ),
    OpCase("glu", lambda t, x: F(t).glu(x), (A(3, 4),)),
    OpCase("glu_dim0", lambda t, x: F(t).glu(x, 0), (A(4, 3),)),
    OpCase("rrelu_eval", lambda t, x: F(t).rrelu(x, 0.1, 0.3), (A(3, 4),)),
    OpCase("embedding_bag_mean", _bag("mean"), (A(5, 3),)),
    OpCase("embedding_bag_max", _bag("max"), (A(5, 3, distinct=True),)),
    OpCase("embedding_bag_sum_weights", _bag("sum", psw=True), (A(5, 3), A(8))),
    OpCase("embedding_bag_padding", _bag("mean", padding_idx=4), (A(5, 3),)),
    OpCase(
        "embedding_bag_2d",
        lambda t, w: F(t).embedding_bag(t.tensor([[0, 2], [3, 3], [1, 4]]), w, mode="sum"),
        (A(5, 2),),
    ),
]
