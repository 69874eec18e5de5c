"""Determinants, inverses and linear solves (general and triangular).

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
from ._lazy import publish
from .dtype_dispatch import OWN, set_complex_mode
from .joining import cat
from .linalg_common import (
    const,
    deprecated,
    eps_of,
    eye,
    recording,
    to_matrix,
    to_vector,
)
from .linalg_kernels import LinAlgError
from .op import Op, tensor_method
from .pointwise import where
from .rearrange import diag_embed

__all__ = ["det", "inverse", "logdet", "slogdet", "triangular_solve"]

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
        from .linalg_spectral import svd as _svd  # (a cycle: linalg_spectral imports this)

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
    K.check_float_square(A, fn)


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
    K.check_float_square(A, fn)


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
        if ctx.needs_input_grad[0]:
            xm = to_matrix(x, vector)
            ga = -(gb @ xm.mH) if left else -(xm.mH @ gb)
        return ga, (to_vector(gb, vector) if ctx.needs_input_grad[1] else None)


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
        if ctx.needs_input_grad[0]:
            ga = -(gb @ x.mH) if left else -(x.mH @ gb)
            ga = ga.triu(int(unit)) if upper else ga.tril(-int(unit))
        return ga, (gb if ctx.needs_input_grad[1] else None)


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


# Each derivative above is written for complex matrices too (conjugate transposes).
set_complex_mode(OWN, LinalgDet, LinalgSlogdet, LinalgInv, LinalgSolve, LinalgSolveTriangular)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
