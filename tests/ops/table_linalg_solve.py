"""Op table: determinants, inverses, solves, LU and Cholesky (torch.linalg and the older
names), real and complex, single and batched.

Inputs are made well-conditioned inside each case (a + 4I, a a^H + 3I), so gradcheck's
finite differences and the comparison with PyTorch (LAPACK in both, different kernels)
are meaningful. Float32 values and gradients are compared within a relative 1e-4 (about
1000 ulp: a solve's error grows with the condition number and the order of the LAPACK
kernel's operations, which differ between MKL and OpenBLAS), float64 within 1e-10.
"""

from optable import A, OpCase, cplx

TOL = {"parity_rtol": 1e-4, "parity_atol": 1e-5}


def well(t, a):
    """a + 4I: comfortably invertible for entries in [-2, 2]."""
    n = a.shape[-1]
    return a + 4 * t.eye(n, dtype=a.dtype)


def spd(t, a):
    """a a^H + 3I: Hermitian positive-definite."""
    n = a.shape[-1]
    return a @ a.mH + 3 * t.eye(n, dtype=a.dtype)


def _lu_parts(t, a):
    p, lower, upper = t.linalg.lu(a)
    return lower, upper


CASES = [
    # determinants
    OpCase("linalg_det", lambda t, a: t.linalg.det(a), (A(3, 3),), **TOL),
    OpCase("linalg_det_batched", lambda t, a: t.linalg.det(a), (A(2, 3, 3),), **TOL),
    OpCase("det_method_1x1", lambda t, a: a.det(), (A(2, 1, 1),), **TOL),
    OpCase("linalg_det_complex", lambda t, a: t.linalg.det(a), (cplx(3, 3),), **TOL),
    OpCase("linalg_slogdet", lambda t, a: t.linalg.slogdet(well(t, a)), (A(2, 3, 3),), **TOL),
    OpCase(
        "linalg_slogdet_complex",
        lambda t, a: t.linalg.slogdet(well(t, a)),
        (cplx(3, 3),),
        **TOL,
    ),
    OpCase("slogdet_logabsdet", lambda t, a: t.slogdet(a)[1], (A(3, 3),), **TOL),
    OpCase("logdet", lambda t, a: t.logdet(spd(t, a)), (A(3, 3),), **TOL),
    # inverses
    OpCase("linalg_inv", lambda t, a: t.linalg.inv(well(t, a)), (A(3, 3),), **TOL),
    OpCase("inverse_batched", lambda t, a: t.inverse(well(t, a)), (A(2, 3, 3),), **TOL),
    OpCase("linalg_inv_ex", lambda t, a: t.linalg.inv_ex(well(t, a))[0], (A(3, 3),), **TOL),
    OpCase("linalg_inv_complex", lambda t, a: t.linalg.inv(well(t, a)), (cplx(3, 3),), **TOL),
    # solves
    OpCase(
        "linalg_solve", lambda t, a, b: t.linalg.solve(well(t, a), b), (A(3, 3), A(3, 2)), **TOL
    ),
    OpCase(
        "linalg_solve_vector",
        lambda t, a, b: t.linalg.solve(well(t, a), b),
        (A(3, 3), A(3)),
        **TOL,
    ),
    OpCase(
        "linalg_solve_batched_vector",
        lambda t, a, b: t.linalg.solve(well(t, a), b),
        (A(2, 3, 3), A(2, 3)),
        **TOL,
    ),
    OpCase(
        "linalg_solve_broadcast",
        lambda t, a, b: t.linalg.solve(well(t, a), b),
        (A(3, 3), A(2, 3, 2)),
        **TOL,
    ),
    OpCase(
        "linalg_solve_right",
        lambda t, a, b: t.linalg.solve(well(t, a), b, left=False),
        (A(3, 3), A(2, 3)),
        **TOL,
    ),
    OpCase(
        "linalg_solve_ex",
        lambda t, a, b: t.linalg.solve_ex(well(t, a), b)[0],
        (A(3, 3), A(3, 1)),
        **TOL,
    ),
    OpCase(
        "linalg_solve_complex",
        lambda t, a, b: t.linalg.solve(well(t, a), b),
        (cplx(3, 3), cplx(3, 2)),
        **TOL,
    ),
    OpCase(
        "linalg_solve_triangular_upper",
        lambda t, a, b: t.linalg.solve_triangular(well(t, a), b, upper=True),
        (A(3, 3), A(3, 2)),
        **TOL,
    ),
    OpCase(
        "linalg_solve_triangular_lower_right_unit",
        lambda t, a, b: t.linalg.solve_triangular(
            a, b, upper=False, left=False, unitriangular=True
        ),
        (A(2, 3, 3), A(2, 2, 3)),
        **TOL,
    ),
    OpCase(
        "triangular_solve_transpose",
        lambda t, b, a: t.triangular_solve(b, well(t, a), upper=False, transpose=True),
        (A(3, 2), A(3, 3)),
        **TOL,
    ),
    # Cholesky
    OpCase("linalg_cholesky", lambda t, a: t.linalg.cholesky(spd(t, a)), (A(3, 3),), **TOL),
    OpCase(
        "linalg_cholesky_upper_batched",
        lambda t, a: t.linalg.cholesky(spd(t, a), upper=True),
        (A(2, 3, 3),),
        **TOL,
    ),
    OpCase(
        "linalg_cholesky_ex_complex",
        lambda t, a: t.linalg.cholesky_ex(spd(t, a))[0],
        (cplx(3, 3),),
        **TOL,
    ),
    OpCase(
        "cholesky_solve",
        lambda t, b, a: t.cholesky_solve(b, t.linalg.cholesky(spd(t, a))),
        (A(3, 2), A(3, 3)),
        **TOL,
    ),
    OpCase(
        "cholesky_solve_upper_factor",
        lambda t, b, u: t.cholesky_solve(b, well(t, u.triu()), upper=True),
        (A(2, 3, 2), A(2, 3, 3)),
        **TOL,
    ),
    OpCase(
        "cholesky_inverse",
        lambda t, a: t.cholesky_inverse(well(t, a.tril())),
        (A(3, 3),),
        **TOL,
    ),
    OpCase(
        "cholesky_inverse_upper",
        lambda t, a: t.cholesky_inverse(well(t, a.triu()), upper=True),
        (A(3, 3),),
        **TOL,
    ),
    # LU
    OpCase("linalg_lu_factor", lambda t, a: t.linalg.lu_factor(a)[0], (A(3, 3),), **TOL),
    OpCase("linalg_lu_factor_wide", lambda t, a: t.linalg.lu_factor(a).LU, (A(2, 2, 4),), **TOL),
    OpCase("linalg_lu_factor_ex_tall", lambda t, a: t.linalg.lu_factor_ex(a)[0], (A(4, 2),), **TOL),
    OpCase("linalg_lu", lambda t, a: _lu_parts(t, a), (A(3, 3),), **TOL),
    OpCase("linalg_lu_wide", lambda t, a: _lu_parts(t, a), (A(2, 4),), **TOL),
    OpCase("linalg_lu_tall_batched", lambda t, a: _lu_parts(t, a), (A(2, 4, 3),), **TOL),
    OpCase(
        "linalg_lu_solve",
        lambda t, a, b: t.linalg.lu_solve(*t.linalg.lu_factor(well(t, a)), b),
        (A(3, 3), A(3, 2)),
        **TOL,
    ),
    OpCase(
        "linalg_lu_solve_adjoint",
        lambda t, a, b: t.linalg.lu_solve(*t.linalg.lu_factor(well(t, a)), b, adjoint=True),
        (A(3, 3), A(3, 2)),
        **TOL,
    ),
    OpCase(
        "linalg_lu_solve_right",
        lambda t, a, b: t.linalg.lu_solve(*t.linalg.lu_factor(well(t, a)), b, left=False),
        (A(2, 3, 3), A(2, 2, 3)),
        **TOL,
    ),
    OpCase(
        "linalg_lu_solve_right_adjoint",
        lambda t, a, b: t.linalg.lu_solve(
            *t.linalg.lu_factor(well(t, a)), b, left=False, adjoint=True
        ),
        (A(3, 3), A(2, 3)),
        **TOL,
    ),
    OpCase(
        "lu_solve_old_order",
        lambda t, b, a: t.lu_solve(b, *t.linalg.lu_factor(well(t, a))),
        (A(3, 1), A(3, 3)),
        **TOL,
    ),
    OpCase(
        "lu_unpack",
        lambda t, a: t.lu_unpack(*t.linalg.lu_factor(a))[1:],
        (A(3, 3),),
        **TOL,
    ),
    OpCase(
        "lu_unpack_wide",
        lambda t, a: t.lu_unpack(*t.linalg.lu_factor(a))[1:],
        (A(2, 4),),
        **TOL,
    ),
    OpCase(
        "lu_unpack_tall_l_only",
        lambda t, a: t.lu_unpack(*t.linalg.lu_factor(a))[1],
        (A(4, 2),),
        **TOL,
    ),
]
