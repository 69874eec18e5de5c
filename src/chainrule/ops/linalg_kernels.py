"""NumPy kernels and checks the linear-algebra ops share: LU factorisation with partial
pivoting (NumPy has no public LU), triangular solves, unpacking LU factors, and PyTorch's
checks and error messages.

NumPy's own linalg (LAPACK through OpenBLAS) computes the decompositions it has (det,
solve, inv, cholesky, eigh, eig, svd, qr, lstsq); these kernels supply the rest, with the
same algorithms LAPACK uses (getf2's partial pivoting: the first element of largest
magnitude, |re| + |im| for complex, as LAPACK's i?amax; scaling by the pivot's reciprocal),
so pivots agree with PyTorch's and values agree to rounding.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes


class LinAlgError(RuntimeError):
    """A matrix the operation cannot handle (singular, not positive-definite): PyTorch's
    torch.linalg.LinAlgError, a RuntimeError."""


LinAlgError.__module__ = "chainrule.linalg"


# -- checks ---------------------------------------------------------------------------------
def type_name(t):
    return dtypes.scalar_type_name(t.dtype)


def check_float(t, fn, what="A"):
    if t._data.dtype.kind not in "fc":
        raise RuntimeError(
            f"{fn}: Expected a floating point or complex tensor as input. Got {type_name(t)}"
        )


def check_matrix(t, fn, what="A"):
    if t._data.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor {what} must have at least 2 dimensions.")


def check_float_square(t, fn, what="A"):
    """What most linalg functions check first, in PyTorch's order: at least two dimensions,
    a floating point or complex dtype, square matrices."""
    check_matrix(t, fn, what)
    check_float(t, fn, what)
    check_square(t, fn, what)


def check_square(t, fn, what="A"):
    check_matrix(t, fn, what)
    m, n = t._data.shape[-2:]
    if m != n:
        raise RuntimeError(
            f"{fn}: {what} must be batches of square matrices, but they are {m} by {n} matrices"
        )


def check_same_dtype(a, b, fn, what_a="A", what_b="B"):
    if a._data.dtype != b._data.dtype or a.dtype is not b.dtype:
        raise RuntimeError(
            f"{fn}: Expected {what_b} and {what_a} to have the same dtype, but found {what_b} of "
            f"type {type_name(b)} and {what_a} of type {type_name(a)} instead."
        )


def batch_prefix(arr_batch_shape, flat_index):
    """'(Batch element i): ' for a batched input, '' for a single matrix."""
    if not arr_batch_shape:
        return ""
    return f"(Batch element {flat_index}): "


# -- LU -------------------------------------------------------------------------------------
def _magnitude(x):
    """LAPACK's pivot measure: |x| for real, |re| + |im| for complex (i?amax)."""
    if x.dtype.kind == "c":
        return np.abs(x.real) + np.abs(x.imag)
    return np.abs(x)


_BLOCK = 32  # columns per panel of the blocked factorisation


def lu_factor(a, pivot=True):
    """(LU, pivots, info) for a (..., m, n): LAPACK getrf's packed factors, 1-based int32
    pivots, and per matrix the 1-based index of the first zero pivot (0 when none).

    Right-looking and blocked, as getrf: each panel of 32 columns is factorised column by
    column (getf2), its row swaps applied to whole rows, then the rows to its right are
    solved against the panel's L (trsm) and the rest updated by one matrix product (gemm),
    so most of the work is a BLAS call rather than a Python step."""
    shape = a.shape
    m, n = shape[-2:]
    k = min(m, n)
    count = int(np.prod(shape[:-2], dtype=np.int64))
    batch = np.array(a, copy=True).reshape((count, m, n))
    pivots = np.empty((count, k), np.int32)
    info = np.zeros(count, np.int32)
    rows = np.arange(count)
    for j0 in range(0, k, _BLOCK):
        j1 = min(j0 + _BLOCK, k)
        for j in range(j0, j1):
            if pivot:
                p = np.argmax(_magnitude(batch[:, j:, j]), axis=1) + j
            else:
                p = np.full(count, j)
            pivots[:, j] = p + 1
            swap = p != j
            if swap.any():
                idx = rows[swap]
                upper = batch[idx, j, :].copy()
                batch[idx, j, :] = batch[idx, p[swap], :]
                batch[idx, p[swap], :] = upper
            diag = batch[:, j, j]
            zero = diag == 0
            info[(info == 0) & zero] = j + 1
            if j + 1 < m:
                safe = np.where(zero, 1, diag)
                scale = np.where(zero, 0, 1 / safe)
                batch[:, j + 1 :, j] *= scale[:, None]
                if j + 1 < j1:  # the rest of the panel only
                    column, row = batch[:, j + 1 :, j, None], batch[:, j, None, j + 1 : j1]
                    batch[:, j + 1 :, j + 1 : j1] -= column * row
        if j1 < n:
            # U12 = L11^{-1} A12 (L11 unit lower-triangular), then A22 -= L21 U12.
            for i in range(j0 + 1, j1):
                batch[:, i, j1:] -= (batch[:, i, None, j0:i] @ batch[:, j0:i, j1:])[:, 0, :]
            if j1 < m:
                batch[:, j1:, j1:] -= batch[:, j1:, j0:j1] @ batch[:, j0:j1, j1:]
    return (
        batch.reshape(shape),
        pivots.reshape(shape[:-2] + (k,)),
        info.reshape(shape[:-2]),
    )


def permutation_from_pivots(pivots, m):
    """perm such that P @ x = x[perm]... as LAPACK's row interchanges, applied in order:
    returns the row order of P^T A (the rows of A that LU factorises), per matrix."""
    k = pivots.shape[-1]
    count = int(np.prod(pivots.shape[:-1], dtype=np.int64))
    flat = pivots.reshape(count, k).astype(np.int64) - 1
    perm = np.tile(np.arange(m), (count, 1))
    rows = np.arange(flat.shape[0])
    for j in range(k):
        p = flat[:, j]
        a = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = a
    return perm.reshape(pivots.shape[:-1] + (m,))


def permutation_matrix(pivots, m, dtype):
    """P (..., m, m) with A = P L U for LAPACK pivots."""
    perm = permutation_from_pivots(pivots, m)
    eye = np.eye(m, dtype=dtype)
    # Row i of P^T A is row perm[i] of A, so P^T = eye[perm] and P = its transpose.
    return np.swapaxes(eye[perm], -1, -2)


def unpack_lu(lu, pivots, unpack_data=True, unpack_pivots=True):
    """(P, L, U) arrays from packed LU factors (empty arrays for the parts not asked for)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    if unpack_data:
        L = np.tril(lu[..., :, :k], -1)
        idx = np.arange(k)
        L[..., idx, idx] = 1
        U = np.triu(lu[..., :k, :])
    else:
        L = np.empty((0,), lu.dtype)
        U = np.empty((0,), lu.dtype)
    if unpack_pivots:
        P = permutation_matrix(pivots, m, lu.dtype)
    else:
        P = np.empty((0,), lu.dtype)
    return P, L, U


# -- triangular solves ----------------------------------------------------------------------
def solve_triangular(a, b, upper, left=True, unitriangular=False):
    """X with A X = B (left) or X A = B, A triangular, by substitution over the rows;
    a zero on the diagonal gives inf/nan as LAPACK's trsm does, never an error."""
    if not left:
        # X A = B  <=>  A^T X^T = B^T
        x = solve_triangular(
            np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), not upper, True, unitriangular
        )
        return np.swapaxes(x, -1, -2)
    n = a.shape[-1]
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, shape + a.shape[-2:])
    dtype = np.result_type(a, b)
    x = np.array(np.broadcast_to(b, shape + b.shape[-2:]), dtype=dtype)
    order = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in order:
            if upper:
                if i + 1 < n:
                    x[..., i, :] -= (a[..., i, None, i + 1 :] @ x[..., i + 1 :, :])[..., 0, :]
            elif i > 0:
                x[..., i, :] -= (a[..., i, None, :i] @ x[..., :i, :])[..., 0, :]
            if not unitriangular:
                x[..., i, :] /= a[..., i, i, None]
    return x


def lu_solve(lu, pivots, b, left=True, adjoint=False):
    """X with A X = B (or A^H X = B; X A = B ...) for A = P L U given as packed factors."""
    if not left:
        # X A = B <=> A^H X^H = B^H (adjoint) or A^T... written via the conjugate transpose.
        xh = lu_solve(lu, pivots, np.conj(np.swapaxes(b, -1, -2)), True, not adjoint)
        return np.conj(np.swapaxes(xh, -1, -2))
    P, L, U = unpack_lu(lu, pivots)
    if not adjoint:
        pb = np.swapaxes(P, -1, -2) @ b
        y = solve_triangular(L, pb, upper=False, unitriangular=True)
        return solve_triangular(U, y, upper=True)
    uh = np.conj(np.swapaxes(U, -1, -2))
    lh = np.conj(np.swapaxes(L, -1, -2))
    y = solve_triangular(uh, b, upper=False)
    y = solve_triangular(lh, y, upper=True, unitriangular=True)
    return P @ y


def first_zero_pivot(a):
    """Per matrix, the 1-based index of the first zero pivot of LU with partial pivoting
    (0 when nonsingular): what LAPACK's getrf reports as info."""
    return lu_factor(a)[2]
