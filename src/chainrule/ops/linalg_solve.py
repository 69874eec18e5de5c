"""Determinants, inverses, linear solves and the LU and Cholesky factorisations.

Each primitive computes with NumPy's LAPACK or the LU kernel (ops/linalg_kernels.py) and
differentiates with PyTorch's formulas (its derivatives.yaml and FunctionsManual), written
in chainrule ops so that they differentiate again. Where PyTorch's first derivative takes a
different path from its graph-building one (det's LU solve with eps on exactly zero pivots,
against the SVD formula for singular matrices), both paths are kept, so gradients match
PyTorch's with and without create_graph.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from ..tensor import Tensor
from . import linalg_kernels as K
from .dtype_dispatch import OWN, set_complex_mode
from .joining import cat
from .linalg_common import (
    const,
    deprecated,
    diag_embed,
    eps_of,
    eye,
    needs,
    recording,
    to_matrix,
    to_vector,
)
from .linalg_kernels import LinAlgError
from .op import Op, tensor_method
from .pointwise import where

__all__ = [
    "cholesky",
    "cholesky_inverse",
    "cholesky_solve",
    "det",
    "inverse",
    "logdet",
    "lu",
    "lu_solve",
    "lu_unpack",
    "slogdet",
    "triangular_solve",
]

_wrap = Tensor._wrap


def _first_failure(info):
    """(flat batch index, info value) of the first matrix whose info is nonzero, or None."""
    flat = np.asarray(info).reshape(-1)
    bad = np.flatnonzero(flat)
    return None if not bad.size else (int(bad[0]), int(flat[bad[0]]))


# -- determinants ---------------------------------------------------------------------------
def _det_parts(a):
    """(diagonal of U, permutation sign) of a's LU factorisation."""
    lu, piv, _ = K.lu_factor(a)
    n = a.shape[-1]
    odd = (piv != np.arange(1, n + 1, dtype=np.int32)).sum(-1) % 2
    return np.diagonal(lu, axis1=-2, axis2=-1), np.where(odd, -1, 1).astype(a.real.dtype)


def _det(a):
    if a.shape[-1] == 0:
        return np.ones(a.shape[:-2], a.dtype)
    d, sign = _det_parts(a)
    return np.asarray(np.prod(d, -1) * sign, dtype=a.dtype)


def _prod_safe_zeros_backward(grad, inp):
    """The gradient of prod(inp, -1) that stays right where inp has zeros: the product of
    every other element, made from cumulative products from both ends."""
    if inp._data.shape[-1] == 1:
        return grad.expand(inp.shape) if grad.shape != inp.shape else grad
    ones = inp[..., :1] * 0 + 1
    before = cat([ones, inp[..., :-1]], -1).cumprod(-1)
    after = cat([ones, inp[..., 1:].flip(-1)], -1).cumprod(-1).flip(-1)
    return grad * (before * after).conj()


class LinalgDet(Op):
    name = "LinalgDetBackward0"
    formula = (
        "d(det A)/dA = det(A)^* A^{-H}; on singular A, U diag(prod_{j!=i} S_j) Vh from the SVD"
    )

    @staticmethod
    def forward(ctx, a):
        out = _det(a)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, det_ = ctx.saved_tensors
        if a._data.size == 0:
            return None
        d = grad * det_.conj()
        n = a._data.shape[-1]
        if not recording():
            # PyTorch's first derivative: solve A^H X = d I through A's LU, with eps in place
            # of exactly zero pivots (so exactly singular matrices, where d = 0, give 0).
            lu, piv, _ = K.lu_factor(a._data)
            idx = np.arange(n)
            pivots = lu[..., idx, idx]
            lu[..., idx, idx] = np.where(pivots == 0, eps_of(a), pivots)
            rhs = d._data[..., None, None] * np.eye(n, dtype=d._data.dtype)
            return const(K.lu_solve(lu, piv, rhs, adjoint=True).astype(a._data.dtype))
        singular = np.abs(det_._data) < 100 * eps_of(a)
        if not singular.any():
            return solve(a.mH, diag_embed(d.unsqueeze(-1).expand(d.shape + (n,))))
        from .linalg_spectral import svd as _svd

        def through_svd(m):
            u, s, vh = _svd(m)
            alpha = (det(u) * det(vh)).conj() * grad
            g = _prod_safe_zeros_backward(alpha.unsqueeze(-1), s)
            return (u * g.unsqueeze(-2)) @ vh

        if singular.all():
            return through_svd(a)
        mask = const(singular[..., None, None])
        safe = where(mask, eye(n, a).to(a.dtype), a)
        regular = solve(safe.mH, diag_embed(d.unsqueeze(-1).expand(d.shape + (n,))))
        return where(mask, through_svd(a), regular)


class LinalgSlogdet(Op):
    name = "LinalgSlogdetBackward0"
    formula = "d(log|det A|)/dA = A^{-H}; d(sign)/dA: imaginary part only (complex A)"

    @staticmethod
    def forward(ctx, a):
        n = a.shape[-1]
        real = a.real.dtype
        if n == 0:
            sign = np.ones(a.shape[:-2], a.dtype)
            logabs = np.zeros(a.shape[:-2], real)
        else:
            d, perm = _det_parts(a)
            mag = np.abs(d)
            with np.errstate(divide="ignore", invalid="ignore"):
                unit = np.where(mag == 0, 0, d / np.where(mag == 0, 1, mag))
                logabs = np.asarray(np.sum(np.log(mag), -1), dtype=real)
            sign = np.asarray(np.prod(unit, -1) * perm, dtype=a.dtype)
        ctx.save_for_backward(a, sign)
        ctx.set_materialize_grads(False)
        return sign, logabs

    @staticmethod
    def backward(ctx, grad_sign, grad_logabs):
        a, sign = ctx.saved_tensors
        complex_ = a.is_complex()
        if not complex_ and grad_logabs is None:
            return None
        g = grad_logabs
        if complex_:
            if grad_sign is not None:
                term = (grad_sign.conj() * sign).imag * (-1j)
                g = term if g is None else g + term
            else:
                g = g.to(a.dtype)
        n = a._data.shape[-1]
        rhs = diag_embed(g.unsqueeze(-1).expand(g.shape + (n,)))
        if not recording():
            lu, piv, _ = K.lu_factor(a._data)
            return const(K.lu_solve(lu, piv, rhs._data, adjoint=True).astype(a._data.dtype))
        return solve(a.mH, rhs)


def _check_det(A, fn):
    K.check_matrix(A, fn)
    K.check_float(A, fn)
    K.check_square(A, fn)


@tensor_method("det")
def det(A):
    """The determinant of each matrix (batched); 1 for a 0 x 0 matrix."""
    _check_det(A, "linalg.det")
    return LinalgDet.apply(A)


def linalg_slogdet(A):
    """(sign, log|det|) of each matrix: sign is 0 and log|det| -inf for a singular one."""
    _check_det(A, "linalg.slogdet")
    return return_types.linalg_slogdet(*LinalgSlogdet.apply(A))


@tensor_method("slogdet")
def slogdet(A):
    _check_det(A, "linalg.slogdet")
    return return_types.slogdet(*LinalgSlogdet.apply(A))


@tensor_method("logdet")
def logdet(A):
    """log(det A): nan where det < 0 (real A), -inf where singular."""
    _check_det(A, "linalg.slogdet")
    sign, logabs = LinalgSlogdet.apply(A)
    if A.is_complex():
        return sign.log() + logabs
    return where(const(sign._data < 0), float("nan"), logabs)


# -- inverse and solve ----------------------------------------------------------------------
def _singular_inverse_error(a, fn):
    info = K.first_zero_pivot(a)
    bad = _first_failure(info)
    if bad is None:  # NumPy refused for another reason (nan): PyTorch gives nan
        return None
    index, i = bad
    prefix = K.batch_prefix(a.shape[:-2], index)
    return LinAlgError(
        f"{fn}: {prefix}The diagonal element {i} is zero, the inversion could not be "
        "completed because the input matrix is singular."
    )


def _inverse_array(a, fn, check=True):
    """(inverse, info) of a batch of square matrices."""
    try:
        return np.linalg.inv(a), np.zeros(a.shape[:-2], np.int32)
    except np.linalg.LinAlgError:
        pass
    lu, piv, info = K.lu_factor(a)
    if check:
        error = _singular_inverse_error(a, fn)
        if error is not None:
            raise error
    n = a.shape[-1]
    with np.errstate(all="ignore"):
        inv = K.lu_solve(lu, piv, np.broadcast_to(np.eye(n, dtype=a.dtype), a.shape))
    return inv.astype(a.dtype), info


class LinalgInv(Op):
    name = "LinalgInvExBackward0"
    formula = "d(A^{-1})/dA: grad -> -A^{-H} grad A^{-H}"

    @staticmethod
    def forward(ctx, a, *, fn="linalg.inv", check=True):
        inv, info = _inverse_array(a, fn, check)
        ctx.mark_non_differentiable(info)
        ctx.save_for_backward(inv)
        ctx.set_materialize_grads(False)
        return inv, info

    @staticmethod
    def backward(ctx, grad, grad_info=None):
        if grad is None:
            return None
        (inv,) = ctx.saved_tensors
        inv_h = inv.mH
        return -(inv_h @ (grad @ inv_h))


def _check_inv(A, fn):
    K.check_matrix(A, fn)
    K.check_float(A, fn)
    K.check_square(A, fn)


def linalg_inv(A, *, _fn="linalg.inv"):
    _check_inv(A, _fn)
    return LinalgInv.apply(A, fn=_fn)[0]


@tensor_method("inverse")
def inverse(input):
    return linalg_inv(input)


def linalg_inv_ex(A, *, check_errors=False):
    _check_inv(A, "linalg.inv_ex")
    inv, info = LinalgInv.apply(A, fn="linalg.inv_ex", check=check_errors)
    return return_types.linalg_inv_ex(inv, info)


def _is_vector_rhs(A, B):
    """PyTorch's rule: B is a vector (or batch of vectors) right-hand side."""
    nb, na = B._data.ndim, A._data.ndim
    return nb == 1 or (nb == na - 1 and B._data.shape == A._data.shape[:-1])


def _solve_arrays(a, b, left):
    if left:
        return np.linalg.solve(a, b)
    x = np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2))
    return np.swapaxes(x, -1, -2)


class LinalgSolve(Op):
    name = "LinalgSolveExBackward0"
    formula = "X = A^{-1} B: dB = A^{-H} grad, dA = -dB X^H (left; mirrored for XA = B)"

    @staticmethod
    def forward(ctx, a, b, *, left, vector, check=True):
        bm = b[..., None] if vector else b
        shape = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
        info = np.zeros(shape, np.int32)
        try:
            x = _solve_arrays(a, bm, left)
        except np.linalg.LinAlgError:
            ab = np.broadcast_to(a, shape + a.shape[-2:])
            lu, piv, info = K.lu_factor(ab)
            bad = _first_failure(info)
            if check and bad is not None:
                prefix = K.batch_prefix(shape, bad[0])
                raise LinAlgError(
                    f"torch.linalg.solve: {prefix}The solver failed because the input matrix is "
                    "singular."
                ) from None
            with np.errstate(all="ignore"):
                x = K.lu_solve(lu, piv, bm, left=left)
        x = np.asarray(x, dtype=np.result_type(a, b))
        out = x[..., 0] if vector else x
        ctx.left, ctx.vector = left, vector
        ctx.mark_non_differentiable(info)
        ctx.save_for_backward(a, out)
        ctx.set_materialize_grads(False)
        return out, info

    @staticmethod
    def backward(ctx, grad, grad_info=None):
        if grad is None:
            return None, None
        a, x = ctx.saved_tensors
        left, vector = ctx.left, ctx.vector
        gb = _solve(a.mH, to_matrix(grad, vector), left, False)
        ga = None
        if needs(ctx, 0):
            xm = to_matrix(x, vector)
            ga = -(gb @ xm.mH) if left else -(xm.mH @ gb)
        return ga, (to_vector(gb, vector) if needs(ctx, 1) else None)


def _check_solve(A, B, left, fn):
    for t in (A, B):
        K.check_float(t, fn)
    K.check_matrix(A, fn)
    K.check_square(A, fn)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(
            f"{fn}: Expected A and B to have the same dtype, but found A of type "
            f"{K.type_name(A)} and B of type {K.type_name(B)} instead"
        )
    vector = _is_vector_rhs(A, B)
    if vector and not left:
        raise RuntimeError(
            f"{fn}: Vector broadcasting of the left hand side is not supported for left=False. "
            "In this case linalg.solve is equivalent to B / A.squeeze(-1)"
        )
    bshape = B._data.shape + (1,) if vector else B._data.shape
    n = A._data.shape[-1]
    k = bshape[-2] if left else bshape[-1]
    if len(bshape) < 2 or k != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"{fn}: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {bshape[-2]}x{bshape[-1]})"
        )
    return vector


def _solve(A, B, left, check, fn="linalg.solve"):
    vector = _check_solve(A, B, left, fn)
    return LinalgSolve.apply(A, B, left=left, vector=vector, check=check)[0]


def linalg_solve(A, B, *, left=True):
    """X with A X = B (left) or X A = B, batched and broadcast; B may be a vector."""
    return _solve(A, B, left, True)


def solve(A, B, *, left=True):
    return _solve(A, B, left, True)


def linalg_solve_ex(A, B, *, left=True, check_errors=False):
    vector = _check_solve(A, B, left, "linalg.solve_ex")
    x, info = LinalgSolve.apply(A, B, left=left, vector=vector, check=check_errors)
    return return_types.linalg_solve_ex(x, info)


# -- triangular solves ----------------------------------------------------------------------
class LinalgSolveTriangular(Op):
    name = "LinalgSolveTriangularBackward0"
    formula = "X = A^{-1} B, A triangular: dB = A^{-H} grad, dA = triangle of -dB X^H"

    @staticmethod
    def forward(ctx, a, b, *, upper, left, unitriangular):
        x = K.solve_triangular(a, b, upper, left, unitriangular).astype(np.result_type(a, b))
        ctx.params = (upper, left, unitriangular)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        upper, left, unit = ctx.params
        gb = solve_triangular(a.mH, grad, upper=not upper, left=left, unitriangular=unit)
        ga = None
        if needs(ctx, 0):
            ga = -(gb @ x.mH) if left else -(x.mH @ gb)
            ga = ga.triu(int(unit)) if upper else ga.tril(-int(unit))
        return ga, (gb if needs(ctx, 1) else None)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with A X = B (or X A = B) for triangular A, reading only A's triangle."""
    fn = "linalg.solve_triangular"
    for t in (A, B):
        K.check_float(t, fn)
    K.check_matrix(A, fn)
    K.check_square(A, fn)
    K.check_matrix(B, fn, "B")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(
            f"{fn}: Expected A and B to have the same dtype, but found A of type "
            f"{K.type_name(A)} and B of type {K.type_name(B)} instead"
        )
    n = A._data.shape[-1]
    m, k = B._data.shape[-2:]
    if (m if left else k) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"{fn}: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and {m}x{k})"
        )
    return LinalgSolveTriangular.apply(
        A, B, upper=bool(upper), left=bool(left), unitriangular=bool(unitriangular)
    )


@tensor_method("triangular_solve")
def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False):
    """(X, A.clone()) with op(A) X = input, op(A) = A or A^T (PyTorch's older interface)."""
    deprecated(
        "triangular_solve",
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will "
        "be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its "
        "arguments reversed and does not return a copy of one of the inputs.\nX = "
        "torch.triangular_solve(B, A).solution\nshould be replaced with\nX = "
        "torch.linalg.solve_triangular(A, B).",
    )
    coefficient = A.mT if transpose else A
    x = solve_triangular(
        coefficient, input, upper=bool(upper) != bool(transpose), unitriangular=unitriangular
    )
    return return_types.triangular_solve(x, A.clone())


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
    K.check_matrix(A, fn)
    K.check_float(A, fn)
    K.check_square(A, fn)


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
        if needs(ctx, 1):
            common = gb @ x.mH
            common = common + common.mH
            gf = -(factor @ common) if upper else -(common @ factor)
        return (gb if needs(ctx, 0) else None), gf


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
        if needs(ctx, 2):
            gb = linalg_lu_solve(lu, piv, grad, left=left, adjoint=not adjoint)
        if needs(ctx, 0):
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
    LinalgDet,
    LinalgSlogdet,
    LinalgInv,
    LinalgSolve,
    LinalgSolveTriangular,
    LinalgCholesky,
    CholeskySolve,
    CholeskyInverse,
    LinalgLuFactor,
    LinalgLu,
    LuUnpack,
    LinalgLuSolve,
)
