"""Singular values, for the spectral and nuclear matrix norms (ord=2, -2 and 'nuc').

A private, minimal SVD: `svd(A)` gives the thin factors (U, S, Vh) of A's last two dims as
one op, differentiable to any order, and `svdvals(A)` its singular values. The norms in
chainrule.linalg and torch.norm use them; no public linalg.svd is defined here.

The backward is the real case of the SVD's derivative (Townsend, "Differentiating the
Singular Value Decomposition"): with F[i, j] = 1 / (s_j**2 - s_i**2) off the diagonal,

    gA = U (F o (U^T gU - gU^T U) S + diag(gS) + S F o (V^T gV - gV^T V)) V^T
         + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T),

each term only where its gradient is given (singular values alone, as the norms use, give
U diag(gS) V^T, which is defined for repeated and zero singular values too). Under
create_graph the factors are recomputed through this op, so the formula is itself
differentiated through the SVD, as batch_norm's backward rebuilds its statistics.
"""

from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor
from .creation import eye
from .op import Op, apply
from .pointwise import where

__all__ = []

_wrap = Tensor._wrap


class Svd(Op):
    name = "LinalgSvdBackward0"
    formula = (
        "gA = U (F o (U^T gU - gU^T U) S + diag(gS) + S F o (V^T gV - gV^T V)) V^T "
        "+ (I - UU^T) gU S^-1 V^T + U S^-1 gV^T (I - VV^T), F_ij = 1/(s_j^2 - s_i^2)"
    )

    @staticmethod
    def forward(ctx, a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(a)
        ctx.set_materialize_grads(False)  # a missing gradient is a missing term, not zeros
        ctx.factors = (u, s, vh)
        return (
            u.astype(a.dtype, copy=False),
            s.astype(a.dtype, copy=False),
            vh.astype(a.dtype, copy=False),
        )

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        (a,) = ctx.saved_tensors
        if _grad_state.enabled:  # create_graph: the factors as functions of a
            u, s, vh = svd(a)
        else:
            u, s, vh = (_wrap(f.astype(a._data.dtype, copy=False)) for f in ctx.factors)
        return _svd_backward(u, s, vh, gu, gs, gvh)


def _svd_backward(u, s, vh, gu, gs, gvh):
    if gu is None and gvh is None:
        return (u * gs.unsqueeze(-2)) @ vh if gs is not None else None
    m, k = u.shape[-2], u.shape[-1]
    n = vh.shape[-1]
    v = vh.mT
    s_row = s.unsqueeze(-2)  # [.., 1, k]: scales columns
    identity = eye(k, dtype=s.dtype).bool()
    s2 = s * s
    diff = s2.unsqueeze(-2) - s2.unsqueeze(-1)  # [i, j] = s_j**2 - s_i**2
    f = where(identity, 0.0, 1 / where(identity, 1.0, diff))  # no 1/0 on the diagonal
    core = 0
    if gu is not None:
        ugu = u.mT @ gu
        core = core + f * (ugu - ugu.mT) * s_row
    if gvh is not None:
        gv = gvh.mT
        vgv = v.mT @ gv
        core = core + s.unsqueeze(-1) * (f * (vgv - vgv.mT))
    if gs is not None:
        core = core + where(identity, gs.unsqueeze(-1), 0.0)
    ga = u @ core @ vh
    if gu is not None and m > k:
        ga = ga + ((gu - u @ (u.mT @ gu)) / s_row) @ vh
    if gvh is not None and n > k:
        ga = ga + (u / s_row) @ (gvh - (gvh @ v) @ vh)
    return ga


def svd(a):
    """The thin SVD of a's last two dims: (U, S, Vh) with a = U diag(S) Vh."""
    return apply(Svd, (a,), {})


def svdvals(a):
    """The singular values of a's last two dims, largest first."""
    return svd(a)[1]
