"""Op table: rearranging and views (ravel, rot90, diag_embed, diagflat, block_diag, kron,
repeat_interleave, unfold, msort, meshgrid, cartesian_prod, combinations, as_strided,
the *_copy forms)."""

from optable import A, OpCase, const, index


def D(*shape, **kw):
    return A(*shape, distinct=True, **kw)


def _first_derivative(t, fn, a):
    """d(sum(fn(a) ** 2))/da with create_graph=True: its graph holds fn's backward (applied
    to a gradient that itself depends on a)."""
    out = fn(a)
    (g,) = t.autograd.grad((out * out).sum(), a, create_graph=True)
    return g


CASES = [
    OpCase("ravel", lambda t, a: a.t().ravel() * 2, (A(3, 4),)),
    OpCase("rot90", lambda t, a: t.rot90(a), (A(2, 3),)),
    OpCase("rot90_k3_dims", lambda t, a: a.rot90(3, [2, 0]), (A(2, 3, 4),)),
    OpCase("rot90_k2", lambda t, a: a.rot90(2), (A(3, 2),)),
    OpCase("diag_embed", lambda t, a: t.diag_embed(a), (A(2, 3),)),
    OpCase("diag_embed_offset_dims", lambda t, a: a.diag_embed(-1, 0, 2), (A(2, 3),)),
    OpCase("diagflat", lambda t, a: t.diagflat(a, 1), (A(2, 2),)),
    OpCase("block_diag", lambda t, a, b, c: t.block_diag(a, b, c), (A(2, 3), A(), A(4))),
    OpCase("kron", lambda t, a, b: t.kron(a, b), (A(2, 3), A(3, 2))),
    OpCase("kron_broadcast_dims", lambda t, a, b: a.kron(b), (A(2), A(2, 2, 3))),
    OpCase("repeat_interleave", lambda t, a: a.repeat_interleave(2), (A(2, 3),)),
    OpCase(
        "repeat_interleave_tensor",
        lambda t, a, r: t.repeat_interleave(a, r, dim=1),
        (A(2, 3), index(3, high=3)),
    ),
    OpCase("tensor_unfold", lambda t, a: a.unfold(1, 3, 2), (A(2, 7),)),
    OpCase("unfold_overlapping", lambda t, a: a.unfold(0, 3, 1) * 1.5, (A(5, 2),)),
    OpCase("unfold_scalar", lambda t, a: a.unfold(0, 1, 1), (A(),)),
    OpCase(
        "unfold_backward",
        lambda t, a: _first_derivative(t, lambda x: x.unfold(1, 2, 1), a),
        (A(2, 4),),
    ),
    OpCase("msort", lambda t, a: t.msort(a), (D(4, 3),)),
    OpCase(
        "meshgrid",
        lambda t, a, b: t.meshgrid(a, b, indexing="ij"),
        (A(3), A(4)),
    ),
    OpCase(
        "meshgrid_xy_list",
        lambda t, a, b, c: t.meshgrid([a, b, c], indexing="xy"),
        (A(2), A(3), A(2)),
    ),
    OpCase("cartesian_prod", lambda t, a, b: t.cartesian_prod(a, b), (A(3), A(2))),
    OpCase("combinations", lambda t, a: t.combinations(a), (A(4),)),
    OpCase(
        "combinations_replacement",
        lambda t, a: t.combinations(a, 3, with_replacement=True),
        (A(3),),
    ),
    OpCase("as_strided", lambda t, a: a.as_strided((2, 2), (1, 2), 1), (A(3, 3),)),
    OpCase("as_strided_overlap", lambda t, a: t.as_strided(a, (3, 3), (1, 1)), (A(6),)),
    OpCase("as_strided_of_view", lambda t, a: a[1:].as_strided((2,), (2,)), (A(6),)),
    OpCase("as_strided_copy", lambda t, a: t.as_strided_copy(a, (2,), (3,)), (A(2, 3),)),
    OpCase("narrow_copy", lambda t, a: t.narrow_copy(a, 1, 1, 2), (A(2, 4),)),
    OpCase("expand_copy", lambda t, a: t.expand_copy(a, (2, 3)), (A(3),)),
    OpCase("permute_copy", lambda t, a: t.permute_copy(a, (1, 0)), (A(2, 3),)),
    OpCase("diagonal_copy", lambda t, a: t.diagonal_copy(a, 1), (A(3, 3),)),
    OpCase("unbind_copy", lambda t, a: t.unbind_copy(a, 1), (A(2, 3),)),
    OpCase("view_copy", lambda t, a: t.view_copy(a, (3, 2)), (A(2, 3),)),
    OpCase("t_copy", lambda t, a: t.t_copy(a), (A(2, 3),)),
    OpCase("index_rows_with_range", lambda t, a: a[range(2), [0, 2]], (A(3, 3),)),
    OpCase("cov", lambda t, a: t.cov(a), (A(3, 5),)),
    OpCase(
        "cov_weights",
        lambda t, a, f, w: t.cov(a, fweights=f, aweights=w),
        (A(2, 4), index(4, high=3), const(4, low=0.5, high=1.5)),
    ),
    OpCase("corrcoef", lambda t, a: t.corrcoef(a), (A(3, 5),)),
    OpCase("dist_p3", lambda t, a, b: t.dist(a, b, 3), (A(2, 3), A(3))),
    OpCase("addr", lambda t, c, u, v: t.addr(c, u, v, beta=0.5, alpha=2.0), (A(3, 2), A(3), A(2))),
    OpCase(
        "addbmm",
        lambda t, c, a, b: t.addbmm(c, a, b, alpha=0.5),
        (A(2, 4), A(3, 2, 5), A(3, 5, 4)),
    ),
]
