"""The Cholesky and LU factorisations, and the solves and inverses that take their factors.

Factors come from NumPy's LAPACK (Cholesky) and the LU kernel (ops/linalg_kernels.py, with
LAPACK's pivots); the derivatives are PyTorch's (cholesky_backward, linalg_lu_backward,
linalg_lu_solve_LU, lu_unpack_backward), written in chainrule ops.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from . import linalg_kernels as K
from ._lazy import publish
from .dtype_dispatch import OWN, set_complex_mode
from .joining import cat
from .linalg_common import deprecated
from .linalg_kernels import LinAlgError
from .linalg_solve import _first_failure, solve_triangular
from .op import Op, tensor_method

__all__ = ["cholesky", "cholesky_inverse", "cholesky_solve", "lu", "lu_solve", "lu_unpack"]


# -- Cholesky -------------------------------------------------------------------------------
def _cholesky_info(a):
    """Per matrix: 0, or the order of the first leading minor that is not positive-definite."""
    flat = a.reshape((-1,) + a.shape[-2:])
    info = np.zeros(flat.shape[0], np.int32)
    for b, m in enumerate(flat):
        try:
            np.linalg.cholesky(m)
            continue
        except np.linalg.LinAlgError:
            pass
        for k in range(1, m.shape[-1] + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                info[b] = k
                break
    return info.reshape(a.shape[:-2])


def _cholesky_array(a, upper):
    source = np.conj(np.swapaxes(a, -1, -2)) if upper else a
    with np.errstate(all="ignore"):
        factor = np.linalg.cholesky(source)
    return np.conj(np.swapaxes(factor, -1, -2)) if upper else factor


class LinalgCholesky(Op):
    name = "LinalgCholeskyExBackward0"
    formula = "A = L L^H: dA = L^{-H} Phi(L^H grad) L^{-1}, Phi(X) = (X + X^H)/2 on the lower part"

    @staticmethod
    def forward(ctx, a, *, upper, fn="linalg.cholesky", check=True):
        source = np.conj(np.swapaxes(a, -1, -2)) if upper else a
        try:
            out = _cholesky_array(a, upper)
            info = np.zeros(a.shape[:-2], np.int32)
        except np.linalg.LinAlgError:
            info = _cholesky_info(source)
            bad = _first_failure(info)
            if check and bad is not None:
                prefix = K.batch_prefix(a.shape[:-2], bad[0])
                raise LinAlgError(
                    f"{fn}: {prefix}The factorization could not be completed because the input "
                    f"is not positive-definite (the leading minor of order {bad[1]} is not "
                    "positive-definite)."
                ) from None
            out = np.zeros_like(a)
            good = info == 0
            if good.any():
                out[good] = _cholesky_array(a[good], upper)
        ctx.upper = upper
        ctx.mark_non_differentiable(info)
        ctx.save_for_backward(out)
        ctx.set_materialize_grads(False)
        return out.astype(a.dtype, copy=False), info

    @staticmethod
    def backward(ctx, grad, grad_info=None):
        if grad is None:
            return None
        (factor,) = ctx.saved_tensors
        upper = ctx.upper
        lower = factor.mH if upper else factor
        g = grad.mH if upper else grad
        ga = (lower.mH @ g).tril()
        ga = (ga + ga.tril(-1).mH) * 0.5
        ga = solve_triangular(lower.mH, ga, upper=True, left=True)
        return solve_triangular(lower, ga, upper=False, left=False)


def _check_cholesky(A, fn):
    K.check_float_square(A, fn)


def linalg_cholesky(A, *, upper=False):
    """L lower-triangular with A = L L^H (U = L^H with upper=True), batched."""
    _check_cholesky(A, "linalg.cholesky")
    return LinalgCholesky.apply(A, upper=bool(upper))[0]


def linalg_cholesky_ex(A, *, upper=False, check_errors=False):
    _check_cholesky(A, "linalg.cholesky_ex")
    factor, info = LinalgCholesky.apply(
        A, upper=bool(upper), fn="linalg.cholesky_ex", check=check_errors
    )
    return return_types.linalg_cholesky_ex(factor, info)


@tensor_method("cholesky")
def cholesky(input, upper=False):
    deprecated(
        "cholesky",
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in "
        "a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
        "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be "
        "replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
        "equivalent results for all valid (symmetric positive definite) inputs.",
    )
    _check_cholesky(input, "cholesky")
    return LinalgCholesky.apply(input, upper=bool(upper), fn="cholesky")[0]


def _cholesky_solve_array(b, factor, upper):
    lower = np.conj(np.swapaxes(factor, -1, -2)) if upper else factor
    y = K.solve_triangular(lower, b, upper=False)
    return K.solve_triangular(np.conj(np.swapaxes(lower, -1, -2)), y, upper=True)


class CholeskySolve(Op):
    name = "CholeskySolveBackward0"
    formula = "X = (L L^H)^{-1} B: dB = cholesky_solve(grad, L), dL = -(C + C^H) L, C = dB X^H"

    @staticmethod
    def forward(ctx, b, factor, *, upper):
        x = _cholesky_solve_array(b, factor, upper).astype(np.result_type(b, factor))
        ctx.upper = upper
        ctx.save_for_backward(factor, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        factor, x = ctx.saved_tensors
        upper = ctx.upper
        gb = cholesky_solve(grad, factor, upper)
        gf = None
        if ctx.needs_input_grad[1]:
            common = gb @ x.mH
            common = common + common.mH
            gf = -(factor @ common) if upper else -(common @ factor)
        return (gb if ctx.needs_input_grad[0] else None), gf


@tensor_method("cholesky_solve")
def cholesky_solve(input, input2, upper=False):
    """X with A X = input, where A = L L^H (input2 = L) or U^H U (upper, input2 = U)."""
    for t, what in ((input, "b"), (input2, "u")):
        if t._data.ndim < 2:
            raise RuntimeError(
                f"{what} should have at least 2 dimensions, but has {t._data.ndim} dimensions "
                "instead"
            )
    if input._data.dtype != input2._data.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type {K.type_name(input)} "
            f"and A of type {K.type_name(input2)} instead."
        )
    return CholeskySolve.apply(input, input2, upper=bool(upper))


class CholeskyInverse(Op):
    name = "CholeskyInverseBackward0"
    formula = "X = (L L^H)^{-1}: dL = -X (grad + grad^H) X L (upper: -U X (grad + grad^H) X)"

    @staticmethod
    def forward(ctx, factor, *, upper):
        n = factor.shape[-1]
        ident = np.broadcast_to(np.eye(n, dtype=factor.dtype), factor.shape)
        out = _cholesky_solve_array(ident, factor, upper).astype(factor.dtype)
        ctx.upper = upper
        ctx.save_for_backward(factor, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        factor, inv = ctx.saved_tensors
        common = inv @ ((grad + grad.mH) @ inv)
        return -(factor @ common) if ctx.upper else -(common @ factor)


@tensor_method("cholesky_inverse")
def cholesky_inverse(input, upper=False):
    """(L L^H)^{-1} (or (U^H U)^{-1}) from a Cholesky factor."""
    K.check_matrix(input, "cholesky_inverse", "input")
    K.check_square(input, "cholesky_inverse", "input")
    return CholeskyInverse.apply(input, upper=bool(upper))


# -- LU -------------------------------------------------------------------------------------
def _lu_backward(grad_l, grad_u, p, lower, upper_):
    """The gradient of A = P L U for given gradients of L and U (either may be None)."""
    m, n = lower._data.shape[-2], upper_._data.shape[-1]
    k = min(m, n)
    if m == n:
        ga = None
        if grad_l is not None:
            ga = (lower.mH @ grad_l).tril(-1)
        if grad_u is not None:
            term = (grad_u @ upper_.mH).triu()
            ga = term if ga is None else ga + term
        ga = solve_triangular(upper_.mH, ga, upper=False, left=False)
        ga = solve_triangular(lower.mH, ga, upper=True, left=True, unitriangular=True)
        return p @ ga
    if m < n:
        u1, u2 = upper_[..., :, :k], upper_[..., :, k:]
        ga = None
        if grad_l is not None:
            ga = lower.mH @ grad_l
        if grad_u is not None:
            term = grad_u.triu() @ upper_.mH
            ga = -term if ga is None else ga - term
        ga = solve_triangular(u1.mH, ga.tril(-1), upper=False, left=False)
        if grad_u is not None:
            ga = cat([ga + grad_u[..., :, :k].triu(), grad_u[..., :, k:]], -1)
        ga = solve_triangular(lower.mH, ga, upper=True, left=True, unitriangular=True)
        if grad_u is None:
            ga = cat([ga, u2 * 0], -1)
        return p @ ga
    l1, l2 = lower[..., :k, :], lower[..., k:, :]
    ga = None
    if grad_u is not None:
        ga = grad_u @ upper_.mH
    if grad_l is not None:
        term = lower.mH @ grad_l.tril(-1)
        ga = -term if ga is None else ga - term
    ga = solve_triangular(l1.mH, ga.triu(), upper=True, left=True, unitriangular=True)
    if grad_l is not None:
        ga = cat([ga + grad_l[..., :k, :].tril(-1), grad_l[..., k:, :]], -2)
    ga = solve_triangular(upper_.mH, ga, upper=False, left=False)
    if grad_l is None:
        ga = cat([ga, l2 * 0], -2)
    return p @ ga


class LinalgLuFactor(Op):
    name = "LinalgLuFactorExBackward0"
    formula = "A = P L U packed as L + U - I: the gradient of LU split into L's and U's parts"

    @staticmethod
    def forward(ctx, a, *, fn="linalg.lu_factor", check=True):
        lu, piv, info = K.lu_factor(a)
        bad = _first_failure(info)
        if check and bad is not None:
            i = bad[1]
            raise RuntimeError(
                f"torch.{fn}: U[{i},{i}] is zero and using it on lu_solve would result in a "
                "division by zero. If you still want to perform the factorization, consider "
                "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
            )
        ctx.mark_non_differentiable(piv, info)
        ctx.save_for_backward(lu, piv)
        return lu, piv, info

    @staticmethod
    def backward(ctx, grad, *rest):
        lu, piv = ctx.saved_tensors
        m, n = lu._data.shape[-2:]
        k = min(m, n)
        p, lower, upper_ = lu_unpack(lu, piv)
        return _lu_backward(grad[..., :, :k], grad[..., :k, :], p, lower, upper_)


def _check_lu(A, fn, pivot):
    K.check_matrix(A, fn)
    K.check_float(A, fn)
    if not pivot:
        raise RuntimeError(f"{fn}: LU without pivoting is not implemented on the CPU")


def linalg_lu_factor(A, *, pivot=True):
    """(LU, pivots): LAPACK's packed LU factors with partial pivoting, 1-based int32 pivots."""
    _check_lu(A, "linalg.lu_factor", pivot)
    lu, piv, _ = LinalgLuFactor.apply(A)
    return return_types.linalg_lu_factor(lu, piv)


def linalg_lu_factor_ex(A, *, pivot=True, check_errors=False):
    _check_lu(A, "linalg.lu_factor_ex", pivot)
    lu, piv, info = LinalgLuFactor.apply(A, fn="linalg.lu_factor_ex", check=check_errors)
    return return_types.linalg_lu_factor_ex(lu, piv, info)


class LinalgLu(Op):
    name = "LinalgLuBackward0"
    formula = "A = P L U: dA = P L^{-H} (tril(L^H gL, -1) + triu(gU U^H)) U^{-H} (square case)"

    @staticmethod
    def forward(ctx, a):
        lu, piv, _ = K.lu_factor(a)
        p, lower, upper_ = K.unpack_lu(lu, piv)
        ctx.mark_non_differentiable(p)
        ctx.save_for_backward(p, lower, upper_)
        ctx.set_materialize_grads(False)
        return p, lower, upper_

    @staticmethod
    def backward(ctx, grad_p, grad_l, grad_u):
        if grad_l is None and grad_u is None:
            return None
        p, lower, upper_ = ctx.saved_tensors
        return _lu_backward(grad_l, grad_u, p, lower, upper_)


def linalg_lu(A, *, pivot=True):
    """(P, L, U) with A = P L U: L unit lower-triangular, U upper-triangular."""
    _check_lu(A, "linalg.lu", pivot)
    return return_types.linalg_lu(*LinalgLu.apply(A))


class LuUnpack(Op):
    name = "LuUnpackBackward0"
    formula = "(P, L, U) from packed LU: dLU = tril(gL, -1) + triu(gU) (cut to LU's shape)"

    @staticmethod
    def forward(ctx, lu, piv, *, unpack_data, unpack_pivots):
        p, lower, upper_ = K.unpack_lu(lu, piv, unpack_data, unpack_pivots)
        ctx.shape = lu.shape
        ctx.mark_non_differentiable(p)
        ctx.set_materialize_grads(False)
        return p, lower, upper_

    @staticmethod
    def backward(ctx, grad_p, grad_l, grad_u):
        m, n = ctx.shape[-2:]
        k = min(m, n)
        if grad_l is None and grad_u is None:
            return None, None
        if grad_l is not None and grad_u is not None:
            if m == n:
                return grad_l.tril(-1) + grad_u.triu(), None
            a1 = grad_l[..., :k, :].tril(-1) + grad_u[..., :, :k].triu()
            if m > n:
                return cat([a1, grad_l[..., k:, :]], -2), None
            return cat([a1, grad_u[..., :, k:]], -1), None
        if grad_l is not None:
            if m >= n:
                return grad_l.tril(-1), None
            pad = grad_l[..., :1].expand(grad_l.shape[:-1] + (n - m,)) * 0
            return cat([grad_l.tril(-1), pad], -1), None
        if n >= m:
            return grad_u.triu(), None
        pad = grad_u[..., :1, :].expand(grad_u.shape[:-2] + (m - n, n)) * 0
        return cat([grad_u.triu(), pad], -2), None


@tensor_method("lu_unpack")
def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """(P, L, U) from lu_factor's packed factors and pivots."""
    if LU_pivots._data.dtype != np.int32:
        raise RuntimeError(
            "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
            f"dtype. Note: this function is intended to be used with the output produced by "
            f"torch.linalg.lu_factor. Got dtype {LU_pivots.dtype}"
        )
    p, lower, upper_ = LuUnpack.apply(
        LU_data, LU_pivots, unpack_data=bool(unpack_data), unpack_pivots=bool(unpack_pivots)
    )
    return return_types.lu_unpack(p, lower, upper_)


class LinalgLuSolve(Op):
    name = "LinalgLuSolveBackward0"
    formula = "X = (PLU)^{-1} B: dB = lu_solve(LU, grad, adjoint flipped); dLU by the LU rule"

    @staticmethod
    def forward(ctx, lu, piv, b, *, left, adjoint):
        x = K.lu_solve(lu, piv, b, left, adjoint).astype(np.result_type(lu, b))
        ctx.params = (left, adjoint)
        ctx.save_for_backward(lu, piv, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        lu, piv, x = ctx.saved_tensors
        left, adjoint = ctx.params
        glu = gb = None
        if ctx.needs_input_grad[2]:
            gb = linalg_lu_solve(lu, piv, grad, left=left, adjoint=not adjoint)
        if ctx.needs_input_grad[0]:
            glu = _lu_solve_lu_grad(grad, lu, piv, x, left, adjoint)
        return glu, None, gb


def _lu_solve_lu_grad(gx, lu, piv, x, left, adjoint):
    p, lower, upper_ = lu_unpack(lu, piv)
    if left != adjoint:
        rhs = -((gx if left else gx.mH) @ (x.mH if left else x))
        gr = solve_triangular(upper_.mH, rhs, upper=False)
        gl = solve_triangular(lower.mH, gr @ upper_.mH, upper=True, unitriangular=True)
        return gl.tril(-1) + gr.triu()
    gr = -(p.mT @ (x if left else x.mH) @ (gx.mH if left else gx) @ p)
    gr = solve_triangular(lower.mH, gr, upper=True, left=False, unitriangular=True)
    gu = solve_triangular(upper_.mH, lower.mH @ gr, upper=False, left=False).triu()
    return gr.tril(-1) + gu


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """X with A X = B (A^H X = B with adjoint; X A = B with left=False) for A = P L U."""
    fn = "linalg.lu_solve"
    K.check_matrix(LU, fn, "LU")
    K.check_square(LU, fn, "LU")
    K.check_matrix(B, fn, "B")
    n = LU._data.shape[-1]
    m, k = B._data.shape[-2:]
    if (m if left else k) != n:
        raise RuntimeError(
            f"{fn}: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {m}x{k})"
        )
    return LinalgLuSolve.apply(LU, pivots, B, left=bool(left), adjoint=bool(adjoint))


@tensor_method("lu_solve")
def lu_solve(b, LU_data, LU_pivots):
    """PyTorch's older argument order: lu_solve(B, LU, pivots)."""
    deprecated(
        "lu_solve",
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
        "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\n"
        "X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n"
        "X = torch.linalg.lu_solve(LU, pivots, B)",
    )
    return linalg_lu_solve(LU_data, LU_pivots, b)


@tensor_method("lu")
def lu(A, pivot=True, get_infos=False):
    """(LU, pivots[, infos]) as torch.lu gives them (linalg.lu_factor_ex underneath)."""
    deprecated(
        "lu",
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex "
        "and will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, "
        "compute_pivots)\nshould be replaced with\nLU, pivots = torch.linalg.lu_factor(A, "
        "compute_pivots)\nand\nLU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)"
        "\nshould be replaced with\nLU, pivots, info = torch.linalg.lu_factor_ex(A, "
        "compute_pivots)",
    )
    _check_lu(A, "linalg.lu_factor_ex", pivot)
    lu_, piv, info = LinalgLuFactor.apply(A, fn="lu", check=False)
    return (lu_, piv, info) if get_infos else (lu_, piv)


# Each derivative above is written for complex matrices too (conjugate transposes).
set_complex_mode(
    OWN,
    LinalgCholesky,
    CholeskySolve,
    CholeskyInverse,
    LinalgLuFactor,
    LinalgLu,
    LuUnpack,
    LinalgLuSolve,
)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
