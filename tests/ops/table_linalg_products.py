"""Op table: cross, vecdot, multi_dot, matrix_power, vander, householder_product,
tensorinv, tensorsolve, linalg.diagonal (tolerances as in table_linalg_solve.py)."""

from optable import A, OpCase, cplx

TOL = {"parity_rtol": 1e-4, "parity_atol": 1e-5}


def well(t, a):
    n = a.shape[-1]
    return a + 4 * t.eye(n, dtype=a.dtype)


CASES = [
    OpCase("linalg_cross", lambda t, a, b: t.linalg.cross(a, b), (A(2, 3), A(2, 3))),
    OpCase(
        "linalg_cross_broadcast_dim",
        lambda t, a, b: t.linalg.cross(a, b, dim=1),
        (A(2, 3, 2), A(1, 3, 2)),
    ),
    OpCase("cross_dim", lambda t, a, b: t.cross(a, b, dim=0), (A(3, 4), A(3, 4))),
    OpCase("linalg_cross_complex", lambda t, a, b: t.linalg.cross(a, b), (cplx(3), cplx(3))),
    OpCase("linalg_vecdot", lambda t, a, b: t.linalg.vecdot(a, b), (A(2, 4), A(4))),
    OpCase(
        "linalg_vecdot_complex",
        lambda t, a, b: t.linalg.vecdot(a, b, dim=0),
        (cplx(3, 2), cplx(3, 2)),
    ),
    OpCase(
        "linalg_multi_dot",
        lambda t, a, b, c, d: t.linalg.multi_dot([a, b, c, d]),
        (A(4), A(4, 2), A(2, 5), A(5, 3)),
        **TOL,
    ),
    OpCase(
        "linalg_multi_dot_two",
        lambda t, a, b: t.linalg.multi_dot([a, b]),
        (A(3, 4), A(4)),
        **TOL,
    ),
    OpCase(
        "linalg_matrix_power_5",
        lambda t, a: t.linalg.matrix_power(a, 5),
        (A(3, 3, low=-0.7, high=0.7),),
        **TOL,
    ),
    OpCase("matrix_power_3_batched", lambda t, a: t.matrix_power(a, 3), (A(2, 3, 3),), **TOL),
    OpCase("matrix_power_neg2", lambda t, a: t.matrix_power(well(t, a), -2), (A(3, 3),), **TOL),
    OpCase("matrix_power_0", lambda t, a: t.matrix_power(a, 0) + a, (A(2, 2),), **TOL),
    OpCase("linalg_vander", lambda t, x: t.linalg.vander(x), (A(2, 4),), **TOL),
    OpCase("linalg_vander_N", lambda t, x: t.linalg.vander(x, N=3), (A(3),), **TOL),
    # PyTorch's own backward of torch.vander fails (an in-place write into a saved view):
    # values are compared with PyTorch's in test_linalg.py.
    OpCase("vander_decreasing", lambda t, x: t.vander(x, 4), (A(3),), torch=False),
    OpCase("vander_increasing", lambda t, x: t.vander(x, increasing=True), (A(3),), torch=False),
    OpCase(
        "linalg_householder_product",
        lambda t, a, tau: t.linalg.householder_product(a, tau),
        (A(4, 3), A(2)),
        **TOL,
    ),
    OpCase(
        "orgqr_batched",
        lambda t, a, tau: t.orgqr(a, tau),
        (A(2, 3, 3), A(2, 3)),
        **TOL,
    ),
    OpCase(
        "linalg_tensorinv",
        lambda t, a: t.linalg.tensorinv(well(t, a.reshape(4, 4)).reshape(2, 2, 4), ind=2),
        (A(4, 4),),
        **TOL,
    ),
    OpCase(
        "linalg_tensorsolve",
        lambda t, a, b: t.linalg.tensorsolve(well(t, a.reshape(6, 6)).reshape(6, 2, 3), b),
        (A(6, 6), A(6)),
        **TOL,
    ),
    OpCase(
        "linalg_tensorsolve_dims",
        lambda t, a, b: t.linalg.tensorsolve(
            well(t, a.reshape(4, 4)).reshape(4, 2, 2), b, dims=(0,)
        ),
        (A(4, 4), A(2, 2)),
        **TOL,
    ),
    OpCase("linalg_diagonal", lambda t, a: t.linalg.diagonal(a, offset=1), (A(2, 3, 4),)),
]
