"""Eigen- and singular-value decompositions, QR, and what is built on them: pinv, lstsq,
matrix_rank, cond, the spectral and nuclear matrix norms.

Eigenvectors and singular vectors are LAPACK's (NumPy calls the same routines PyTorch
does: syevd, geev, gesdd, geqrf/orgqr), so their signs and phases agree with PyTorch's up
to rounding; a loss that depends on the phase of a complex eigenvector or singular vector
raises PyTorch's error in backward, since its gradient is not defined.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes, return_types
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor
from . import linalg_kernels as K
from ._lazy import publish
from .dtype_dispatch import OWN, set_complex_mode
from .joining import cat
from .linalg_common import const, deprecated, diag, eye
from .linalg_solve import linalg_inv_ex, solve, solve_triangular
from .op import Op, tensor_method
from .pointwise import where
from .rearrange import diag_embed

__all__ = ["pinverse", "qr", "svd"]

_wrap = Tensor._wrap


def _wants_grad(*tensors):
    return _grad_state.enabled and any(t.requires_grad for t in tensors)


def _check_phase_invariant(d, fn):
    """PyTorch refuses an eigenvector gradient that depends on the vectors' phases."""
    if d.is_complex() and not np.allclose(d.imag._data, 0, rtol=1e-2, atol=1e-2):
        raise RuntimeError(
            f"{fn}: The eigenvectors in the complex case are specified up to multiplication by "
            "e^{i phi}. The specified loss function depends on this quantity, so it is "
            "ill-defined."
        )


def _without_diagonal(x):
    return x - diag_embed(diag(x))


# -- symmetric / Hermitian eigendecomposition ------------------------------------------------
def _eig_backward(gl, gv, lam, v, hermitian):
    """PyTorch's linalg_eig_backward: gA for A = V diag(L) V^{-1} (V unit-norm columns)."""
    vh = v.mH
    if gv is None:
        if hermitian:
            return (v * gl.unsqueeze(-2)) @ vh
        return solve(vh, gl.unsqueeze(-1) * vh)
    vhgv = vh @ gv
    dg = diag(vhgv)
    fn = "linalg_eigh_backward" if hermitian else "linalg_eig_backward"
    if v.is_complex():
        _check_phase_invariant(dg, fn)
    if hermitian:
        vhgv = (vhgv - vhgv.mH) * 0.5
    else:
        vhgv = vhgv - vh @ (v * dg.real.unsqueeze(-2))
    lc = lam.conj()
    n = lam._data.shape[-1]
    e = lc.unsqueeze(-2) - lc.unsqueeze(-1) + eye(n, lam)
    ret = vhgv / e
    if gl is not None:
        ret = _without_diagonal(ret) + diag_embed(gl)
    if hermitian:
        return v @ (ret @ vh)
    return solve(vh, ret @ vh)


class LinalgEigh(Op):
    name = "LinalgEighBackward0"
    formula = "A = V diag(L) V^H: dA = V (diag(gL) + skew(V^H gV)/2 / (L_j - L_i)) V^H"

    @staticmethod
    def forward(ctx, a, *, uplo):
        lam, v = np.linalg.eigh(a, UPLO=uplo)
        lam = lam.astype(a.real.dtype, copy=False)
        v = v.astype(a.dtype, copy=False)
        ctx.save_for_backward(lam, v)
        ctx.set_materialize_grads(False)
        return lam, v

    @staticmethod
    def backward(ctx, gl, gv):
        lam, v = ctx.saved_tensors
        return _eig_backward(gl, gv, lam, v, True)


def _check_uplo(uplo, fn):
    if not isinstance(uplo, str) or uplo.upper() not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")
    return uplo.upper()


def linalg_eigh(A, UPLO="L"):
    """(eigenvalues ascending, eigenvectors) of Hermitian matrices, from their UPLO triangle."""
    fn = "linalg.eigh"
    K.check_float_square(A, fn)
    uplo = _check_uplo(UPLO, fn)
    return return_types.linalg_eigh(*LinalgEigh.apply(A, uplo=uplo))


def linalg_eigvalsh(A, UPLO="L"):
    fn = "linalg.eigvalsh"
    K.check_float_square(A, fn)
    uplo = _check_uplo(UPLO, fn)
    if _wants_grad(A):
        return LinalgEigh.apply(A, uplo=uplo)[0]
    return _wrap(np.linalg.eigvalsh(A._data, UPLO=uplo).astype(A._data.real.dtype, copy=False))


# -- general eigendecomposition -------------------------------------------------------------
class LinalgEig(Op):
    name = "LinalgEigBackward0"
    formula = (
        "A = V diag(L) V^{-1}: dA = V^{-H} (diag(gL) + (V^H gV - V^H V Re diag(V^H gV)) "
        "/ conj(L_j - L_i)) V^H"
    )

    @staticmethod
    def forward(ctx, a):
        lam, v = np.linalg.eig(a)
        ctype = dtypes.from_numpy_dtype(a.dtype).to_complex().np
        lam, v = lam.astype(ctype), v.astype(ctype)
        ctx.save_for_backward(lam, v)
        ctx.set_materialize_grads(False)
        return lam, v

    @staticmethod
    def backward(ctx, gl, gv):
        lam, v = ctx.saved_tensors
        return _eig_backward(gl, gv, lam, v, False)


def _check_eig(A, fn):
    K.check_float_square(A, fn)
    if not np.isfinite(A._data).all():
        raise RuntimeError(f"torch.{fn}: input tensor should not contain infs or NaNs.")


def linalg_eig(A):
    """(eigenvalues, eigenvectors) of square matrices, always complex; each eigenvector has
    norm 1 and its largest component real (LAPACK's geev)."""
    _check_eig(A, "linalg.eig")
    return return_types.linalg_eig(*LinalgEig.apply(A))


def linalg_eigvals(A):
    _check_eig(A, "linalg.eigvals")
    if _wants_grad(A):
        return LinalgEig.apply(A)[0]
    ctype = A.dtype.to_complex().np
    return _wrap(np.linalg.eigvals(A._data).astype(ctype))


# -- singular value decomposition -----------------------------------------------------------
def _svd_backward(gu, gs, gvh, u, s, vh):
    """PyTorch's svd_backward for the reduced SVD A = U diag(S) Vh (k = min(m, n))."""
    m, n = u._data.shape[-2], vh._data.shape[-1]
    if gu is None and gvh is None:
        if gs is None:
            return None
        return u @ (gs.unsqueeze(-1) * vh) if m >= n else (u * gs.unsqueeze(-2)) @ vh
    complex_ = u.is_complex()
    uhgu = vhgv = None
    if gu is not None:
        uhgu = u.mH @ gu
        uhgu = uhgu - uhgu.mH
    if gvh is not None:
        vhgv = vh @ gvh.mH
        vhgv = vhgv - vhgv.mH
    if complex_:
        im_u = diag(uhgu).imag._data if uhgu is not None else 0
        im_v = diag(vhgv).imag._data if vhgv is not None else 0
        if not np.allclose(im_u, -np.asarray(im_v), rtol=1e-2, atol=1e-2):
            raise RuntimeError(
                "svd_backward: The singular vectors in the complex case are specified up to "
                "multiplication by e^{i phi}. The specified loss function depends on this phase "
                "term, making it ill-defined."
            )
    k = s._data.shape[-1]
    s2 = s * s
    e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + eye(k, s)
    if uhgu is not None and vhgv is not None:
        ga = (uhgu * s.unsqueeze(-2) + s.unsqueeze(-1) * vhgv) / e
    elif uhgu is not None:
        ga = (uhgu / e) * s.unsqueeze(-2)
    else:
        ga = s.unsqueeze(-1) * (vhgv / e)
    if gs is not None:
        ga = ga + diag_embed(gs)
    if complex_ and uhgu is not None and vhgv is not None:
        ga = ga + diag_embed(diag(uhgu) / (s * 2))
    if m > n and gu is not None:
        ga = u @ ga
        gu_sinv = gu / s.unsqueeze(-2)
        ga = ga + gu_sinv - u @ (u.mH @ gu_sinv)
        return ga @ vh
    if m < n and gvh is not None:
        ga = ga @ vh
        sinv_gvh = gvh / s.unsqueeze(-1)
        ga = ga + sinv_gvh - (sinv_gvh @ vh.mH) @ vh
        return u @ ga
    return u @ (ga @ vh) if m >= n else (u @ ga) @ vh


class LinalgSvd(Op):
    name = "LinalgSvdBackward0"
    formula = "A = U diag(S) Vh: dA = U [skew(U^H gU) S/E + S skew(V^H gV)/E + diag(gS)] Vh + ..."

    @staticmethod
    def forward(ctx, a, *, full_matrices):
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        s = s.astype(a.real.dtype, copy=False)
        u, vh = u.astype(a.dtype, copy=False), vh.astype(a.dtype, copy=False)
        ctx.full = full_matrices
        ctx.save_for_backward(u, s, vh)
        ctx.set_materialize_grads(False)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        if ctx.full:
            # Only the first k singular vectors take part; the rest have no gradient.
            k = s._data.shape[-1]
            u, vh = u[..., :, :k], vh[..., :k, :]
            gu = None if gu is None else gu[..., :, :k]
            gvh = None if gvh is None else gvh[..., :k, :]
        return _svd_backward(gu, gs, gvh, u, s, vh)


def _check_svd(A, fn):
    K.check_matrix(A, fn)
    K.check_float(A, fn)


def linalg_svd(A, full_matrices=True, *, driver=None):
    """(U, S, Vh) with A = U diag(S) Vh, S descending (LAPACK's gesdd)."""
    _check_svd(A, "linalg.svd")
    return return_types.linalg_svd(*LinalgSvd.apply(A, full_matrices=bool(full_matrices)))


def linalg_svdvals(A, *, driver=None):
    _check_svd(A, "linalg.svdvals")
    if _wants_grad(A):
        return LinalgSvd.apply(A, full_matrices=False)[1]
    s = np.linalg.svd(A._data, compute_uv=False)
    return _wrap(s.astype(A._data.real.dtype, copy=False))


@tensor_method("svd")
def svd(input, some=True, compute_uv=True):
    """PyTorch's older svd: (U, S, V) with V = Vh^H; some=False gives the full U and V."""
    _check_svd(input, "linalg.svd")
    if compute_uv:
        u, s, vh = LinalgSvd.apply(input, full_matrices=not some)
        return return_types.svd(u, s, vh.mH)
    s = linalg_svdvals(input)
    m, n = input._data.shape[-2:]
    batch = input._data.shape[:-2]
    zeros_u = _wrap(np.zeros(batch + (m, m), input._data.dtype))
    zeros_v = _wrap(np.zeros(batch + (n, n), input._data.dtype))
    return return_types.svd(zeros_u, s, zeros_v)


# -- QR -------------------------------------------------------------------------------------
_QR_MODES = ("reduced", "complete", "r")


class LinalgQr(Op):
    name = "LinalgQrBackward0"
    formula = "A = QR: dA = (gQ + Q copyltu(M)) R^{-H}, M = triu(gR R^H - Q^H gQ) (m >= n)"

    @staticmethod
    def forward(ctx, a, *, mode):
        m, n = a.shape[-2:]
        if mode == "r":
            r = np.linalg.qr(a, mode="r")
            q = np.empty((0,), a.dtype)
        else:
            q, r = np.linalg.qr(a, mode=mode)
        q, r = q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)
        ctx.mode = mode
        ctx.shape = (m, n)
        ctx.save_for_backward(q, r)
        ctx.set_materialize_grads(False)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = ctx.saved_tensors
        m, n = ctx.shape
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr."
            )
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        if gq is None and gr is None:
            return None
        if gq is not None:
            ga = gr @ r.mH - q.mH @ gq if gr is not None else -(q.mH @ gq)
        else:
            ga = gr @ r.mH
        if m >= n:
            x = ga.triu()
            sym_ = x + x.mH
            sym_ = sym_ - diag_embed(diag(sym_).real * 0.5)
            ga = q @ sym_
            if gq is not None:
                ga = ga + gq
            return solve_triangular(r.mH, ga, upper=False, left=False)
        x = -ga
        skew = (x - x.mH).tril()
        if skew.is_complex():
            skew = skew - diag_embed(diag(skew).imag * 0.5j)
        ga = q @ skew
        ga = solve_triangular(r[..., :, :m].mH, ga, upper=False, left=False)
        ga = cat([ga, r[..., :, m:] * 0], -1)
        if gr is not None:
            ga = ga + q @ gr
        return ga


def linalg_qr(A, mode="reduced"):
    """(Q, R) with A = Q R; mode 'reduced', 'complete' or 'r' (Q then empty)."""
    fn = "linalg.qr"
    K.check_matrix(A, fn)
    K.check_float(A, fn)
    if mode not in _QR_MODES:
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    return return_types.linalg_qr(*LinalgQr.apply(A, mode=mode))


@tensor_method("qr")
def qr(input, some=True):
    """PyTorch's older qr: some=True is mode 'reduced', some=False 'complete'."""
    deprecated(
        "qr",
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = "
        "torch.linalg.qr(A, 'reduced' if some else 'complete')",
    )
    fn = "linalg.qr"
    K.check_matrix(input, fn)
    K.check_float(input, fn)
    return return_types.qr(*LinalgQr.apply(input, mode="reduced" if some else "complete"))


# -- pseudo-inverse, least squares, rank, condition number -----------------------------------
def _tolerance_array(atol, rtol, s, m, n, hermitian_abs=False):
    """max(atol, rtol * largest singular value), with PyTorch's defaults: rtol = eps *
    max(m, n) when neither is given (or atol is 0)."""
    eps = float(np.finfo(s.dtype).eps)
    a = 0.0 if atol is None else (atol._data if isinstance(atol, Tensor) else atol)
    if rtol is None:
        given_atol = atol is not None and not (np.all(np.asarray(a) == 0))
        r = 0.0 if given_atol else eps * max(m, n)
    else:
        r = rtol._data if isinstance(rtol, Tensor) else rtol
    smax = s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    a = np.asarray(a, dtype=s.dtype)
    r = np.asarray(r, dtype=s.dtype)
    if a.ndim:
        a = a[..., None]
    if r.ndim:
        r = r[..., None]
    return np.maximum(a, r * smax)


def _pinv_array(a, atol, rtol, hermitian):
    m, n = a.shape[-2:]
    if hermitian:
        lam, v = np.linalg.eigh(a)
        mag = np.abs(lam)
        order = np.argsort(-mag, axis=-1, kind="stable")
        smax_sorted = np.take_along_axis(mag, order, -1)
        tol = _tolerance_array(atol, rtol, smax_sorted, m, n)
        with np.errstate(divide="ignore"):
            inv = np.where(mag > tol, 1 / np.where(lam == 0, 1, lam), 0)
        return (v * inv[..., None, :].astype(v.dtype)) @ np.conj(np.swapaxes(v, -1, -2))
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    tol = _tolerance_array(atol, rtol, s, m, n)
    with np.errstate(divide="ignore"):
        inv = np.where(s > tol, 1 / np.where(s == 0, 1, s), 0)
    return (np.conj(np.swapaxes(vh, -1, -2)) * inv[..., None, :]) @ np.conj(np.swapaxes(u, -1, -2))


def _pinv_backward(grad, pinv_a, a):
    m, n = a._data.shape[-2:]
    pinv_h = pinv_a.mH
    grad_h = grad.mH
    if m <= n:
        k = grad_h @ pinv_a
        k_pinv_h = k @ pinv_h
        return (
            -(pinv_a @ k).mH
            + k_pinv_h
            - (a @ pinv_a) @ k_pinv_h
            + (pinv_h @ pinv_a) @ (grad_h - k @ a)
        )
    k = pinv_a @ grad_h
    pinv_h_k = pinv_h @ k
    return (
        -(k @ pinv_a).mH + ((grad_h - a @ k) @ pinv_a) @ pinv_h + pinv_h_k - (pinv_h_k @ pinv_a) @ a
    )


class LinalgPinv(Op):
    name = "LinalgPinvBackward0"
    formula = "d(A^+): -A^+ dA A^+ + (I - A^+A) dA^H A^{+H} A^+ + A^+ A^{+H} dA^H (I - A A^+)"

    @staticmethod
    def forward(ctx, a, *, atol, rtol, hermitian):
        out = _pinv_array(a, atol, rtol, hermitian).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        return _pinv_backward(grad, out, a)


def linalg_pinv(A, *, atol=None, rtol=None, hermitian=False, rcond=None):
    """The Moore-Penrose pseudo-inverse (singular values below max(atol, rtol * largest)
    are taken as zero)."""
    if A._data.ndim < 2 or A._data.dtype.kind not in "fc":
        raise RuntimeError(
            f"linalg.pinv({K.type_name(A)}{{{list(A._data.shape)}}}): expected a tensor with 2 "
            "or more dimensions of float, double, cfloat or cdouble types"
        )
    if rcond is not None:
        rtol = rcond
    return LinalgPinv.apply(A, atol=atol, rtol=rtol, hermitian=bool(hermitian))


@tensor_method("pinverse")
def pinverse(input, rcond=1e-15):
    return linalg_pinv(input, rtol=rcond)


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


class LinalgLstsq(Op):
    name = "LinalgLstsqBackward0"
    formula = (
        "X = A^+ B: dB = A^{+H} gX, dA = pinv_backward(gX B^H); residuals: 2 gL r X^H, -2 gL r"
    )

    @staticmethod
    def forward(ctx, a, b, *, rcond, driver, vector):
        m, n = a.shape[-2:]
        bm = b[..., None] if vector else b
        shape = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
        aa = np.broadcast_to(a, shape + a.shape[-2:]).reshape((-1, m, n))
        bb = np.broadcast_to(bm, shape + bm.shape[-2:]).reshape((-1, m, bm.shape[-1]))
        k = bm.shape[-1]
        real = a.real.dtype
        eps = float(np.finfo(real).eps)
        cut = eps * max(m, n) if rcond is None else rcond
        sols, ranks, svals = [], [], []
        for am, bmat in zip(aa, bb):
            x, _, rank, sv = np.linalg.lstsq(am, bmat, rcond=cut)
            sols.append(x)
            ranks.append(rank)
            svals.append(sv)
        dtype = np.result_type(a, b)
        x = np.array(sols, dtype=dtype).reshape(shape + (n, k))
        rank = np.array(ranks, np.int64).reshape(shape)
        sv = np.array(svals, real).reshape(shape + (min(m, n),))
        full_rank = bool(np.all(rank == n))
        if m > n and driver != "gelsy" and full_rank:
            resid = bm - a @ x
            residuals = np.sum(np.abs(resid) ** 2, axis=-2).astype(real)
        else:
            residuals = np.empty((0,), real)
        if driver == "gels":
            rank = np.empty((0,), np.int64)
        if driver not in ("gelsd", "gelss"):
            sv = np.empty((0,), real)
        out = x[..., 0] if vector else x
        ctx.vector = vector
        ctx.mark_non_differentiable(rank, sv)
        ctx.save_for_backward(a, b, out)
        ctx.set_materialize_grads(False)
        return out, residuals, rank, sv

    @staticmethod
    def backward(ctx, gx, gres, grank=None, gsv=None):
        a, b, x = ctx.saved_tensors
        vector = ctx.vector
        has_res = gres is not None and gres._data.size
        if gx is None and not has_res:
            return None, None
        bm = b.unsqueeze(-1) if vector else b
        ga = gb = None
        if gx is not None:
            gxm = gx.unsqueeze(-1) if vector else gx
            pinv_a = linalg_pinv(a)
            if ctx.needs_input_grad[0]:
                ga = _pinv_backward(gxm @ bm.mH, pinv_a, a)
            if ctx.needs_input_grad[1]:
                gb = pinv_a.mH @ gxm
                gb = gb.squeeze(-1) if vector else gb
        if has_res:
            xm = x.unsqueeze(-1) if vector else x
            r = a @ xm - bm
            gl = gres.unsqueeze(-2)
            if ctx.needs_input_grad[0]:
                term = 2 * (gl * r) @ xm.mH
                ga = term if ga is None else ga + term
            if ctx.needs_input_grad[1]:
                term = -2 * gl * r
                term = term.squeeze(-1) if vector else term
                gb = term if gb is None else gb + term
        return ga, gb


def linalg_lstsq(A, B, rcond=None, *, driver=None):
    """(solution, residuals, rank, singular_values) of min ||A X - B||, with the outputs
    PyTorch's CPU drivers give (default gelsy: no residuals, no singular values)."""
    fn = "torch.linalg.lstsq"
    for t, what in ((A, "input"), (B, "other")):
        if t._data.dtype.kind not in "fc":
            raise RuntimeError(f"{fn}: Expected {what} to be a floating point or complex tensor")
    if A._data.ndim < 2:
        raise RuntimeError(f"{fn}: input must have at least 2 dimensions.")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(
            f"{fn}: Expected input and other to have the same dtype, but got input's dtype "
            f"{A.dtype} and other's dtype {B.dtype}"
        )
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"{fn}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vector = B._data.ndim == A._data.ndim - 1
    if (
        B._data.ndim < 1
        or (vector and B._data.shape[-1] != A._data.shape[-2])
        or (not vector and B._data.shape[-2] != A._data.shape[-2])
    ):
        raise RuntimeError(f"{fn}: input.size(-2) should match other.size(-2)")
    out = LinalgLstsq.apply(A, B, rcond=rcond, driver=driver, vector=vector)
    return return_types.linalg_lstsq(*out)


def linalg_matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):
    """The number of singular values above max(atol, rtol * largest) (int64)."""
    fn = "linalg.matrix_rank"
    K.check_matrix(A, fn)
    K.check_float(A, fn)
    if tol is not None:
        atol, rtol = tol, 0.0
    m, n = A._data.shape[-2:]
    if hermitian:
        s = np.abs(np.linalg.eigvalsh(A._data))
        s = -np.sort(-s, axis=-1)
    else:
        s = np.linalg.svd(A._data, compute_uv=False)
    tol_ = _tolerance_array(atol, rtol, s, m, n)
    return _wrap(np.sum(s > tol_, axis=-1).astype(np.int64))


def linalg_cond(A, p=None):
    """The condition number in the norm p (None: 2, the ratio of extreme singular values)."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor A must have at least 2 dimensions.")
    K.check_float(A, "linalg.cond")
    numeric = not isinstance(p, str)
    if numeric and p is not None and abs(p) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {float(p):g}")
    if not numeric and p not in ("fro", "nuc"):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if p is None or (numeric and abs(p) == 2):
        if A._data.size == 0:
            return _wrap(np.zeros(A._data.shape[:-2], A._data.real.dtype))
        s = linalg_svdvals(A)
        return s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
    m, n = A._data.shape[-2:]
    if m != n:
        kind = "±1 or ±inf" if numeric else "frobenius or nuclear"
        raise RuntimeError(
            f"linalg.cond with {kind} norm types only supports square matrices or batches of "
            f"square matrices but got {n} by {m} matrices"
        )
    if A._data.size == 0:
        return _wrap(np.zeros(A._data.shape[:-2], A._data.real.dtype))
    if p == "nuc":
        s = linalg_svdvals(A)
        return s.sum(-1) * s.reciprocal().sum(-1)
    from .. import linalg as _linalg  # the matrix norms (a cycle: chainrule.linalg imports this)

    inv, info = linalg_inv_ex(A)
    singular = const((info._data > 0)[..., None, None])
    inv = where(singular, float("inf"), inv)
    out = _linalg.matrix_norm(A, p) * _linalg.matrix_norm(inv, p)
    bad = const(np.isnan(out._data) | np.isinf(out._data))
    return where(bad, float("inf"), out)


def matrix_norm_spectral(A, ord, dim, keepdim):
    """The 2, -2 and nuclear matrix norms, through the singular values of the matrices in
    dims `dim` (moved last)."""
    nd = A._data.ndim
    d0, d1 = (d % nd for d in dim)
    rest = [i for i in range(nd) if i not in (d0, d1)]
    moved = A.permute(*rest, d0, d1)
    s = linalg_svdvals(moved)
    if ord == "nuc":
        out = s.sum(-1)
    elif s._data.shape[-1] == 0:  # an empty matrix: no singular values
        if ord == -2:
            raise IndexError("amin(): Expected reduction dim -1 to have non-zero size.")
        out = s.sum(-1)  # PyTorch's 2-norm of an empty matrix is 0
    elif ord == 2:
        out = s.amax(-1)
    else:
        out = s.amin(-1)
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out


# Each derivative above is written for complex matrices too (conjugate transposes).
set_complex_mode(OWN, LinalgEigh, LinalgEig, LinalgSvd, LinalgQr, LinalgPinv, LinalgLstsq)


publish(__name__)  # NumPy's argument names, chainrule.<name>: _lazy.py
