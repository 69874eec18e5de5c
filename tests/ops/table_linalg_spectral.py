"""Op table: eigendecompositions, SVD, QR, pinv, lstsq, cond and the spectral norms.

Eigenvectors and singular vectors are defined up to sign (phase, for complex matrices) and
LAPACK builds may choose differently, so every case returns quantities that do not depend
on that choice (squared magnitudes of vectors, products u_i v_i^H, matrix functions V f(L)
V^{-1}, sums over eigenvalues): what PyTorch's gradients are defined on. Tolerances as in
table_linalg_solve.py.
"""

from optable import A, OpCase, cplx

TOL = {"parity_rtol": 1e-4, "parity_atol": 1e-5}


def sym(a):
    return a + a.mH


def well(t, a):
    n = a.shape[-1]
    return a + 4 * t.eye(n, dtype=a.dtype)


def abs2(x):
    return (x * x.conj()).real if x.is_complex() else x * x


def eigh_parts(t, a, uplo="L"):
    lam, v = t.linalg.eigh(sym(a), UPLO=uplo)
    return lam, abs2(v)


def eig_invariants(t, a):
    lam, v = t.linalg.eig(a)
    # sum of eigenvalues and of their squares, and V diag(L^2) V^{-1} (= A^2): invariant
    # to the order, scale and phase of the eigenvectors.
    fv = v @ (lam * lam).unsqueeze(-1).mul(t.linalg.inv(v))
    return lam.sum(-1), (lam * lam).sum(-1), fv


def svd_parts(t, a, full=False):
    u, s, vh = t.linalg.svd(a, full_matrices=full)
    k = s.shape[-1]
    u, vh = u[..., :, :k], vh[..., :k, :]
    return abs2(u), s, abs2(vh), u[..., :, :1] @ vh[..., :1, :]


def qr_parts(t, a, mode="reduced"):
    return t.linalg.qr(a, mode=mode)


CASES = [
    # Hermitian eigendecomposition
    OpCase("linalg_eigh", eigh_parts, (A(3, 3),), **TOL),
    OpCase("linalg_eigh_upper_batched", lambda t, a: eigh_parts(t, a, "U"), (A(2, 3, 3),), **TOL),
    OpCase("linalg_eigh_values_only", lambda t, a: t.linalg.eigh(sym(a))[0], (A(4, 4),), **TOL),
    OpCase(
        "linalg_eigh_vectors_only", lambda t, a: abs2(t.linalg.eigh(sym(a))[1]), (A(3, 3),), **TOL
    ),
    OpCase("linalg_eigh_complex", eigh_parts, (cplx(3, 3),), **TOL),
    OpCase("linalg_eigvalsh", lambda t, a: t.linalg.eigvalsh(sym(a)), (A(2, 3, 3),), **TOL),
    # general eigendecomposition (complex results from real input)
    OpCase("linalg_eig", eig_invariants, (A(3, 3),), **TOL),
    OpCase("linalg_eig_batched", eig_invariants, (A(2, 3, 3),), **TOL),
    OpCase("linalg_eig_complex", eig_invariants, (cplx(3, 3),), **TOL),
    OpCase(
        "linalg_eigvals",
        lambda t, a: (t.linalg.eigvals(a) ** 2).sum(-1),
        (A(2, 3, 3),),
        **TOL,
    ),
    # SVD
    OpCase("linalg_svd", svd_parts, (A(3, 3),), **TOL),
    OpCase("linalg_svd_tall", svd_parts, (A(4, 2),), **TOL),
    OpCase("linalg_svd_wide_batched", svd_parts, (A(2, 2, 4),), **TOL),
    OpCase("linalg_svd_full_matrices", lambda t, a: svd_parts(t, a, True), (A(4, 3),), **TOL),
    OpCase("linalg_svd_complex", svd_parts, (cplx(3, 2),), **TOL),
    OpCase("linalg_svdvals", lambda t, a: t.linalg.svdvals(a), (A(2, 3, 4),), **TOL),
    OpCase(
        "svd_older",
        lambda t, a: [abs2(x) for x in t.svd(a)],
        (A(3, 2),),
        **TOL,
    ),
    # QR
    OpCase("linalg_qr", qr_parts, (A(3, 3),), **TOL),
    OpCase("linalg_qr_tall", qr_parts, (A(2, 4, 3),), **TOL),
    OpCase("linalg_qr_wide", qr_parts, (A(2, 4),), **TOL),
    OpCase("linalg_qr_complete_wide", lambda t, a: qr_parts(t, a, "complete"), (A(2, 3),), **TOL),
    OpCase("linalg_qr_complex", qr_parts, (cplx(3, 2),), **TOL),
    OpCase("qr_older", lambda t, a: t.qr(a), (A(3, 2),), **TOL),
    # pinv, lstsq
    OpCase("linalg_pinv", lambda t, a: t.linalg.pinv(a), (A(3, 2),), **TOL),
    OpCase("linalg_pinv_wide_batched", lambda t, a: t.linalg.pinv(a), (A(2, 2, 3),), **TOL),
    OpCase(
        "linalg_pinv_hermitian",
        lambda t, a: t.linalg.pinv(sym(a), hermitian=True),
        (A(3, 3),),
        **TOL,
    ),
    OpCase("linalg_pinv_complex", lambda t, a: t.linalg.pinv(a), (cplx(3, 2),), **TOL),
    OpCase("pinverse", lambda t, a: t.pinverse(a), (A(2, 3),), **TOL),
    OpCase(
        "linalg_lstsq",
        lambda t, a, b: t.linalg.lstsq(a, b).solution,
        (A(4, 2), A(4, 3)),
        **TOL,
    ),
    OpCase(
        "linalg_lstsq_gelsd_residuals",
        lambda t, a, b: t.linalg.lstsq(a, b, driver="gelsd")[:2],
        (A(2, 4, 2), A(2, 4, 2)),
        **TOL,
    ),
    OpCase(
        "linalg_lstsq_vector",
        lambda t, a, b: t.linalg.lstsq(a, b).solution,
        (A(2, 4, 3), A(2, 4)),
        **TOL,
    ),
    # condition numbers and spectral norms
    OpCase("linalg_cond", lambda t, a: t.linalg.cond(well(t, a)), (A(3, 3),), **TOL),
    OpCase("linalg_cond_neg2", lambda t, a: t.linalg.cond(a, -2), (A(2, 3, 2),), **TOL),
    # PyTorch's own backward fails for these two orders (it masks the inverse in place after
    # saving it): their values are compared with PyTorch's in test_linalg.py.
    OpCase(
        "linalg_cond_1",
        lambda t, a: t.linalg.cond(well(t, a), 1),
        (A(3, 3, distinct=True),),
        torch=False,
    ),
    OpCase(
        "linalg_cond_fro", lambda t, a: t.linalg.cond(well(t, a), "fro"), (A(3, 3),), torch=False
    ),
    OpCase("linalg_cond_nuc", lambda t, a: t.linalg.cond(well(t, a), "nuc"), (A(2, 3, 3),), **TOL),
    OpCase(
        "linalg_matrix_norm_nuc", lambda t, a: t.linalg.matrix_norm(a, "nuc"), (A(2, 3, 4),), **TOL
    ),
    OpCase("linalg_matrix_norm_2", lambda t, a: t.linalg.matrix_norm(a, 2), (A(3, 4),), **TOL),
    OpCase(
        "linalg_matrix_norm_neg2_dims",
        lambda t, a: t.linalg.matrix_norm(a, -2, dim=(0, 2), keepdim=True),
        (A(3, 2, 4),),
        **TOL,
    ),
    OpCase("linalg_norm_nuc", lambda t, a: t.linalg.norm(a, "nuc"), (A(3, 3),), **TOL),
    OpCase("norm_nuc", lambda t, a: t.norm(a, "nuc"), (A(3, 4),), **TOL),
]
